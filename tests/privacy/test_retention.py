"""The retention clock: 3 years from collection or the prospect's last contact; the purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm import CRM
from socialcrm.errors import ValidationError
from socialcrm.models import (
    Created,
    Edited,
    Event,
    Interaction,
    MessageReceived,
    MessageSent,
    Note,
    NoticeGiven,
    Payload,
    Prospect,
    Source,
)
from socialcrm.privacy.retention import (
    add_duration,
    due,
    expired,
    prospect_initiated,
    purge_expired,
    retention_of,
)
from socialcrm.privacy.settings import Duration, configure, parse_duration
from socialcrm.testing import FrozenClock

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
THREE_YEARS = Duration(months=36)


def test_add_duration_is_calendar_based() -> None:
    assert add_duration(T0, THREE_YEARS) == datetime(2029, 3, 2, 9, 0, tzinfo=UTC)
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert add_duration(leap, Duration(months=12)) == datetime(2029, 2, 28, tzinfo=UTC)
    assert add_duration(T0, Duration(days=30)) == T0 + timedelta(days=30)
    assert add_duration(datetime(2026, 1, 31, tzinfo=UTC), Duration(months=1)) == datetime(
        2026, 2, 28, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "months", "days"),
    [("3y", 36, 0), ("36m", 36, 0), ("1095d", 0, 1095), ("2y6m", 30, 0), ("1y2m3d", 14, 3)],
)
def test_parse_duration(text: str, months: int, days: int) -> None:
    assert parse_duration(text) == Duration(months, days)
    assert parse_duration(str(parse_duration(text))) == Duration(months, days)


@pytest.mark.parametrize("text", ["", "3", "y", "0d", "3 years", "-1y", "3y3y"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_duration(text)


def test_purge_at_three_years_and_a_day_removes_exactly_the_expected(
    crm: CRM, clock: FrozenClock
) -> None:
    # Day 0 (2026-03-02): four people collected.
    silent = crm.add("Silent Sam", emails=["sam@example.fr"])
    chased = crm.add("Chased Chloe", emails=["chloe@example.fr"])
    replied = crm.add("Replied Rita", emails=["rita@example.fr"])
    customer = crm.add("Customer Carl", emails=["carl@example.fr"])
    lost = crm.add("Lost Lea", emails=["lea@example.fr"])
    crm.lose(lost.id, "no budget")
    for p in (customer,):
        for stage in ("identify", "notoriety", "contact", "convert"):
            crm.move(p.id, stage, force=True)
        crm.win(p.id, force=True)
    # Day 100: the rep writes to Chloe many times, views and edits her (never moves the clock).
    clock.advance(days=100)
    crm.log_message(chased.id, "Hello Chloe")
    crm.log_interaction(chased.id, "view")
    crm.edit(chased.id, set_fields={"title": "CEO"})
    crm.log_interaction(chased.id, "comment")  # the rep's own comment, not hers
    # Day 200: Rita replies (prospect-initiated: her clock restarts from day 200).
    clock.advance(days=100)
    crm.log_message(replied.id, "Thanks, tell me more", received=True)
    # Day 0 + 3 years + 1 day: by hand, Sam, Chloe and Lea expired on 2029-03-02 09:00;
    # Rita expires on 2029-09-18 09:00 (day 200 + 3 years); Carl is a customer.
    clock.now = datetime(2029, 3, 3, 9, 0, tzinfo=UTC)
    dry = purge_expired(crm, dry_run=True)
    assert sorted(r.name for r in dry.erased) == ["Chased Chloe", "Lost Lea", "Silent Sam"]
    assert crm.repository.get(silent.id) is not None  # a dry run erases nothing
    report = purge_expired(crm)
    assert sorted(r.name for r in report.erased) == ["Chased Chloe", "Lost Lea", "Silent Sam"]
    for gone in (silent, chased, lost):
        assert crm.repository.get(gone.id) is None
        assert crm.repository.events(gone.id) == []
    assert crm.repository.get(replied.id) is not None
    assert crm.repository.get(customer.id) is not None
    # idempotent: nothing left to purge
    assert purge_expired(crm).erased == []
    # the day before Rita's expiry she is due, not expired
    clock.now = datetime(2029, 9, 17, 9, 0, tzinfo=UTC)
    assert [r.name for r in due(crm, within="30d")] == ["Replied Rita"]
    assert expired(crm) == []
    clock.now = datetime(2029, 9, 18, 9, 0, tzinfo=UTC)
    assert [r.name for r in purge_expired(crm).erased] == ["Replied Rita"]
    assert [p.name for p in crm.query()] == ["Customer Carl"]


def test_inbound_comment_and_meeting_restart_the_clock(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Ana", emails=["ana@example.fr"])
    clock.advance(days=10)
    crm.log_interaction(p.id, "like", inbound=True)  # a like is not a contact
    crm.log_interaction(p.id, "meeting", inbound=True)
    (r,) = due(crm, within="4y")
    assert r.last_inbound_at == T0 + timedelta(days=10)
    assert r.expires_at == add_duration(T0 + timedelta(days=10), THREE_YEARS)
    assert r.anchor == "their last contact"


def test_retention_period_is_per_pipeline(crm: CRM, clock: FrozenClock) -> None:
    configure(crm, {"retention": "18m"})
    crm.add("Short Stay")
    crm.create_pipeline("other")
    other = CRM(crm.repository, crm.plugin_manager, clock=clock, pipeline="other")
    other.add("Long Stay")
    clock.now = datetime(2027, 9, 3, tzinfo=UTC)
    assert [r.name for r in expired(crm, all_pipelines=True)] == ["Short Stay"]
    assert [r.name for r in expired(other)] == []


# ----------------------------------------------------------------- the clock's property

_OTHER_PAYLOADS: list[Payload] = [
    MessageSent("hi"),
    Interaction("view"),
    Interaction("comment"),
    Interaction("like", inbound=True),
    Interaction("view", inbound=True),
    Interaction("follow", inbound=True),
    Note("called"),
    Edited(changes={"title": ["a", "b"]}),
    NoticeGiven(channel="email"),
    Created(),
]
_INBOUND_PAYLOADS: list[Payload] = [
    MessageReceived("yes"),
    Interaction("comment", inbound=True),
    Interaction("mention", inbound=True),
    Interaction("meeting", inbound=True),
]

_steps = st.lists(
    st.tuples(st.integers(0, 2000), st.sampled_from(_OTHER_PAYLOADS + _INBOUND_PAYLOADS)),
    max_size=25,
)


def _prospect() -> Prospect:
    return Prospect(
        id="01AAAAAAAAAAAAAAAAAAAAAAAA",
        name="P",
        source=Source(collected_at=T0),
        created_at=T0,
        updated_at=T0,
    )


@settings(max_examples=200, deadline=None)
@given(_steps, st.sampled_from(_OTHER_PAYLOADS + _INBOUND_PAYLOADS), st.integers(0, 3000))
def test_retention_moves_only_on_prospect_initiated_events(
    steps: list[tuple[int, Payload]], extra: Payload, extra_day: int
) -> None:
    p = _prospect()
    events = [
        Event(id=f"E{i:025d}", prospect_id=p.id, at=T0 + timedelta(days=d), payload=payload)
        for i, (d, payload) in enumerate(steps)
    ]
    before = retention_of(p, events, THREE_YEARS)
    inbound = [e.at for e in events if prospect_initiated(e)]
    assert before.expires_at == add_duration(max([T0, *inbound]), THREE_YEARS)
    new = Event(
        id="E" + "9" * 25, prospect_id=p.id, at=T0 + timedelta(days=extra_day), payload=extra
    )
    after = retention_of(p, [*events, new], THREE_YEARS)
    if any(extra is x for x in _INBOUND_PAYLOADS):
        assert after.expires_at == add_duration(max(before_anchor(before), new.at), THREE_YEARS)
    else:
        assert after.expires_at == before.expires_at


def before_anchor(r: object) -> datetime:
    from socialcrm.privacy.retention import Retention

    assert isinstance(r, Retention)
    return max(r.collected_at, r.last_inbound_at or r.collected_at)
