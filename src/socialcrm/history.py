"""Facts derived from a prospect's events: stage history, time in stage, last contact.

Nothing here is stored: the event log is the single source of truth, so these
views can never disagree with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from socialcrm.models import Created, Event, EventKind, StageChanged
from socialcrm.stages import Stage
from socialcrm.value import Value

__all__ = ["StageSpan", "last_contact", "last_event_of", "stage_spans", "time_in_stages"]

CONTACT_KINDS = frozenset(
    {EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED, EventKind.INTERACTION}
)


@frozen(repr=False, eq=False)
class StageSpan(Value):
    """A period spent in one stage; ``end`` is ``None`` for the current stage."""

    stage: Stage
    start: datetime
    end: datetime | None

    def duration(self, now: datetime) -> timedelta:
        return (self.end or now) - self.start


def _ordered(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=lambda e: (e.at, e.id))


def stage_spans(events: Sequence[Event]) -> list[StageSpan]:
    """Successive stages from the creation event and every stage change."""
    spans: list[StageSpan] = []
    for event in _ordered(events):
        payload = event.payload
        if isinstance(payload, Created):
            spans = [StageSpan(payload.stage, event.at, None)]
        elif isinstance(payload, StageChanged) and spans:
            last = spans[-1]
            spans[-1] = StageSpan(last.stage, last.start, event.at)
            spans.append(StageSpan(payload.to_stage, event.at, None))
    return spans


def time_in_stages(events: Sequence[Event], now: datetime) -> dict[Stage, timedelta]:
    """Total time spent in each stage up to ``now`` (a stage may be visited twice)."""
    totals: dict[Stage, timedelta] = {}
    for span in stage_spans(events):
        totals[span.stage] = totals.get(span.stage, timedelta()) + span.duration(now)
    return totals


def last_event_of(events: Iterable[Event], kinds: Iterable[EventKind]) -> Event | None:
    """The most recent event whose kind is in ``kinds``."""
    wanted = frozenset(kinds)
    matching = [e for e in events if e.kind in wanted]
    return _ordered(matching)[-1] if matching else None


def last_contact(events: Iterable[Event]) -> datetime | None:
    """When the rep and the prospect last interacted (message either way or signal)."""
    event = last_event_of(events, CONTACT_KINDS)
    return event.at if event else None
