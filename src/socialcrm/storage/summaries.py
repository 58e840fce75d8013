"""The TinyDB store's summaries: one small document per prospect, in ``s-`` files.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`.  What a summary
holds is the core's (:mod:`socialcrm.summary`); this module keeps one per
prospect, in the ``s-STAGE-XX`` file beside the ``p-STAGE-XX`` file holding the
prospect (so a stage's board reads that stage's summaries only), and changes it
in the transaction that changes the prospect or its events:

* a prospect written: its record's part is replaced (the events' part kept;
  a new prospect has none yet);
* an event appended: folded in when it is the newest (nearly always), else the
  events' part is folded again from the whole history;
* events moved (a merge) or removed, a prospect deleted: recomputed or removed.

``today`` and ``board`` then read the ``s-`` files only (issue 23).  A store
written before them gets them from the schema 3 migration
(:mod:`socialcrm.storage.migrations`); ``doctor`` compares every summary with
one recomputed from the record and the events (:mod:`socialcrm.storage.consistency`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from socialcrm.storage import layout
from socialcrm.storage.generations import GenerationStore
from socialcrm.summary import EventsSummary, Summary, matches, of_prospect

if TYPE_CHECKING:
    from socialcrm.models import Event, Prospect
    from socialcrm.repository import Query

__all__ = ["SUMMARIES", "Summaries"]

SUMMARIES = "summaries"


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

    def _doc(self, logical: str, pid: str) -> dict[str, Any] | None:
        return self._engine.doc(layout.summary_file(logical), SUMMARIES, pid)

    def _set(self, logical: str, pid: str, summary: Summary) -> None:
        self._engine.set_doc(layout.summary_file(logical), SUMMARIES, pid, summary)

    def prospect_written(self, p: Prospect, logical: str, before: str | None) -> None:
        """``p`` was written to the ``p-`` file ``logical`` (from ``before``; ``None``:
        a new prospect, with no events yet): its record's part changes."""
        found = None if before is None else self._doc(before, p.id)
        if found is not None and "e" in found:
            events = found["e"]
        else:
            events = {} if before is None else EventsSummary.of(self._events(p.id)).doc
        summary = {**of_prospect(p), "e": events}
        if before is not None and before != logical:
            self._engine.discard_doc(layout.summary_file(before), SUMMARIES, p.id)
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

    def events_changed(self, pid: str) -> None:
        """``pid``'s history changed other than by an append: fold it again."""
        logical = self._locate(pid)
        found = None if logical is None else self._doc(logical, pid)
        if logical is not None and found is not None:
            self._set(logical, pid, {**found, "e": EventsSummary.of(self._events(pid)).doc})

    def removed(self, pid: str, logical: str) -> None:
        """The prospect in the ``p-`` file ``logical`` was deleted."""
        self._engine.discard_doc(layout.summary_file(logical), SUMMARIES, pid)

    def clear(self) -> None:
        """Remove every summary (before :meth:`rebuild`: none of a deleted prospect stays)."""
        for logical in self._engine.logicals("s-"):
            for pid in list(self._engine.view(logical, cache=False).get(SUMMARIES, {})):
                self._engine.discard_doc(logical, SUMMARIES, pid)

    def rebuild(
        self,
        prospects: Iterable[tuple[Prospect, str]],
        events_for: Callable[[list[str]], Iterable[tuple[str, list[Event]]]],
    ) -> int:
        """Write the summary of every ``(prospect, its p- file)``; how many.

        The records' parts first, then the histories events file by events file
        (``events_for``): one prospect at a time would read an events file each.
        """
        records = {p.id: (of_prospect(p), logical) for p, logical in prospects}
        count = len(records)
        for pid, events in events_for(list(records)):
            record, logical = records.pop(pid)
            self._set(logical, pid, {**record, "e": EventsSummary.of(events).doc})
        return count

    def read(self, query: Query) -> Iterator[tuple[str, Summary]]:
        """``(id, summary)`` of ``query``'s prospects, one ``s-`` file at a time (only
        its stage's with a stage filter; the caller holds the lock; files are not
        kept in the cache)."""
        stage = "s-" if query.stage is None else f"s-{query.stage.value}-"
        for logical in self._engine.logicals(stage):
            docs = self._engine.view(logical, cache=False).get(SUMMARIES, {})
            for pid, summary in docs.items():
                if matches(query, summary):
                    yield pid, summary
