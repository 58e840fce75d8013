"""The few events of a prospect that its agenda line depends on (issue 23).

``today`` looks at every prospect's events, but of a long history it reads
only: the last creation and the last stage change (when the current stage
began), the last message each way (a reply to answer), every inbound
interaction (contact initiated by the prospect restarts the retention clock),
and the latest sequence enrolment with the messages and stops after it (the
sequence's progress).  :func:`select` picks exactly those, so the agenda
computed over them equals the agenda computed over the whole history: a
store that holds event *documents* (TinyDB) builds models only for them
(:class:`~socialcrm.repository.SelectsEvents`), instead of 300,000 models at
30,000 prospects.  The choice is the core's; stores only apply it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialcrm.models import EventKind, Interaction

if TYPE_CHECKING:
    from socialcrm.models import Event
    from socialcrm.repository import Repository

__all__ = ["agenda_events", "agenda_events_for", "select", "select_docs"]

_CREATED = EventKind.CREATED.value
_STAGE = EventKind.STAGE_CHANGED.value
_SENT = EventKind.MESSAGE_SENT.value
_RECEIVED = EventKind.MESSAGE_RECEIVED.value
_ENROLLED = EventKind.SEQUENCE_ENROLLED.value
_STOPPED = EventKind.SEQUENCE_STOPPED.value
_INTERACTION = EventKind.INTERACTION.value
_LAST_ONLY = (_CREATED, _STAGE, _SENT, _RECEIVED)
_KINDS = frozenset(k.value for k in EventKind)
_AFTER_ENROLMENT = frozenset({_SENT, _RECEIVED, _STOPPED})

#: (order key, kind, inbound interaction) of one event.
Item = tuple[tuple[datetime, str], str, bool]


def select(items: Sequence[Item]) -> list[int]:
    """Indexes (ascending) of the events the agenda reads, from each event's key and kind."""
    order = sorted(range(len(items)), key=lambda i: items[i][0])
    last: dict[str, int] = {}
    enrolled = -1  # position in ``order`` of the latest enrolment
    keep: set[int] = set()
    for position, i in enumerate(order):
        _key, kind, inbound = items[i]
        if kind in _LAST_ONLY:
            last[kind] = i
        elif kind == _ENROLLED:
            enrolled = position
        elif inbound:
            keep.add(i)
    keep.update(last.values())
    if enrolled >= 0:
        keep.update(i for i in order[enrolled:] if items[i][1] in _AFTER_ENROLMENT)
        keep.add(order[enrolled])
    return sorted(keep)


def agenda_events(events: Sequence[Event]) -> list[Event]:
    """The agenda's events among ``events`` (models; for stores without documents)."""
    items = [
        (
            (e.at, e.id),
            e.kind.value,
            isinstance(e.payload, Interaction) and e.payload.inbound,
        )
        for e in events
    ]
    return [events[i] for i in select(items)]


def select_docs(docs: Sequence[Mapping[str, Any]]) -> list[int] | None:
    """:func:`select` over stored event documents; ``None`` when one is not as
    expected (the store then builds every model, and reports what is wrong)."""
    try:
        items = []
        for doc in docs:
            payload = doc["payload"]
            kind = payload["kind"]
            at = datetime.fromisoformat(doc["at"])
            if at.tzinfo is None or kind not in _KINDS or type(doc["id"]) is not str:
                return None  # an unknown kind is damage: building its model reports it
            inbound = kind == _INTERACTION and payload.get("inbound") is True
            items.append(((at, doc["id"]), kind, inbound))
    except (KeyError, TypeError, ValueError):
        return None
    return select(items)


def agenda_events_for(
    repository: Repository, prospect_ids: Sequence[str]
) -> Iterator[tuple[str, list[Event]]]:
    """``(id, the agenda's events)`` for each prospect, oldest first, in the store's order."""
    from socialcrm.repository import SelectsEvents

    if isinstance(repository, SelectsEvents):
        yield from repository.events_selected(prospect_ids, select_docs)
        return
    for pid, events in repository.events_for(prospect_ids):
        yield pid, agenda_events(events)
