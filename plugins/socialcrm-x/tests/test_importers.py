"""X archive importers: followers/following by account id, direct messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError
from socialcrm.io import import_file
from socialcrm.models import MessageReceived, MessageSent
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def crm() -> CRM:
    return CRM(None, get_plugin_manager(), clock=FrozenClock())


def test_followers_by_account_id(crm: CRM) -> None:
    report = import_file(crm, FIXTURES / "follower.js")
    assert report.format == "x-followers"
    assert [(r.row, r.action, r.name) for r in report.rows] == [
        (1, "created", "x:1234567"),
        (2, "created", "x:987654321012345678"),
        (3, "invalid", None),
    ]
    assert report.rows[2].reason == "missing or invalid accountId 'not-a-number'"
    person = crm.resolve("x:id:1234567")
    assert person.name == "x:1234567"
    assert [(i.key, i.url) for i in person.identities] == [
        ("x:id:1234567", "https://x.com/intent/user?user_id=1234567")
    ]
    assert person.custom == {"x_follower": "yes"}
    assert person.source is not None and person.source.network == "x"


def test_following_is_idempotent_with_followers(crm: CRM) -> None:
    import_file(crm, FIXTURES / "follower.js")
    report = import_file(crm, FIXTURES / "following.js", update=True)
    assert report.format == "x-following"
    assert [(r.row, r.action) for r in report.rows] == [(1, "updated"), (2, "created")]
    assert crm.resolve("x:id:1234567").custom == {"x_follower": "yes", "x_following": "yes"}
    assert len(crm.query()) == 3


def test_placeholder_name_is_replaced_by_a_real_one(crm: CRM, tmp_path: Path) -> None:
    import_file(crm, FIXTURES / "follower.js")
    path = tmp_path / "people.csv"
    path.write_text("Name,X\nZoé Martin,https://x.com/intent/user?user_id=1234567\n")
    report = import_file(crm, path, update=True)
    assert report.rows[0].action == "updated"
    assert crm.resolve("x:id:1234567").name == "Zoé Martin"


def test_direct_messages(crm: CRM) -> None:
    import_file(crm, FIXTURES / "follower.js")
    report = import_file(crm, FIXTURES / "direct-messages.js")
    assert report.format == "x-direct-messages"
    assert [(r.row, r.action, r.reason) for r in report.rows] == [
        (1, "attached", "message sent"),
        (2, "attached", "message received"),
        # the other side of a one-to-one conversation: a prospect, with the message
        (3, "created", "not a prospect yet: named by a message received"),
        (3, "attached", "message received"),
    ]
    messages = [e for e in crm.history("x:id:1234567") if e.kind.value.startswith("message")]
    assert [(e.at, e.payload) for e in messages] == [
        (
            datetime(2025, 6, 12, 15, 2, 44, tzinfo=UTC),
            MessageSent("Salut ! J'ai aimé ton thread sur l'export 🚀", "x", "dm"),
        ),
        (
            datetime(2025, 6, 12, 16, 0, tzinfo=UTC),
            MessageReceived("Merci, on s'appelle ?", "x", "dm"),
        ),
    ]
    assert import_file(crm, FIXTURES / "direct-messages.js").events == 0


def test_prefix_sharing_a_line_with_the_first_object(crm: CRM, tmp_path: Path) -> None:
    path = tmp_path / "follower.js"
    path.write_text(
        'window.YTD.follower.part0 = [{"follower":{"accountId":"42","userLink":'
        '"https://twitter.com/intent/user?user_id=42"}}]'
    )
    assert import_file(crm, path).counts()["created"] == 1


def test_wrong_part_and_broken_json(crm: CRM, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="'following' file, not 'follower'"):
        import_file(crm, FIXTURES / "following.js", "x-followers")
    path = tmp_path / "follower.js"
    path.write_text('window.YTD.follower.part0 = [\n  {"follower": \n]')
    with pytest.raises(ImportFormatError, match="row 3: invalid JSON"):
        import_file(crm, path)
