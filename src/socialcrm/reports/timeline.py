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

from socialcrm.journey import Item, journey_of
from socialcrm.models import Event
from socialcrm.stages import STAGE_OF, STATUS_OF, Stage, Status

__all__ = ["Closing", "Track", "Visit", "replay", "replay_journey"]


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
    #: messages sent (``"s"``) and received (``"r"``), oldest first, as journey items
    messages: list[Item] = field(factory=list)
    stage: Stage | None = None  # where the replay ends (a closed prospect has no open visit)

    def first_message(self) -> datetime | None:
        return datetime.fromisoformat(self.messages[0][0]) if self.messages else None


_MESSAGES = ("s", "r")


def _kept_state(
    journey: Sequence[Item], after: int, final: tuple[Stage, Status] | None
) -> tuple[Stage | None, Status | None]:
    stage = status = None
    for item in journey[after + 1 :]:
        if stage is None and item[2] == "g":
            stage = STAGE_OF[item[3]]
        if status is None and item[2] == "t":
            status = STATUS_OF[item[3]]
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
    """Replay ``events`` (any order) up to ``end`` inclusive (:func:`replay_journey`)."""
    return replay_journey(journey_of(events), end, final)


def replay_journey(
    journey: Sequence[Item], end: datetime, final: tuple[Stage, Status] | None = None
) -> Track:
    """Replay a journey (:mod:`socialcrm.journey`, oldest first) up to ``end`` inclusive.

    ``final`` is the prospect's stored stage and status (for merged prospects).
    """
    track = Track()
    current: Stage | None = None
    for index, item in enumerate(journey):
        at = datetime.fromisoformat(item[0])
        if at > end:
            break
        code = item[2]
        if code in _MESSAGES:  # the most frequent
            track.messages.append(item)
        elif code == "m":
            stage, status = _kept_state(journey, index, final)
            _join(track, at, stage, status)
            current = stage or current
        elif code == "c":
            if track.created is None:
                track.created, current = at, STAGE_OF[item[3]]
                track.status = STATUS_OF[item[4]]
                if track.status is Status.OPEN:
                    track.visits.append(Visit(current, at))
        elif code == "g":
            came, went = STAGE_OF[item[3]], STAGE_OF[item[4]]
            if current is None or came is not current:
                continue
            current = went
            if track.status is Status.OPEN and track.visits and track.visits[-1].end is None:
                last = track.visits[-1]
                last.end = at
                last.exit = "forward" if went > came else "back"
                track.visits.append(Visit(went, at))
        elif code == "t":
            came_status, to = STATUS_OF[item[3]], STATUS_OF[item[4]]
            if current is None or came_status is not track.status:
                continue
            track.status = to
            if to is Status.OPEN:
                track.visits.append(Visit(current, at))
                continue
            if track.visits and track.visits[-1].end is None:
                track.visits[-1].end = at
                track.visits[-1].exit = to.value
            track.closings.append(Closing(at, to, item[5]))
    track.stage = current
    return track
