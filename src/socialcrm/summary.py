"""A prospect's summary: what whole-pipeline views need, kept beside the record (issue 23).

``today`` looked at every prospect's record and events (30,000 prospects: 3.6 s,
35 times the libraries' own start-up); the rep's morning command must not
rebuild the pipeline.  A summary is one small JSON document per prospect:

* from the record (:func:`of_prospect`): pipeline, name, stage, status, owner,
  whether a point of interest is known, the dates, where it came from (the
  source's network and note), and a card's fields (company, networks, tags,
  score, kind);
* from the events (:class:`EventsSummary`), a fold that needs no other event:
  when the current stage began (``cr``: the last creation, ``sg``: the last
  stage change after it), the last message each way (``rx``, with the reply's
  first words; ``tx``), the newest inbound interaction of each type (``ib``:
  retention), the latest sequence enrolment (``sq``) with the messages and stop
  that follow it (``sa``), and the newest event folded (``hi``).

The meaning is the core's (this module, and the features reading it); keeping
one summary per prospect, changed in the same transaction as the prospect or
its events, is the store's (:class:`KeepsSummaries`).  A store without summaries
gets them computed from the models (:func:`summaries`): the same documents,
which is what tests compare after random operations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from socialcrm.models import (
    Created,
    Interaction,
    MessageReceived,
    MessageSent,
    SequenceEnrolled,
    SequenceStopped,
    StageChanged,
)

if TYPE_CHECKING:
    from socialcrm.models import Event, Prospect
    from socialcrm.repository import Query, Repository

__all__ = [
    "EXCERPT",
    "EventsSummary",
    "KeepsSummaries",
    "Summary",
    "key",
    "later",
    "matches",
    "of_prospect",
    "reindex",
    "summaries",
    "summary_of",
    "utc_text",
]

#: A summary document (JSON: strings, numbers, lists, objects).
Summary = dict[str, Any]
#: Characters of a received message kept (whitespace folded): one more than the
#: agenda's excerpt shows, so it knows whether to cut.
EXCERPT = 61
#: Event kinds that end a sequence's replay (:func:`socialcrm.playbook.sequences.progress`).
_ENDS = ("message_received", "sequence_stopped")


def key(item: list[Any]) -> tuple[datetime, str]:
    """The order key ``(at, id)`` of a stored ``[at, id, …]`` item."""
    return datetime.fromisoformat(item[0]), item[1]


def utc_text(text: str) -> bool:
    """Whether ``text`` is a UTC time as the store writes it (``isoformat()``), whose
    text sorts as time: ``…:05+00:00`` < ``…:05.000001+00:00``."""
    return len(text) in (25, 32) and text.endswith("+00:00")


def later(a: list[Any], b: list[Any]) -> bool:
    """Whether the stored item ``a`` (``[at, id, …]``) comes after ``b``.

    Compared as text when both times are as the store writes them
    (:func:`utc_text`), else parsed.
    """
    if utc_text(a[0]) and utc_text(b[0]):
        return (a[0], a[1]) > (b[0], b[1])
    return key(a) > key(b)


def _item(event: Event, *rest: Any) -> list[Any]:
    return [event.at.isoformat(), event.id, *rest]


def of_prospect(p: Prospect) -> Summary:
    """The record's part of ``p``'s summary (empty values left out)."""
    found: Summary = {
        "pl": p.pipeline,
        "n": p.name,
        "s": p.stage.value,
        "st": p.status.value,
        "c": p.created_at.isoformat(),
        "u": p.updated_at.isoformat(),
    }
    optional = {
        "o": p.owner,
        "poi": p.point_of_interest is not None or None,
        "sc": p.source.collected_at.isoformat() if p.source and p.source.collected_at else None,
        "src": [p.source.network, p.source.note] if p.source else None,
        "co": p.company,
        "nw": [i.network for i in p.identities] or None,
        "tg": list(p.tags) or None,
        "sco": p.assessment.score if p.assessment else None,
        "org": p.is_organisation or None,
    }
    found.update((k, v) for k, v in optional.items() if v is not None)
    return found


class EventsSummary:
    """The events' part of a summary, folded one event at a time, oldest first.

    :meth:`add` folds the newest event, and most older ones in place (an import
    of past messages into existing prospects appends nothing but older events);
    it refuses (returns ``False``) the few whose place needs the other events:
    the caller then folds the whole history again (:meth:`of`).
    """

    def __init__(self, doc: Mapping[str, Any] | None = None) -> None:
        # copied: the caller's document stays as it was
        self.doc: Summary = {
            k: list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
            for k, v in (doc or {}).items()
        }

    @classmethod
    def of(cls, events: Iterable[Event]) -> EventsSummary:
        """The summary of a whole history (any order)."""
        folded = cls()
        for event in sorted(events, key=lambda e: (e.at, e.id)):
            folded.add(event)
        return folded

    def add(self, event: Event) -> bool:
        """Fold ``event`` in; ``False`` (nothing changed) if it needs the whole history."""
        doc = self.doc
        if "hi" in doc and (event.at, event.id) <= key(doc["hi"]):
            return self._add_older(event)
        doc["hi"] = _item(event)
        payload = event.payload
        if isinstance(payload, Created):
            doc["cr"] = event.at.isoformat()
            doc.pop("sg", None)  # a creation starts the stages over
        elif isinstance(payload, StageChanged):
            doc["sg"] = event.at.isoformat()
        elif isinstance(payload, MessageReceived):
            doc["rx"] = _item(event, " ".join(payload.text.split())[:EXCERPT])
        elif isinstance(payload, MessageSent):
            doc["tx"] = _item(event)
        elif isinstance(payload, Interaction) and payload.inbound:
            doc.setdefault("ib", {})[payload.type] = event.at.isoformat()
        elif isinstance(payload, SequenceEnrolled):
            doc["sq"] = [event.at.isoformat(), payload.sequence]
            doc["sa"] = []
        self._after_enrolment(event)
        return True

    def _after_enrolment(self, event: Event) -> None:
        """Messages and stops after the latest enrolment, up to the first that ends it."""
        after = self.doc.get("sa")
        if after is None or (after and after[-1][2] in _ENDS):
            return
        item = _sequence_item(event)
        if item is not None:
            after.append(item)

    def _add_older(self, event: Event) -> bool:
        """Fold in ``event``, older than the newest folded, where its place needs no
        other event: every field is a latest-of except what follows a creation (the
        stage's start) or an enrolment, whose times are kept without the event's id.

        Refused: a creation or an enrolment (they restart what follows them), an
        event already folded, and an event at the very time of the creation or
        enrolment it would follow or precede (the ids decide, and are not kept).
        """
        doc = self.doc
        at, payload = event.at, event.payload
        if (event.at, event.id) == key(doc["hi"]) or isinstance(
            payload, Created | SequenceEnrolled
        ):
            return False
        item = _sequence_item(event)
        enrolled = doc.get("sq")
        if enrolled is not None and item is not None and _at(enrolled[0]) == at:
            return False
        created = doc.get("cr")
        if isinstance(payload, StageChanged):
            if created is not None and _at(created) == at:
                return False
            if (created is None or _at(created) < at) and ("sg" not in doc or _at(doc["sg"]) < at):
                doc["sg"] = at.isoformat()
        elif isinstance(payload, MessageReceived):
            if "rx" not in doc or later(_item(event), doc["rx"]):
                doc["rx"] = _item(event, " ".join(payload.text.split())[:EXCERPT])
        elif isinstance(payload, MessageSent):
            if "tx" not in doc or later(_item(event), doc["tx"]):
                doc["tx"] = _item(event)
        elif isinstance(payload, Interaction) and payload.inbound:
            inbound = doc.setdefault("ib", {})
            if payload.type not in inbound or _at(inbound[payload.type]) < at:
                inbound[payload.type] = at.isoformat()
        after = doc.get("sa")
        if item is not None and after is not None and enrolled and _at(enrolled[0]) < at:
            if any(i[1] == event.id for i in after):
                return True  # folded already: as the whole fold, which keeps one of each
            after.append(item)
            after.sort(key=key)
            ends = next((n for n, i in enumerate(after) if i[2] in _ENDS), len(after))
            del after[ends + 1 :]
        return True


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _sequence_item(event: Event) -> list[Any] | None:
    """``event`` as an item of a sequence's replay (``sa``), if it is one."""
    payload = event.payload
    if isinstance(payload, MessageSent | MessageReceived):
        return _item(event, event.kind.value, payload.network, payload.channel)
    if isinstance(payload, SequenceStopped):
        return _item(event, event.kind.value, payload.reason)
    return None


def summary_of(p: Prospect, events: Iterable[Event]) -> Summary:
    """``p``'s whole summary computed from its record and every event."""
    return {**of_prospect(p), "e": EventsSummary.of(events).doc}


def matches(query: Query, s: Mapping[str, Any]) -> bool:
    """Whether a summary passes ``query``'s pipeline, stage, status and owner filters."""
    if s["pl"] != query.pipeline:
        return False
    if query.stage is not None and s["s"] != query.stage.value:
        return False
    if query.status is not None and s["st"] != query.status.value:
        return False
    if query.owner is not None:
        owner = s.get("o")
        return owner == query.owner or (query.unowned and owner is None)
    return True


@runtime_checkable
class KeepsSummaries(Protocol):
    """Optional for a backend: keep each prospect's :data:`Summary` with it.

    The summary changes in the transaction that changes its prospect or the
    prospect's events, and equals :func:`summary_of` over the record and the
    whole history at every commit (``doctor`` checks it).
    """

    def summaries(self, query: Query) -> Iterator[tuple[str, Summary]]:
        """``(id, summary)`` of the prospects passing :func:`matches`, in any order."""
        ...


def reindex(repository: Repository) -> int | None:
    """Recompute every summary the store keeps, in one commit; how many (``None``:
    this store keeps none: they are computed when read)."""
    rebuild = getattr(repository, "reindex", None)
    if not isinstance(repository, KeepsSummaries) or not callable(rebuild):
        return None
    return int(rebuild())


def summaries(
    repository: Repository, query: Query, *, replay: bool = False
) -> Iterator[tuple[str, Summary]]:
    """``(id, summary)`` of ``query``'s prospects (its pipeline, stage, status and
    owner filters), from the store when it keeps them, else (or with ``replay``)
    computed from the records and every event."""
    from attrs import evolve

    if not replay and isinstance(repository, KeepsSummaries):
        yield from repository.summaries(query)
        return
    whole = evolve(query, tag=None, network=None, text=None, min_score=None, limit=None)
    prospects = {p.id: p for p in repository.query(whole)}
    for pid, events in repository.events_for(list(prospects)):
        yield pid, summary_of(prospects[pid], events)
