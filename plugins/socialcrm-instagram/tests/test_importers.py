"""Instagram followers (bare array) and following (newer ``title`` + ``_u/`` links)."""

from __future__ import annotations

from pathlib import Path

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"


def test_followers_then_following() -> None:
    crm = CRM(None, get_plugin_manager(), clock=FrozenClock())
    followers = import_file(crm, FIXTURES / "followers_1.json")
    assert followers.format == "instagram-followers"
    assert [(r.row, r.action, r.name) for r in followers.rows] == [
        (1, "created", "@zoe.martin"),
        (2, "created", "@jean_dupont"),
    ]
    zoe = crm.resolve("https://www.instagram.com/zoe.martin")
    assert zoe.custom == {"instagram_followers_since": "2024-06-12T13:46:40+00:00"}
    following = import_file(crm, FIXTURES / "following.json")
    assert following.format == "instagram-following"
    assert [(r.row, r.action, r.name) for r in following.rows] == [
        (1, "updated", "@zoe.martin"),  # a mutual follow: the date is added
        (2, "created", "@amina.benali"),
        (3, "created", "@oldstyle"),
    ]
    amina = crm.resolve("instagram:amina.benali")
    assert amina.identities[0].url == "https://www.instagram.com/amina.benali"
    assert len(crm.query()) == 4
