"""YouTube subscriptions.csv: translated headers, columns recognised by content."""

from __future__ import annotations

from pathlib import Path

from socialcrm_youtube.importers import guess_columns

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"


def test_english_french_and_reordered_german_files() -> None:
    crm = CRM(None, get_plugin_manager(), clock=FrozenClock())
    english = import_file(crm, FIXTURES / "subscriptions.csv")
    assert english.format == "youtube-subscriptions"
    assert [(r.row, r.action, r.name) for r in english.rows] == [
        (2, "created", "Zoé parle vente"),
        (3, "created", "Growth, Sales & Co"),
    ]
    channel = crm.resolve("https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv")
    assert [i.key for i in channel.identities] == ["youtube:id:UCabcdefghijklmnopqrstuv"]
    french = import_file(crm, FIXTURES / "subscriptions_fr.csv")  # BOM, CRLF, translated
    assert french.format == "youtube-subscriptions"
    assert [(r.row, r.action) for r in french.rows] == [(2, "skipped"), (3, "created")]
    assert french.rows[0].reason.startswith("already known")
    assert crm.resolve("youtube:id:UCzzzzzzzzzzzzzzzzzzzzzz").name == "テスト"
    german = import_file(crm, FIXTURES / "subscriptions_de_reordered.csv")
    assert german.format == "youtube-subscriptions"
    assert crm.resolve("youtube:id:UCyyyyyyyyyyyyyyyyyyyyyy").name == "Vertrieb Heute"


def test_guess_columns() -> None:
    row = ["Titre", "UCabcdefghijklmnopqrstuv", "https://www.youtube.com/channel/UCabc"]
    assert guess_columns(row) == (1, 2, 0)
    assert guess_columns(["Channel Id", "Channel Url", "Channel Title"]) is None
