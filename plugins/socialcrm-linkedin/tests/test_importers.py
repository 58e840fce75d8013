"""LinkedIn data export importers: every quirk of the real files, exact results."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from socialcrm_linkedin.importers import parse_linkedin_date, parse_linkedin_time

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.models import EventKind, MessageReceived, MessageSent
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

FIXTURES = Path(__file__).parent / "fixtures"
ZOE = "https://www.linkedin.com/in/zoe-martin-4b2a1c"
JEAN = "https://www.linkedin.com/in/jean-dupont-12345678"


@pytest.fixture
def crm(tmp_path: Path) -> CRM:
    return CRM(open_repository(tmp_path / "store"), get_plugin_manager(), clock=FrozenClock())


def test_connections_with_preamble_bom_crlf_and_padding(crm: CRM) -> None:
    report = import_file(crm, FIXTURES / "Connections.csv")
    assert report.format == "linkedin-connections"
    assert [(r.row, r.action, r.reason) for r in report.rows] == [
        (5, "created", ""),
        (6, "created", ""),
        (7, "created", ""),
        (8, "skipped", "blank line"),
        (9, "created", ""),
        (10, "skipped", "no name (a hidden or deleted member)"),
        (11, "created", ""),
    ]
    zoe = crm.resolve(ZOE)
    assert (zoe.name, zoe.company, zoe.title) == ("Zoé Martin", "Acme SAS", "Head of Sales, EMEA")
    assert zoe.emails == ()
    assert zoe.custom == {"linkedin_connected_on": "2025-07-08"}
    assert zoe.identities[0].url == ZOE
    jean = crm.resolve("jean.dupont@example.org")
    assert jean.company == "Dupont & Fils, SARL"
    assert jean.title == 'Directeur "Grands Comptes"'
    assert jean.emails == ("Jean.Dupont@example.org",)
    wang = crm.resolve("https://www.linkedin.com/in/wang-xiaoming")
    # typed family name first into LinkedIn's form: shown so, without a space (issue 25)
    assert (wang.name, wang.first_name, wang.last_name) == ("王小明", "王", "小明")
    seb = crm.resolve("https://www.linkedin.com/in/sebastien-lefevre")
    assert seb.name == "Sébastien Lefèvre" and len(seb.name) == 17  # NFC: é is one code point
    assert crm.query(tag=None)[0].source is not None


def test_reimport_is_idempotent(crm: CRM) -> None:
    import_file(crm, FIXTURES / "Connections.csv")
    events = {p.id: len(crm.history(p.id)) for p in crm.query()}
    again = import_file(crm, FIXTURES / "Connections.csv")
    assert again.counts()["created"] == 0 and again.events == 0
    assert {p.id: len(crm.history(p.id)) for p in crm.query()} == events


def test_old_export_without_url_column(crm: CRM) -> None:
    report = import_file(crm, FIXTURES / "Connections_old.csv")
    assert report.format == "linkedin-connections"
    assert report.counts()["created"] == 2
    karl = crm.resolve("karl.mueller@example.de")
    assert (karl.name, karl.identities) == ("Karl Müller", ())
    assert karl.custom == {"linkedin_connected_on": "2016-03-03"}
    olga = crm.resolve("Olga Ivanova")
    assert (olga.company, olga.title) == ("Пример", "Директор")


def test_messages_attach_to_known_prospects(crm: CRM) -> None:
    import_file(crm, FIXTURES / "Connections.csv")
    report = import_file(crm, FIXTURES / "messages.csv")
    assert report.format == "linkedin-messages"
    assert [(r.row, r.action, r.reason) for r in report.rows] == [
        (2, "attached", "message sent"),
        (3, "attached", "message received"),
        (4, "skipped", "draft"),
        (5, "attached", "message sent"),  # group thread: to both prospects
        (6, "skipped", "from a third party in a group conversation (not a prospect)"),
        # a stranger writing to the rep (an InMail) becomes a prospect, with the message
        (7, "created", "not a prospect yet: named by a message received"),
        (7, "attached", "message received"),
        (8, "skipped", "no sender profile URL (a hidden or deleted member)"),
    ]
    zoe = crm.resolve(ZOE)
    messages = [e for e in crm.history(zoe.id) if e.kind.value.startswith("message")]
    assert [(e.at, e.payload) for e in messages] == [
        (
            datetime(2025, 6, 12, 15, 2, 44, tzinfo=UTC),
            MessageSent(
                'Bonjour Zoé, merci pour votre post sur la prospection, "très juste" !',
                "linkedin",
                "message",
            ),
        ),
        (
            datetime(2025, 6, 12, 16, 10, 3, tzinfo=UTC),
            MessageReceived("Merci ! Parlons-en, je suis dispo jeudi.", "linkedin", "message"),
        ),
    ]
    for ref in ("jean.dupont@example.org", "https://www.linkedin.com/in/amina-benali"):
        sent = [e for e in crm.history(ref) if e.kind is EventKind.MESSAGE_SENT]
        assert [e.payload.text for e in sent] == ["Hello both of you"]  # type: ignore[union-attr]
    again = import_file(crm, FIXTURES / "messages.csv")
    assert again.events == 0  # no duplicate events


def test_old_messages_file_without_draft_columns(crm: CRM) -> None:
    import_file(crm, FIXTURES / "Connections.csv")
    report = import_file(crm, FIXTURES / "messages_old.csv")
    assert [(r.row, r.action, r.reason) for r in report.rows] == [
        (2, "attached", "message received")
    ]


def test_messages_alone_make_their_counterparts_prospects(crm: CRM) -> None:
    """Without the connections, every person the rep wrote to or heard from becomes a
    prospect, named as the file names them; the rep (in every conversation) never."""
    report = import_file(crm, FIXTURES / "messages.csv")
    assert report.counts() == {
        "created": 4,
        "updated": 0,
        "attached": 4,
        "skipped": 3,
        "invalid": 0,
    }
    assert sorted(p.name for p in crm.query()) == [
        "Amina Benali",
        "Jean Dupont",
        "Stranger Person",
        "Zoé Martin",
    ]
    assert report.rows[0].reason == "not a prospect yet: named by a message sent"


def test_invitations(crm: CRM) -> None:
    import_file(crm, FIXTURES / "Connections.csv")
    report = import_file(crm, FIXTURES / "Invitations.csv")
    assert report.format == "linkedin-invitations"
    assert [(r.row, r.action, r.reason) for r in report.rows] == [
        (2, "attached", "message sent"),
        (3, "attached", "interaction"),
        (4, "attached", "interaction"),  # sent without a note: recorded as such
    ]
    jean = [e.payload for e in crm.history(JEAN) if e.kind is EventKind.INTERACTION]
    assert [p.type for p in jean] == ["invitation_sent"]  # type: ignore[union-attr]
    (note,) = [e for e in crm.history(ZOE) if e.kind is EventKind.MESSAGE_SENT]
    assert note.at == datetime(2025, 7, 8, 15, 2, tzinfo=UTC)
    assert note.payload == MessageSent(
        "Bonjour Zoé, j'ai lu votre article sur l'export.", "linkedin", "connection_note"
    )
    history = crm.history("https://www.linkedin.com/in/amina-benali")
    (follow,) = [e for e in history if e.kind is EventKind.INTERACTION]
    assert follow.payload.type == "follow"  # type: ignore[union-attr]


def test_dates() -> None:
    assert parse_linkedin_date("08 Jul 2025") == date(2025, 7, 8)
    assert parse_linkedin_date("8 Sept 2024") == date(2024, 9, 8)
    assert parse_linkedin_date("2024-02-29") == date(2024, 2, 29)
    assert parse_linkedin_date("31 Feb 2024") is None
    assert parse_linkedin_date("yesterday") is None
    assert parse_linkedin_time("2025-06-12 15:02:44 UTC") == datetime(
        2025, 6, 12, 15, 2, 44, tzinfo=UTC
    )
    assert parse_linkedin_time("7/8/25, 3:02 PM") == datetime(2025, 7, 8, 15, 2, tzinfo=UTC)
    assert parse_linkedin_time("") is None


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_date_format_round_trips(day: date) -> None:
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    assert parse_linkedin_date(f"{day.day:02d} {months[day.month - 1]} {day.year}") == day


def test_connections_header_found_by_content_whatever_the_preamble(
    crm: CRM, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "Notes:\n\n\n\nsomething, else\n"
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Léa,Roux,https://www.linkedin.com/in/lea-roux,,,,01 Jan 2020\n",
        encoding="utf-8",
    )
    report = import_file(crm, path)
    assert report.format == "linkedin-connections"
    assert [(r.row, r.action) for r in report.rows] == [(7, "created")]
