"""A prospect's journey: the events the reports replay, one compact item each (issue 24).

The reports (funnel, outreach, goals, the HTML page) replay every prospect's
creation, stage and status changes, merges, messages and sequence enrolments;
building 300,000 event models for them at 30,000 prospects took seconds.  A
journey keeps just those events, oldest first, each as a short list::

    [at, id, "c", stage, status]        created
    [at, id, "g", from_stage, to_stage] stage changed
    [at, id, "t", from, to, reason]     status changed (won, lost, reopened)
    [at, id, "m"]                       another prospect merged in
    [at, id, "s", network]              message sent
    [at, id, "r", network]              message received
    [at, id, "e", sequence]             enrolled in a sequence
    [at, id, "x"]                       sequence stopped

``at`` is the event's ISO time (UTC).  A store may keep each prospect's
journey beside its summary (:class:`KeepsJourneys`, changed in the write
transaction); the reports otherwise compute it from the models
(:func:`journey_of`) — the same lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from socialcrm.models import (
    Created,
    Merged,
    MessageReceived,
    MessageSent,
    SequenceEnrolled,
    SequenceStopped,
    StageChanged,
    StatusChanged,
)
from socialcrm.summary import Summary, key, later

if TYPE_CHECKING:
    from socialcrm.models import Event
    from socialcrm.repository import Query

__all__ = ["Item", "KeepsJourneys", "add", "item_of", "journey_of"]

#: One event of a journey: ``[at, id, code, …]`` (see the module's table).
Item = list[Any]


def item_of(event: Event) -> Item | None:
    """``event`` as a journey item, or ``None`` when the reports do not replay it."""
    head = [event.at.isoformat(), event.id]
    p = event.payload
    if isinstance(p, Created):
        return [*head, "c", p.stage.value, p.status.value]
    if isinstance(p, StageChanged):
        return [*head, "g", p.from_stage.value, p.to_stage.value]
    if isinstance(p, StatusChanged):
        return [*head, "t", p.from_status.value, p.to_status.value, p.reason]
    if isinstance(p, Merged):
        return [*head, "m"]
    if isinstance(p, MessageSent):
        return [*head, "s", p.network]
    if isinstance(p, MessageReceived):
        return [*head, "r", p.network]
    if isinstance(p, SequenceEnrolled):
        return [*head, "e", p.sequence]
    if isinstance(p, SequenceStopped):
        return [*head, "x"]
    return None


def journey_of(events: Iterable[Event]) -> list[Item]:
    """The journey of a whole history (any order), oldest first."""
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    return [item for item in map(item_of, ordered) if item is not None]


def add(journey: list[Item], item: Item) -> None:
    """Put ``item`` in its place in ``journey`` (at the end, nearly always)."""
    if not journey or later(item, journey[-1]):
        journey.append(item)
        return
    journey.append(item)
    journey.sort(key=key)


@runtime_checkable
class KeepsJourneys(Protocol):
    """Optional for a backend keeping summaries: keep each prospect's journey too."""

    def journeys(self, query: Query) -> Iterator[tuple[str, Summary, list[Item]]]:
        """``(id, summary, journey)`` of the prospects passing
        :func:`socialcrm.summary.matches`, in any order."""
        ...
