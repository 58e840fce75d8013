"""The TinyDB store's summaries and journeys: two small documents per prospect.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`.  What they hold is
the core's (:mod:`socialcrm.summary`, :mod:`socialcrm.journey`); this module
keeps one of each per prospect, in the ``s-STAGE-XX`` and ``r-STAGE-XX`` files
beside the ``p-STAGE-XX`` file holding the prospect (so a stage's board reads
that stage's summaries only, and ``today`` no journey), and changes them in
the transaction that changes the prospect or its events:

* a prospect written: its record's part is replaced (the events' part kept;
  a new prospect has none yet);
* an event appended: folded in (:meth:`EventsSummary.add`: in place, unless an
  older event's place needs the others), else the events' part is folded
  again from the whole history; put in its place in the journey when the
  reports replay it;
* events moved (a merge) or removed, a prospect deleted: recomputed or removed.

``today`` and ``board`` then read the ``s-`` files only (issue 23), the reports
the ``s-`` and ``r-`` files (issue 24).  A store
written before them gets them from the schema 3 migration
(:mod:`socialcrm.storage.migrations`); ``doctor`` compares every summary with
one recomputed from the record and the events (:mod:`socialcrm.storage.consistency`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from socialcrm.journey import Item, add, item_of, journey_of
from socialcrm.storage import layout
from socialcrm.storage.generations import GenerationStore
from socialcrm.summary import EventsSummary, Summary, matches, of_prospect

if TYPE_CHECKING:
    from socialcrm.models import Event, Prospect
    from socialcrm.repository import Query

__all__ = ["JOURNEYS", "SUMMARIES", "Summaries"]

SUMMARIES = "summaries"
JOURNEYS = "journeys"


class Summaries:
    """The summary documents of one store.

    :param engine: the store's files.
    :param locate: the ``p-`` file holding a prospect (``None``: no such prospect);
        its summary is in the ``s-`` file of the same stage and shard.
    :param events: a prospect's whole history as this transaction sees it.
    """

    def __init__(
        self,
        engine: GenerationStore,
        locate: Callable[[str], str | None],
        events: Callable[[str], list[Event]],
    ) -> None:
        self._engine = engine
        self._locate = locate
        self._events = events

    @staticmethod
    def kept(pid: str, logical: str) -> tuple[tuple[str, str, str], ...]:
        """``(file, table, id)`` of the documents kept for ``pid``, held in ``logical``."""
        return (
            (layout.summary_file(logical), SUMMARIES, pid),
            (layout.journey_file(logical), JOURNEYS, pid),
        )

    def _doc(self, logical: str, pid: str) -> dict[str, Any] | None:
        return self._engine.doc(layout.summary_file(logical), SUMMARIES, pid)

    def _set(self, logical: str, pid: str, summary: Summary) -> None:
        self._engine.set_doc(layout.summary_file(logical), SUMMARIES, pid, summary)

    def _journey(self, logical: str, pid: str) -> list[Item] | None:
        found = self._engine.doc(layout.journey_file(logical), JOURNEYS, pid)
        return None if found is None else list(found["j"])

    def _set_journey(self, logical: str, pid: str, journey: list[Item]) -> None:
        self._engine.set_doc(layout.journey_file(logical), JOURNEYS, pid, {"j": journey})

    def _discard(self, logical: str, pid: str) -> None:
        self._engine.discard_doc(layout.summary_file(logical), SUMMARIES, pid)
        self._engine.discard_doc(layout.journey_file(logical), JOURNEYS, pid)

    def prospect_written(self, p: Prospect, logical: str, before: str | None) -> None:
        """``p`` was written to the ``p-`` file ``logical`` (from ``before``; ``None``:
        a new prospect, with no events yet): its record's part changes, and both
        documents move with it to another stage."""
        found = None if before is None else self._doc(before, p.id)
        if found is not None and "e" in found:
            events = found["e"]
        else:
            events = {} if before is None else EventsSummary.of(self._events(p.id)).doc
        summary = {**of_prospect(p), "e": events}
        if before is None:
            self._set_journey(logical, p.id, [])
        elif before != logical:
            journey = self._journey(before, p.id)
            self._discard(before, p.id)
            self._set_journey(
                logical, p.id, journey_of(self._events(p.id)) if journey is None else journey
            )
        elif summary == found:
            return
        self._set(logical, p.id, summary)

    def event_appended(self, event: Event) -> None:
        """``event`` was appended to its prospect's history (already in the transaction)."""
        pid = event.prospect_id
        logical = self._locate(pid)
        found = None if logical is None else self._doc(logical, pid)
        if logical is None or found is None:
            return  # no prospect (yet): its events are folded when it is written
        folded = EventsSummary(found.get("e"))
        if not folded.add(event):
            folded = EventsSummary.of(self._events(pid))
        self._set(logical, pid, {**found, "e": folded.doc})
        item = item_of(event)
        if item is not None:
            journey = self._journey(logical, pid)
            if journey is None:
                journey = journey_of(self._events(pid))
            else:
                add(journey, item)
            self._set_journey(logical, pid, journey)

    def events_changed(self, pid: str) -> None:
        """``pid``'s history changed other than by an append: fold it again."""
        logical = self._locate(pid)
        found = None if logical is None else self._doc(logical, pid)
        if logical is not None and found is not None:
            events = self._events(pid)
            self._set(logical, pid, {**found, "e": EventsSummary.of(events).doc})
            self._set_journey(logical, pid, journey_of(events))

    def removed(self, pid: str, logical: str) -> None:
        """The prospect in the ``p-`` file ``logical`` was deleted."""
        self._discard(logical, pid)

    def clear(self) -> None:
        """Remove every summary and journey (before :meth:`rebuild`: none of a deleted
        prospect stays)."""
        for prefix, table in (("s-", SUMMARIES), ("r-", JOURNEYS)):
            for logical in self._engine.logicals(prefix):
                for pid in list(self._engine.view(logical, cache=False).get(table, {})):
                    self._engine.discard_doc(logical, table, pid)

    def rebuild(
        self,
        prospects: Iterable[tuple[Prospect, str]],
        events_for: Callable[[list[str]], Iterable[tuple[str, list[Event]]]],
    ) -> int:
        """Write the summary and journey of every ``(prospect, its p- file)``; how many.

        The records' parts first, then the histories events file by events file
        (``events_for``): one prospect at a time would read an events file each.
        """
        records = {p.id: (of_prospect(p), logical) for p, logical in prospects}
        count = len(records)
        for pid, events in events_for(list(records)):
            record, logical = records.pop(pid)
            self._set(logical, pid, {**record, "e": EventsSummary.of(events).doc})
            self._set_journey(logical, pid, journey_of(events))
        return count

    def read(self, query: Query) -> Iterator[tuple[str, Summary]]:
        """``(id, summary)`` of ``query``'s prospects, one ``s-`` file at a time (only
        its stage's with a stage filter; the caller holds the lock; files are not
        kept in the cache)."""
        for logical in self._summary_files(query):
            docs = self._engine.view(logical, cache=False).get(SUMMARIES, {})
            for pid, summary in docs.items():
                if matches(query, summary):
                    yield pid, summary

    def _summary_files(self, query: Query) -> list[str]:
        return self._engine.logicals("s-" if query.stage is None else f"s-{query.stage.value}-")

    def read_journeys(self, query: Query) -> Iterator[tuple[str, Summary, list[Item]]]:
        """``(id, summary, journey)`` of ``query``'s prospects, a stage and shard at a
        time (as :meth:`read`)."""
        for logical in self._summary_files(query):
            docs = self._engine.view(logical, cache=False).get(SUMMARIES, {})
            kept = self._engine.view(layout.journey_file(logical), cache=False).get(JOURNEYS, {})
            for pid, summary in docs.items():
                if matches(query, summary):
                    yield pid, summary, kept[pid]["j"] if pid in kept else []
