"""The SQL store's summaries and journeys: one ``socialcrm_summaries`` row per prospect.

What a row holds is the core's (:mod:`socialcrm.summary`, :mod:`socialcrm.journey`),
as in the TinyDB store (:mod:`socialcrm.storage.summaries`); this module keeps
the rows, in the transaction that changes their inputs (issue 23):

* prospects written: each one's record part replaced, its events' part and
  journey kept (a prospect without a row yet gets them from its events in the
  database: none for a new one, those appended earlier in the transaction
  otherwise);
* events appended: folded in (:meth:`EventsSummary.add`, in place), or, for
  the few whose place needs the others, folded again from the whole history;
* events moved (a merge): both prospects folded again; a prospect deleted:
  its row goes with it (``delete`` and the foreign key's cascade).

The rows are locked (``FOR UPDATE`` on PostgreSQL) before they are changed, so
two reps' writes to one prospect fold one after the other; the prospect's own
row lock already orders them whenever the CRM read it first.  ``today``,
``board`` and the reports then read these rows only — one rep's through the
``(pipeline, owner)`` index — instead of every prospect's model and events.
``doctor`` compares each row with one recomputed (:mod:`.doctor`);
``socialcrm reindex`` recomputes them all (:func:`rebuild`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, insert, select, update

from socialcrm.journey import Item, add, item_of, journey_of
from socialcrm.storage.sql.connections import chunks
from socialcrm.storage.sql.filters import where_query
from socialcrm.storage.sql.rows import event_from_doc, prospect_from_doc
from socialcrm.storage.sql.schema import events, prospects, summaries
from socialcrm.summary import EventsSummary, Summary, matches, of_prospect, summary_of

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection

    from socialcrm.models import Event, Prospect
    from socialcrm.repository import Query

__all__ = [
    "Locking",
    "events_appended",
    "events_changed",
    "expected_rows",
    "fill",
    "prospects_written",
    "read",
    "rebuild",
    "row_of",
]

#: ``stmt`` made to lock the rows it returns (or left as it is, outside a write).
Locking = Callable[["Select[Any]"], "Select[Any]"]


def row_of(pid: str, summary: Summary, journey: list[Item]) -> dict[str, Any]:
    """The row of one prospect: its summary and journey, and the columns copied out
    of the summary for the database to filter on."""
    return {
        "prospect_id": pid,
        "pipeline": summary["pl"],
        "stage": summary["s"],
        "status": summary["st"],
        "owner": summary.get("o"),
        "summary": summary,
        "journey": journey,
    }


#: ``id -> (summary, journey)`` of the rows found.
_Kept = dict[str, tuple[Summary, list[Item]]]


def _kept(conn: Connection, ids: list[str], lock: Locking) -> _Kept:
    """The rows of ``ids`` that exist, locked."""
    found: _Kept = {}
    for chunk in chunks(ids):
        stmt = select(summaries.c.prospect_id, summaries.c.summary, summaries.c.journey)
        rows: Any = conn.execute(lock(stmt.where(summaries.c.prospect_id.in_(chunk))))
        found.update((pid, (summary, list(journey))) for pid, summary, journey in rows)
    return found


#: The columns a change rewrites (every one but the key).
_CHANGED = ("pipeline", "stage", "status", "owner", "summary", "journey")


def _update(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Rewrite existing rows (:func:`row_of`); bound as ``b_<column>``, since SQLAlchemy
    keeps a column's own name for its ``SET`` value."""
    if rows:
        conn.execute(
            update(summaries)
            .where(summaries.c.prospect_id == bindparam("b_prospect_id"))
            .values({name: bindparam(f"b_{name}") for name in _CHANGED}),
            [{f"b_{name}": value for name, value in row.items()} for row in rows],
        )


