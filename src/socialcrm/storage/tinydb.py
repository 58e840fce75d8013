"""The default durable store: sharded TinyDB files committed through one manifest.

TinyDB alone is not safe for our users (it rewrites its file in place, has no
inter-process lock and rereads the whole file on every operation).  This
module keeps TinyDB's document model and API and adds what it lacks:

* every data file is a TinyDB database read and written through
  :class:`OrjsonStorage` (orjson, serialised in memory first, then temporary
  file + ``fsync`` + ``os.replace`` + directory ``fsync``);
* data is split in small immutable files (prospects and their events sharded by
  id, identity/e-mail keys sharded by key) so that a one-prospect command reads
  and writes a handful of small files whatever the size of the store;
* a commit writes the files it changed under a new *generation* name, then
  atomically replaces the manifest ``store.json`` which lists the current file
  of every shard: a crash at any instant leaves the old or the new state;
* every operation runs under an inter-process lock and starts by checking the
  manifest, so no process ever works from a stale cache.

The last two (and the file cache, and what a transaction holds) are the
engine's: :class:`TinyDBRepository` *holds* a
:class:`~socialcrm.storage.generations.GenerationStore` (it is not one) and
maps prospects, events and pipelines onto its files, with the indexes that
find prospects in :mod:`socialcrm.storage.indexes`.

The layout, the file formats and the guarantees are described in
``docs/storage.md``; encoding, checksums and the manifest's checks live in
:mod:`socialcrm.storage.files`; TinyDB itself is imported by
:mod:`socialcrm.storage.tables` only (``OrjsonStorage`` and ``StoreDB`` are
re-exported here).
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from attrs import evolve

from socialcrm.errors import NotFoundError, SocialCRMError, StoreCorruptError
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.repository import Query
from socialcrm.serialization import (
    event_to_dict,
    from_stored_dict,
    pipeline_from_dict,
    pipeline_to_dict,
    prospect_to_dict,
)
from socialcrm.storage import layout
from socialcrm.storage.doc_reads import matching_documents, matching_records
from socialcrm.storage.files import Tables, encode_tables
from socialcrm.storage.generations import MANIFEST_TABLES, GenerationStore
from socialcrm.storage.indexes import LOCATIONS, PROSPECTS, Indexes
from socialcrm.storage.locking import OnWait
from socialcrm.storage.summaries import SUMMARIES, Summaries
from socialcrm.storage.tables import EngineTables, OrjsonStorage, StoreDB, StrIdTable

if TYPE_CHECKING:
    from socialcrm.cards import Card
    from socialcrm.journey import Item
    from socialcrm.storage.backup_scan import BackupScan
    from socialcrm.summary import Summary

__all__ = [
    "OrjsonStorage",
    "StoreDB",
    "StrIdTable",
    "TinyDBRepository",
]

_ULID_LENGTH = 26
_EVENTS = "events"


def _wanted(docs: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, set[str]]]:
    """``(logical file, table, doc id)`` triples grouped for ``reading_ahead``."""
    wanted: dict[str, dict[str, set[str]]] = {}
    for logical, table, doc_id in docs:
        wanted.setdefault(logical, {}).setdefault(table, set()).add(doc_id)
    return wanted


# --------------------------------------------------------------------------- repository
class TinyDBRepository:
    """A :class:`~socialcrm.repository.Repository` in a directory of TinyDB files.

    Safe to use from several processes (and threads) at once.  Every
    operation takes the store's lock; ``transaction()`` holds it for the whole
    block and writes everything once at the end.  The files, the lock and the
    commit are those of :attr:`engine`, the
    :class:`~socialcrm.storage.generations.GenerationStore` this repository
    holds; it maps prospects, events and pipelines onto them, with
    :class:`~socialcrm.storage.indexes.Indexes` to find prospects.

    :param path: the store directory (created mode 0700 if missing).
    :param lock_timeout: seconds to wait for the lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10), then :class:`StoreLockedError`.
    :param on_wait: told once when a wait for the lock lasts a second (a
        :class:`~socialcrm.storage.locking.LockWait`; the CLI prints a line).
    :param migrate: upgrade an older schema (after a backup) when found;
        with ``False`` an older store raises :class:`SchemaVersionError`.
    :param shards: shard counts of a store created here (``prospect_shards``…).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float | None = None,
        on_wait: OnWait | None = None,
        migrate: bool = True,
        **shards: int,
    ) -> None:
        #: the files, lock, manifest and transactions underneath (for tools and tests)
        self.engine = GenerationStore(
            path,
            lock_timeout=lock_timeout,
            on_wait=on_wait,
            upgrade=self._upgrade if migrate else None,
            **shards,
        )
        self.path = self.engine.path
        self._tbl = EngineTables(self.engine)
        self._index = Indexes(self.engine, self._tbl)
        self._summaries = Summaries(self.engine, self._index.locate, self._history)

    def __repr__(self) -> str:
        return f"TinyDBRepository({str(self.path)!r})"

    def open(self) -> Self:
        """Create the directory if needed and check (or migrate) the store now."""
        self.engine.open()
        return self

    def close(self) -> None:
        """Drop caches; the lock is only ever held during an operation."""
        with self.engine.head.thread_lock:
            self.engine.close()
            self._tbl.clear()

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """Hold the lock; write every change of the block at once at the end, or none."""
        return self.engine.transaction()

    @property
    def generation(self) -> int:
        """The number of the last commit (0 for a store never written)."""
        return self.engine.generation

    def _upgrade(self, old: Tables) -> None:
        from socialcrm.storage.migrations import migrate

        migrate(self, old)

    # ------------------------------------------------------------------ pipelines, meta
    def list_pipelines(self) -> list[Pipeline]:
        with self.engine.locked():
            docs = self._tbl(MANIFEST_TABLES, "pipelines").raw()
            return [pipeline_from_dict(docs[name]) for name in sorted(docs)]

    def get_pipeline(self, name: str) -> Pipeline | None:
        with self.engine.locked():
            doc = self._tbl(MANIFEST_TABLES, "pipelines").doc(name)
            return None if doc is None else pipeline_from_dict(doc)

    def put_pipeline(self, pipeline: Pipeline) -> None:
        with self.engine.transaction():
            self._tbl(MANIFEST_TABLES, "pipelines").set(pipeline.name, pipeline_to_dict(pipeline))

    def rename_pipeline(self, old: str, new: str) -> None:
        with self.engine.transaction():
            table = self._tbl(MANIFEST_TABLES, "pipelines")
            doc = table.doc(old)
            if doc is None:
                raise NotFoundError(old, what="pipeline")
            pipeline = pipeline_from_dict(doc)
            table.discard(old)
            table.set(new, pipeline_to_dict(evolve(pipeline, name=new)))
            for pid in layout.in_file_order(self._index.ids_in(old), self.engine.header):
                prospect = self._get(pid)
                if prospect is None:
                    continue
                self._put(evolve(prospect, pipeline=new))
                events = self._tbl(self._index.events_file(pid), _EVENTS)
                found = events.doc(pid)
                if found is not None:
                    moved = [{**e, "pipeline": new} for e in found["events"]]
                    events.set(pid, {"events": moved})

    def delete_pipeline(self, name: str) -> None:
        with self.engine.transaction():
            self._tbl(MANIFEST_TABLES, "pipelines").discard(name)
            for pid in layout.in_file_order(self._index.ids_in(name), self.engine.header):
                self._delete(pid)

    def get_meta(self, key: str) -> Any:
        with self.engine.locked():
            doc = self._tbl(MANIFEST_TABLES, "meta").doc(key)
            return None if doc is None else doc.get("value")

    def set_meta(self, key: str, value: Any) -> None:
        with self.engine.transaction():
            table = self._tbl(MANIFEST_TABLES, "meta")
            if value is None:
                table.discard(key)
            else:
                encode_tables({"check": {"value": value}})  # refuse non-JSON values now
                table.set(key, {"value": value})

    # ------------------------------------------------------------------ prospects
    def _get(self, prospect_id: str) -> Prospect | None:
        found = self._index.located(prospect_id)
        return None if found is None else self._structure(found[1], found[0])

    def _structure(self, doc: Mapping[str, Any], logical: str) -> Prospect:
        try:
            return from_stored_dict(Prospect, doc if type(doc) is dict else dict(doc))
        except SocialCRMError as exc:
            raise StoreCorruptError(path=self.engine.where(logical), detail=exc.message) from None

    def get(self, prospect_id: str) -> Prospect | None:
        return self.engine.call(self._get, prospect_id)

    def put(self, prospect: Prospect) -> None:
        self.engine.call(self._put, prospect, write=True)

    def put_many(self, prospects: Iterable[Prospect]) -> None:
        """Write ``prospects`` as :meth:`put` would, one after the other, in one transaction.

        Faster and leaner for a batch (an import's): the index documents they
        all need are read first, one index file at a time, instead of each
        write looking up its own in files spread over the whole store.
        """
        self.engine.call(self._put_many, list(prospects), write=True)

    def _put_many(self, prospects: list[Prospect]) -> None:
        index = self._index
        docs = [(p, prospect_to_dict(p)) for p in prospects]
        with self.engine.reading_ahead() as read:  # locators, then prospects, then the keys
            read(_wanted((index.locator_file(p.id), LOCATIONS, p.id) for p in prospects))
            located = {p.id: index.locate(p.id) for p in prospects}
            read(_wanted((f, PROSPECTS, pid) for pid, f in located.items() if f is not None))
            wanted = []
            for p, doc in docs:
                found = index.located(p.id) if located[p.id] is not None else None
                wanted += index.wanted_by(p.id, (doc,) if found is None else (doc, found[1]))
            read(_wanted(wanted))
            located_summaries = ((layout.summary_file(f), pid) for pid, f in located.items() if f)
            read(_wanted((f, SUMMARIES, pid) for f, pid in located_summaries))
            for p, doc in docs:
                self._put(p, doc)

    def _put(self, prospect: Prospect, doc: dict[str, Any] | None = None) -> None:
        doc = prospect_to_dict(prospect) if doc is None else doc
        pid = prospect.id
        located = self._index.located(pid)
        self._index.check_identities(pid, doc)
        target = self._index.prospect_file(pid, prospect.stage.value)
        if located is not None and located[0] != target:
            self._tbl(located[0], PROSPECTS).discard(pid)
        self._tbl(target, PROSPECTS).set(pid, doc)
        if located is None or located[0] != target:
            self._index.relocate(pid, target)
        self._index.rekey(pid, None if located is None else located[1], doc)
        self._summaries.prospect_written(prospect, target, None if located is None else located[0])

    def delete(self, prospect_id: str) -> None:
        self.engine.call(self._delete, prospect_id, write=True)

    def _delete(self, pid: str) -> None:
        located = self._index.located(pid)
        self._tbl(self._index.events_file(pid), _EVENTS).discard(pid)
        if located is None:
            return
        logical, old = located
        self._summaries.removed(pid, logical)
        self._index.unkey(pid, old)
        self._tbl(logical, PROSPECTS).discard(pid)

    def query(self, query: Query) -> list[Prospect]:
        """Scan the prospect shards, building models only for likely matches."""
        with self.engine.locked():
            return query.apply(self._likely(query))

    def scan(self, query: Query) -> Iterator[Prospect]:
        """``query``'s prospects one prospect file at a time, in file order
        (:class:`~socialcrm.repository.ScansProspects`): the lock is held until
        the iteration ends."""
        with self.engine.locked():
            yield from filter(query.matches, self._likely(query))

    def scan_records(self, query: Query) -> Iterator[dict[str, Any]]:
        """:class:`~socialcrm.repository.ScansRecords`: from the documents (``doc_reads``)."""
        with self.engine.locked():
            yield from matching_records(self.engine, query, self._structure)

    def _likely(self, query: Query) -> Iterator[Prospect]:
        """Models of the prospects a document-level look finds likely to match."""
        for doc, logical in matching_documents(self.engine, query):
            yield self._structure(doc, logical)

    def cards(self, query: Query) -> list[Card]:
        """Cards read from the summaries, no model built (:class:`~socialcrm.cards.ListsCards`)."""
        from socialcrm.cards import Card

        with self.engine.locked():
            return [Card.of_summary(pid, s) for pid, s in self._summaries.read(query)]

    def count(self, pipeline: str) -> int:
        return self.engine.call(lambda: sum(map(len, self._index.id_lists(pipeline))))

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        return self.engine.call(self._find_by_id_prefix, pipeline, prefix.upper())

    def _find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        if len(prefix) == _ULID_LENGTH:  # a whole id: its shard, no scan of the id list
            found = self._get(prefix)
            if found is not None:
                return [found] if found.pipeline == pipeline else []
        matches = []
        for ids in self._index.id_lists(pipeline):
            for pid in ids[bisect_left(ids, prefix) :]:
                if not pid.startswith(prefix):
                    break
                matches.append(pid)
        return [p for p in map(self._get, sorted(matches)) if p is not None]

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        key = f"{pipeline}\t{email.strip().casefold()}"
        with self.engine.locked():
            return [p for p in map(self._get, self._index.with_email(key)) if p is not None]

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        with self.engine.locked():
            owner = self._index.owner(f"{pipeline}\t{key}")
            return None if owner is None else self._get(owner)

    # ------------------------------------------------------------------ events
    def append_event(self, event: Event) -> None:
        self.engine.call(self._append_event, event, write=True)

    def append_events(self, events: Iterable[Event]) -> None:
        """:meth:`append_event` for each, in one transaction: the locators, summaries
        and journeys the events change are read ahead, a file at a time (an import's
        events would otherwise read back every summary file written early)."""
        self.engine.call(self._append_events, list(events), write=True)

    def _append_events(self, events: list[Event]) -> None:
        pids = {e.prospect_id for e in events}
        with self.engine.reading_ahead() as read:
            read(_wanted((self._index.locator_file(pid), LOCATIONS, pid) for pid in pids))
            located = {pid: self._index.locate(pid) for pid in pids}
            read(_wanted(d for pid, f in located.items() if f for d in Summaries.kept(pid, f)))
            for event in events:
                self._append_event(event)

    def _append_event(self, event: Event) -> None:
        pid = event.prospect_id
        logical = self._index.events_file(pid)
        self.engine.append_item(logical, _EVENTS, pid, "events", event_to_dict(event))
        self._summaries.event_appended(event)

    def events(self, prospect_id: str) -> list[Event]:
        with self.engine.locked():
            return self._history(prospect_id)

    def _history(self, prospect_id: str) -> list[Event]:
        logical = self._index.events_file(prospect_id)
        return self._events(self.engine.doc(logical, _EVENTS, prospect_id), logical)

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        """Events file by events file: each file is read once (and not kept in the cache).

        Asking :meth:`events` for every prospect of a 30,000-prospect store read an
        events file (~300 KB) per prospect, the cache holding only a fraction of
        them: ``today`` and ``export`` took 75–90 s.  The lock is taken per file,
        and released before the file's prospects are handed out.
        """
        ids = list(dict.fromkeys(prospect_ids))
        with self.engine.locked():
            groups: dict[str, list[str]] = {}
            for pid in ids:
                groups.setdefault(self._index.events_file(pid), []).append(pid)
        for group in groups.values():
            with self.engine.locked():
                docs: dict[str, Mapping[str, Any]] = {}
                batch = []
                for pid in group:
                    logical = self._index.events_file(pid)  # the same unless resharded
                    if logical not in docs:
                        docs[logical] = self.engine.view(logical, cache=False).get(_EVENTS, {})
                    found = docs[logical].get(pid)
                    batch.append((pid, self._events(found, logical)))
            yield from batch

    def summaries(self, query: Query) -> Iterator[tuple[str, Summary]]:
        """The kept summaries (``KeepsSummaries``), under the lock until the end."""
        with self.engine.locked():
            yield from self._summaries.read(query)

    def journeys(self, query: Query) -> Iterator[tuple[str, Summary, list[Item]]]:
        """The kept summaries and journeys (``KeepsJourneys``), under the lock until the end."""
        with self.engine.locked():
            yield from self._summaries.read_journeys(query)

    def reindex(self) -> int:
        """Rewrite every summary and journey in one commit (``socialcrm reindex``); how many."""
        with self.engine.transaction():
            self._summaries.clear()
            return self.rebuild_summaries()

    def rebuild_summaries(self) -> int:
        """Write every prospect's summary (the schema 3 migration, in its transaction)."""
        return self._summaries.rebuild(
            (
                (self._structure(doc, logical), logical)
                for logical in self.engine.logicals("p-")
                for doc in self.engine.view(logical, cache=False).get(PROSPECTS, {}).values()
            ),
            self.events_for,
        )

    def _events(self, found: Mapping[str, Any] | None, logical: str) -> list[Event]:
        """The events of one prospect's document in ``logical``, oldest first."""
        if found is None:
            return []
        try:
            events = [from_stored_dict(Event, doc) for doc in found["events"]]
        except SocialCRMError as exc:
            raise StoreCorruptError(path=self.engine.where(logical), detail=exc.message) from None
        return sorted(events, key=lambda e: (e.at, e.id))

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        with self.engine.transaction():
            source = self._tbl(self._index.events_file(from_prospect_id), _EVENTS)
            found = source.doc(from_prospect_id)
            if found is None:
                return
            source.discard(from_prospect_id)
            target = self._tbl(self._index.events_file(to_prospect_id), _EVENTS)
            existing = target.doc(to_prospect_id)
            events = list(existing["events"]) if existing else []
            events.extend({**e, "prospect_id": to_prospect_id} for e in found["events"])
            target.set(to_prospect_id, {"events": events})
            self._summaries.events_changed(from_prospect_id)
            self._summaries.events_changed(to_prospect_id)

    # ------------------------------------------------------------------ inventory
    def backups_holding(self, needles: Iterable[str]) -> BackupScan:
        """This store's backups holding one of ``needles`` (the access export's
        "still in backups"; :mod:`socialcrm.storage.backup_scan`)."""
        from socialcrm.storage.backup_scan import backups_holding

        return backups_holding(self.path, needles)

    def rewrite_backups(
        self,
        prospect_ids: Iterable[str],
        emails: Iterable[str] = (),
        identity_keys: Iterable[str] = (),
    ) -> tuple[int, int]:
        """Rewrite this store's backups without ``prospect_ids`` and the prospects
        holding ``emails`` or ``identity_keys`` (or drop those that cannot be);
        ``(rewritten, dropped)`` (:mod:`socialcrm.storage.scrub`)."""
        from socialcrm.storage.scrub import rewrite_backups

        return rewrite_backups(
            self.path,
            prospect_ids,
            lambda p: TinyDBRepository(p).open(),
            emails=emails,
            identity_keys=identity_keys,
        )

    def meta_keys(self) -> list[str]:
        """Every store setting's key (``store copy``: the protocol reads them by key)."""
        with self.engine.locked():
            return sorted(self._tbl(MANIFEST_TABLES, "meta").raw())

    def prospect_pipelines(self) -> list[str]:
        """The pipelines holding prospects, declared or not (``store copy``)."""
        with self.engine.locked():
            names = self._index.pipelines_with_prospects()
        return sorted(names)
