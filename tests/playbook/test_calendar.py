"""Calendar follow-ups: the agenda as iCalendar, parsed back; UTC times in the rep's day;
UIDs that stay the same from one export to the next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from socialcrm import CRM, Stage
from socialcrm.playbook.calendar import CalendarEntry, entries, to_ics
from socialcrm.playbook.sequences import define, enroll, mark_sent
from socialcrm.playbook.templates import set_template
from socialcrm.testing import FrozenClock

PARIS = ZoneInfo("Europe/Paris")  # UTC+2 on 1 April 2026 (the busy day), summer time
NEW_YORK = ZoneInfo("America/New_York")  # UTC-4 then


def _add(crm: CRM, name: str) -> str:
    return crm.add(name, urls=[f"https://testnet.example/{name.split()[0].lower()}"]).id


@pytest.fixture
def busy(crm: CRM, clock: FrozenClock) -> dict[str, str]:
    """A reply to answer, a step due now, a step due in two days, a prospect waiting."""
    set_template(crm, "hello", "Hi {first_name}")
    set_template(crm, "nudge", "Any thoughts, {first_name}?")
    define(crm, "intro", ["0:testnet.note:hello", "2:testnet.dm:nudge"])
    ids = {name: _add(crm, name) for name in ("Ann Lee", "Bob Roe", "Cat Poe", "Dan Moe")}
    crm.move(ids["Dan Moe"], Stage.NOTORIETY, force=True)
    clock.advance(days=30)
    enroll(crm, ids["Ann Lee"], "intro")
    enroll(crm, ids["Bob Roe"], "intro")
    mark_sent(crm, ids["Bob Roe"])
    crm.log_message(ids["Cat Poe"], "Sure, tell me more", received=True)
    return ids


def _events(data: bytes) -> list[object]:
    calendar = Calendar.from_ical(data)
    assert str(calendar["version"]) == "2.0" and "socialcrm" in str(calendar["prodid"])
    return list(calendar.walk("VEVENT"))


def _by_name(crm: CRM, data: bytes) -> dict[str, object]:
    found = {}
    for event in _events(data):
        pid = str(event["x-socialcrm-prospect"])  # type: ignore[index]
        found[crm.get(pid).name] = event
    return found


def test_the_file_parses_back_with_one_event_per_thing_to_do(
    crm: CRM, clock: FrozenClock, busy: dict[str, str]
) -> None:
    found = entries(crm, days=7)
    assert sorted((e.name, e.kind) for e in found) == [
        ("Ann Lee", "step"),
        ("Bob Roe", "step"),
        ("Cat Poe", "reply"),
        ("Dan Moe", "waiting"),
    ]
    events = _by_name(crm, to_ics(found, now=clock.now, tz=PARIS))
    assert set(events) == {"Ann Lee", "Bob Roe", "Cat Poe", "Dan Moe"}
    for name, event in events.items():
        command = str(event["x-socialcrm-command"])  # type: ignore[index]
        assert command.startswith("socialcrm ") and busy[name] in command
        assert f"Run: {command}" in str(event["description"])  # type: ignore[index]
        assert name in str(event["summary"])  # type: ignore[index]
    assert str(events["Cat Poe"]["x-socialcrm-command"]).startswith("socialcrm message")  # type: ignore[index]
    assert "“Sure, tell me more”" in str(events["Cat Poe"]["description"])  # type: ignore[index]


def test_only_todays_with_days_zero(crm: CRM, busy: dict[str, str]) -> None:
    assert sorted(e.name for e in entries(crm, days=0)) == ["Ann Lee", "Cat Poe", "Dan Moe"]
    assert sorted(e.name for e in entries(crm, days=1)) == ["Ann Lee", "Cat Poe", "Dan Moe"]
    assert "Bob Roe" in {e.name for e in entries(crm, days=3)}


@pytest.mark.parametrize(("tz", "utc_hour"), [(PARIS, 7), (NEW_YORK, 13), (UTC, 9)])
def test_times_are_utc_placed_from_nine_in_the_reps_time_zone(
    crm: CRM, clock: FrozenClock, busy: dict[str, str], tz: ZoneInfo, utc_hour: int
) -> None:
    data = to_ics(entries(crm, days=7), now=clock.now, tz=tz)
    assert b"DTSTART:" in data and b"TZID" not in data  # UTC, no zone definitions needed
    starts = {}
    for name, event in _by_name(crm, data).items():
        start = event["dtstart"].dt  # type: ignore[index]
        end = event["dtend"].dt  # type: ignore[index]
        assert start.utcoffset() == timedelta(0) and end - start == timedelta(minutes=15)
        starts[name] = start
    today = clock.now.date()
    first = datetime(today.year, today.month, today.day, utc_hour, tzinfo=UTC)
    # today's three, one after another in the agenda's order (reply, step, waiting)
    assert [starts[n] for n in ("Cat Poe", "Ann Lee", "Dan Moe")] == [
        first,
        first + timedelta(minutes=15),
        first + timedelta(minutes=30),
    ]
    assert starts["Bob Roe"] == first + timedelta(days=2)  # its due day, from nine


def test_uids_are_stable_across_exports_and_change_with_what_is_due(
    crm: CRM, clock: FrozenClock, busy: dict[str, str]
) -> None:
    def uids() -> dict[str, str]:
        data = to_ics(entries(crm, days=7), now=clock.now, tz=PARIS)
        return {n: str(e["uid"]) for n, e in _by_name(crm, data).items()}  # type: ignore[index]

    first = uids()
    assert len(set(first.values())) == 4 and all(u.endswith("@socialcrm") for u in first.values())
    clock.advance(hours=3)
    assert uids() == first  # re-export later the same day: the same events, updated
    mark_sent(crm, busy["Ann Lee"])  # Ann's first step done: her next step is another event
    second = uids()
    assert second["Ann Lee"] != first["Ann Lee"]
    assert {n: u for n, u in second.items() if n != "Ann Lee"} == {
        n: u for n, u in first.items() if n != "Ann Lee"
    }
    clock.advance(days=2)  # Bob's step, upcoming before, is due today now: the same event
    assert uids()["Bob Roe"] == first["Bob Roe"]


def test_a_feature_adds_its_own_source(crm: CRM, clock: FrozenClock) -> None:
    pid = _add(crm, "Eve Doe")

    def reviews(crm_: CRM, now: datetime, until: datetime) -> list[CalendarEntry]:
        return [
            CalendarEntry(
                f"review/{pid}",
                "retention",
                pid,
                "Eve Doe",
                now,
                "Review Eve Doe",
                "kept 3 years",
                f"socialcrm show {pid}",
            )
        ]

    (entry,) = entries(crm, sources=[reviews])
    (event,) = _events(to_ics([entry], now=clock.now, tz=PARIS))
    assert "retention" in str(event["categories"].to_ical())  # type: ignore[index]


def test_retention_reviews_come_from_the_privacy_due_list(crm: CRM, clock: FrozenClock) -> None:
    from socialcrm.playbook.agenda import RETENTION_NOTICE_DAYS
    from socialcrm.privacy.retention import due

    pid = _add(crm, "Eve Doe")
    assert [e for e in entries(crm, days=30) if e.kind == "retention"] == []
    (expiry,) = [r.expires_at for r in due(crm, within="4y")]
    assert expiry is not None
    # the review falls RETENTION_NOTICE_DAYS before the data expires
    clock.advance(days=(expiry - clock.now).days - RETENTION_NOTICE_DAYS - 3)
    assert [e for e in entries(crm, days=1) if e.kind == "retention"] == []
    (entry,) = [e for e in entries(crm, days=7) if e.kind == "retention"]
    assert entry.prospect_id == pid and entry.command == f"socialcrm privacy ask {pid}"
    assert entry.due == expiry - timedelta(days=RETENTION_NOTICE_DAYS)
    (again,) = [e for e in entries(crm, days=7) if e.kind == "retention"]
    assert again.uid == entry.uid  # re-exporting updates the same event
    (event,) = [
        e
        for e in _events(to_ics([entry], now=clock.now, tz=PARIS))
        if str(e["x-socialcrm-prospect"]) == pid  # type: ignore[index]
    ]
    assert "privacy ask" in str(event["description"])  # type: ignore[index]
    clock.advance(days=RETENTION_NOTICE_DAYS + 5)  # expired: erase, today
    (late,) = [e for e in entries(crm, days=0) if e.kind == "retention"]
    assert late.command == "socialcrm privacy purge --expired" and late.due == clock.now
    assert late.uid == entry.uid
    # the agenda's own expiry line is not a second event (waiting in a stage is)
    kinds = sorted(e.kind for e in entries(crm, days=0) if e.prospect_id == pid)
    assert kinds == ["retention", "waiting"]