def prospects_written(conn: Connection, batch: list[Prospect], lock: Locking) -> None:
    """``batch`` (each prospect once) was written: replace each one's record part."""
    kept = _kept(conn, [p.id for p in batch], lock)
    changed, new = [], {}
    for p in batch:
        found = kept.get(p.id)
        if found is None:
            new[p.id] = p
            continue
        summary = {**of_prospect(p), "e": found[0].get("e", {})}
        if summary != found[0]:
            changed.append(row_of(p.id, summary, found[1]))
    _update(conn, changed)
    if new:
        rows = [
            row_of(pid, summary_of(new[pid], history), journey_of(history))
            for pid, history in _histories(conn, list(new))
        ]
        conn.execute(insert(summaries), rows)


def events_appended(conn: Connection, batch: list[Event], lock: Locking) -> None:
    """``batch`` was appended (already in the transaction): fold each prospect's in."""
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in batch:
        grouped[event.prospect_id].append(event)
    kept = _kept(conn, list(grouped), lock)
    changed, again = [], []
    for pid, (summary, journey) in kept.items():
        folded = EventsSummary(summary.get("e"))
        mine = sorted(grouped[pid], key=lambda e: (e.at, e.id))
        if not all(folded.add(e) for e in mine):
            again.append(pid)
            continue
        for item in filter(None, map(item_of, mine)):
            add(journey, item)
        changed.append(row_of(pid, {**summary, "e": folded.doc}, journey))
    _update(conn, changed)
    events_changed(conn, again, lock, kept=kept)


def events_changed(
    conn: Connection,
    ids: list[str],
    lock: Locking,
    *,
    kept: _Kept | None = None,
) -> None:
    """The histories of ``ids`` changed other than by appends: fold them again."""
    if not ids:
        return
    found = _kept(conn, ids, lock) if kept is None else kept
    rows = [
        row_of(pid, {**found[pid][0], "e": EventsSummary.of(history).doc}, journey_of(history))
        for pid, history in _histories(conn, [i for i in ids if i in found])
    ]
    _update(conn, rows)


def read(conn: Connection, query: Query, *, journeys: bool = False) -> Iterator[Any]:
    """``(id, summary[, journey])`` of the prospects passing :func:`matches`, streamed."""
    columns = [summaries.c.prospect_id, summaries.c.summary]
    if journeys:
        columns.append(summaries.c.journey)
    stmt = where_query(select(*columns), summaries, query)
    for row in conn.execute(stmt.execution_options(yield_per=2000)):
        if matches(query, row[1]):
            yield tuple(row)


def _histories(conn: Connection, ids: list[str]) -> Iterator[tuple[str, list[Event]]]:
    """The whole history of each of ``ids`` as this transaction sees it, oldest first."""
    for chunk in chunks(ids):
        grouped: dict[str, list[Event]] = {pid: [] for pid in chunk}
        rows = conn.execute(
            select(events.c.prospect_id, events.c.doc).where(events.c.prospect_id.in_(chunk))
        )
        for pid, doc in rows:
            grouped[pid].append(event_from_doc(doc))
        for pid in chunk:
            yield pid, sorted(grouped[pid], key=lambda e: (e.at, e.id))


def expected_rows(conn: Connection, docs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The rows the prospects of ``docs`` (``id -> document``) should have, from their
    records and events (raises :class:`~socialcrm.errors.SocialCRMError` on a bad document)."""
    records = {pid: prospect_from_doc(doc) for pid, doc in docs.items()}
    return {
        pid: row_of(pid, summary_of(records[pid], history), journey_of(history))
        for pid, history in _histories(conn, list(records))
    }


def fill(conn: Connection) -> int:
    """Write the row of every prospect, from its record and events; how many."""
    ids = list(conn.execute(select(prospects.c.id).order_by(prospects.c.id)).scalars())
    for chunk in chunks(ids):
        docs = conn.execute(
            select(prospects.c.id, prospects.c.doc).where(prospects.c.id.in_(chunk))
        )
        rows = expected_rows(conn, dict(docs.all()))
        if rows:
            conn.execute(insert(summaries), list(rows.values()))
    return len(ids)


def rebuild(conn: Connection) -> int:
    """Recompute every row (``socialcrm reindex``); how many prospects."""
    conn.execute(delete(summaries))
    return fill(conn)
