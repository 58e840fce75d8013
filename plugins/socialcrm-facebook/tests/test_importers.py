"""Facebook friends: mojibake repaired per string, NFC, idempotent by name + date."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from socialcrm_facebook.importers import repair

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"


def test_friends_names_repaired() -> None:
    crm = CRM(None, get_plugin_manager(), clock=FrozenClock())
    report = import_file(crm, FIXTURES / "your_friends.json")
    assert report.format == "facebook-friends"
    assert [(r.row, r.action, r.name) for r in report.rows] == [
        (1, "created", "Zoé Martin"),
        (2, "created", "Jürgen Müller"),
        (3, "created", "王小明"),
        (4, "created", "Plain Ascii"),
        (5, "invalid", None),
    ]
    zoe = crm.resolve("Zoé Martin")
    assert zoe.custom == {"facebook_friend_since": "2019-06-08T13:20:00+00:00"}
    assert zoe.identities == () and zoe.source is not None
    assert zoe.source.network == "facebook"
    again = import_file(crm, FIXTURES / "your_friends.json")
    assert again.counts()["created"] == 0 and again.events == 0


@given(st.text())
def test_repair_undoes_per_byte_escaping(text: str) -> None:
    mojibake = text.encode("utf-8").decode("latin-1")
    assert repair(mojibake) == unicodedata.normalize("NFC", text)


def test_repair_leaves_real_text_alone() -> None:
    assert repair("Zoé") == "Zoé"  # é alone is not valid UTF-8 as a byte: kept
    assert repair("王小明") == "王小明"
    assert repair("Se\u0301bastien") == "Sébastien"
