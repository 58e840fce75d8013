"""One prospect's life replayed from its events: stage visits, closings, messages.

A *visit* is a stretch of time in one stage while the prospect is open.  It
starts at creation, at a stage change into the stage, or when a closed
prospect is reopened; it ends with a stage change (``forward`` or ``back``,
forced or not), or when the prospect is won or lost there.  A merged
prospect carries the events of both records: the replay starts at the
earliest creation and skips any stage or status change that does not start
from the stage or status the replay is in (those belonged to the other
record's own path); at the merge it takes the kept record's stage and status
(the ``from`` of the next change after the merge, else the prospect's own),
so the replay ends where the prospect is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import define, field

from socialcrm.models import (
    Created,
    Event,
    Merged,
    MessageReceived,
    MessageSent,
    StageChanged,
    StatusChanged,
)
from socialcrm.stages import Stage, Status

__all__ = ["Closing", "Track", "Visit", "replay"]


@define
class Visit:
    """Time in one stage; ``end`` is ``None`` while the prospect is still there."""

    stage: Stage
    start: datetime
    end: datetime | None = None
    exit: str | None = None  # "forward", "back", "won", "lost"


@define
class Closing:
    """The prospect was won or lost (``reason`` for a loss)."""

    at: datetime
    status: Status
    reason: str | None


@define
class Track:
    """What the reports need of one prospect up to the end of the period."""

    created: datetime | None = None
    visits: list[Visit] = field(factory=list)
    closings: list[Closing] = field(factory=list)
    status: Status = Status.OPEN
    messages: list[Event] = field(factory=list)  # sent and received, oldest first
    stage: Stage | None = None  # where the replay ends (a closed prospect has no open visit)

    def first_message(self) -> datetime | None:
        return self.messages[0].at if self.messages else None


def _kept_state(
    ordered: Sequence[Event], after: int, final: tuple[Stage, Status] | None
) -> tuple[Stage | None, Status | None]:
    stage = status = None
    for event in ordered[after + 1 :]:
        payload = event.payload
        if stage is None and isinstance(payload, StageChanged):
            stage = payload.from_stage
        if status is None and isinstance(payload, StatusChanged):
            status = payload.from_status
    if final is not None:
        stage, status = stage or final[0], status or final[1]
    return stage, status


def _join(track: Track, at: datetime, stage: Stage | None, status: Status | None) -> None:
    """At a merge, continue from the kept record's stage and status."""
    last = track.visits[-1] if track.visits else None
    if status is not None and status is not track.status:
        track.status = status
        if status is Status.OPEN and stage is not None:
            track.visits.append(Visit(stage, at))
        elif last is not None and last.end is None:
            last.end, last.exit = at, status.value
        return
    if stage is not None and last is not None and last.end is None and last.stage is not stage:
        last.end, last.exit = at, "forward" if stage > last.stage else "back"
        track.visits.append(Visit(stage, at))


def replay(
    events: Sequence[Event], end: datetime, final: tuple[Stage, Status] | None = None
) -> Track:
    """Replay ``events`` (any order) up to ``end`` inclusive.

    ``final`` is the prospect's stored stage and status (for merged prospects).
    """
    track = Track()
    current: Stage | None = None
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    for index, event in enumerate(ordered):
        if event.at > end:
            break
        payload = event.payload
        if isinstance(payload, Merged):
            stage, status = _kept_state(ordered, index, final)
            _join(track, event.at, stage, status)
            current = stage or current
            continue
        if isinstance(payload, Created):
            if track.created is None:
                track.created, current = event.at, payload.stage
                track.status = payload.status
                if payload.status is Status.OPEN:
                    track.visits.append(Visit(payload.stage, event.at))
        elif isinstance(payload, StageChanged):
            if current is None or payload.from_stage is not current:
                continue
            current = payload.to_stage
            if track.status is Status.OPEN and track.visits and track.visits[-1].end is None:
                last = track.visits[-1]
                last.end = event.at
                last.exit = "forward" if payload.to_stage > payload.from_stage else "back"
                track.visits.append(Visit(payload.to_stage, event.at))
        elif isinstance(payload, StatusChanged):
            if current is None or payload.from_status is not track.status:
                continue
            track.status = payload.to_status
            if payload.to_status is Status.OPEN:
                track.visits.append(Visit(current, event.at))
                continue
            if track.visits and track.visits[-1].end is None:
                track.visits[-1].end = event.at
                track.visits[-1].exit = payload.to_status.value
            track.closings.append(Closing(event.at, payload.to_status, payload.reason))
        elif isinstance(payload, MessageSent | MessageReceived):
            track.messages.append(event)
    track.stage = current
    return track
