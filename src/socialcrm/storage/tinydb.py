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
engine's, :class:`~socialcrm.storage.generations.GenerationStore`; this module
maps prospects, events, pipelines and their indexes onto its files.

The layout, the file formats and the guarantees are described in
``docs/storage.md``; encoding, checksums and the manifest's checks live in
:mod:`socialcrm.storage.files`.  This is the only module of socialcrm importing
tinydb.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
from attrs import evolve
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from socialcrm.errors import (
    DuplicateIdentityError,
    NotFoundError,
    SocialCRMError,
    StoreCorruptError,
)
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
from socialcrm.storage.atomic import write_atomic
from socialcrm.storage.files import Tables, decode_tables, encode_tables
from socialcrm.storage.generations import MANIFEST_TABLES, GenerationStore

__all__ = [
    "OrjsonStorage",
    "StoreDB",
    "StrIdTable",
    "TinyDBRepository",
]

_ULID_LENGTH = 26
_PROSPECTS, _EVENTS, _IDENTITIES, _EMAILS, _IDS = (
    "prospects",
    "events",
    "identities",
    "emails",
    "pipelines",
)
_LOCATIONS = "locations"


class OrjsonStorage(Storage):
    """A TinyDB storage that never leaves a torn file: orjson + atomic replace, mode 0600.

    Usable on its own: ``TinyDB(path, storage=OrjsonStorage)`` (e.g. to inspect
    one data file of a store).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> Tables | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return decode_tables(raw, self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, encode_tables(data))


class _BufferStorage(Storage):
    """A TinyDB storage over one logical file of a repository's current transaction.

    Reads see the stored file with this transaction's changes; writes become
    changes of single documents (see :mod:`socialcrm.storage.pending`), which
    the repository writes at the commit.
    """

    def __init__(self, repository: TinyDBRepository, logical: str) -> None:
        self._repository = repository
        self._logical = logical

    def read(self) -> Tables:
        return self._repository._view(self._logical)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._repository._replace(self._logical, data)

    def doc(self, table: str, doc_id: str) -> dict[str, Any] | None:
        return self._repository._doc(self._logical, table, doc_id)

    def set(self, table: str, doc_id: str, document: dict[str, Any]) -> None:
        self._repository._set(self._logical, table, doc_id, document)

    def discard(self, table: str, doc_id: str) -> None:
        self._repository._discard(self._logical, table, doc_id)


class StrIdTable(Table):
    """A TinyDB table keyed by our own string ids, read and written one document at a time.

    TinyDB's ``_update_table`` rebuilds the whole table on each write to
    convert ids; with string ids no conversion is needed.  Over a repository,
    ``doc``/``set``/``discard`` touch one document of the transaction's
    changes; TinyDB's own write methods still work, on a private copy.
    """

    document_id_class = str  # type: ignore[assignment]

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        storage = self.storage
        tables = storage.read() or {}
        if isinstance(storage, _BufferStorage):  # TinyDB changes documents in place
            tables = orjson.loads(encode_tables(tables))
        updater(tables.setdefault(self.name, {}))
        storage.write(tables)
        self.clear_cache()

    def raw(self) -> Mapping[str, Any]:
        """The table's documents by id, read-only (for scans)."""
        return self._read_table()

    def doc(self, doc_id: str) -> dict[str, Any] | None:
        """One raw document, read-only, or ``None``."""
        storage = self.storage
        if isinstance(storage, _BufferStorage):
            return storage.doc(self.name, doc_id)
        found = self._read_table().get(doc_id)
        return None if found is None else dict(found)

    def set(self, doc_id: str, document: dict[str, Any]) -> None:
        """Insert or replace a whole document."""
        storage = self.storage
        if isinstance(storage, _BufferStorage):
            storage.set(self.name, doc_id, document)
            self.clear_cache()
        else:
            self._update_table(lambda table: table.__setitem__(doc_id, document))

    def discard(self, doc_id: str) -> None:
        """Remove a document if present."""
        storage = self.storage
        if isinstance(storage, _BufferStorage):
            storage.discard(self.name, doc_id)
            self.clear_cache()
        elif doc_id in self._read_table():
            self._update_table(lambda table: table.pop(doc_id, None))


class StoreDB(TinyDB):
    """TinyDB with our string document ids: ``StoreDB(path, storage=OrjsonStorage)``
    opens any data file of a store for inspection."""

    table_class = StrIdTable


def _table(db: TinyDB, name: str) -> StrIdTable:
    table = db.table(name)
    assert isinstance(table, StrIdTable)
    return table


def _identity_keys(doc: Mapping[str, Any]) -> set[str]:
    pipeline = doc.get("pipeline", "default")
    return {f"{pipeline}\t{i['network']}:{i['handle']}" for i in doc.get("identities", ())}


def _email_keys(doc: Mapping[str, Any]) -> set[str]:
    pipeline = doc.get("pipeline", "default")
    return {f"{pipeline}\t{e.casefold()}" for e in doc.get("emails", ())}


def _wanted(docs: Iterable[tuple[str, str, str]]) -> dict[str, dict[str, set[str]]]:
    """``(logical file, table, doc id)`` triples grouped for ``_reading_ahead``."""
    wanted: dict[str, dict[str, set[str]]] = {}
    for logical, table, doc_id in docs:
        wanted.setdefault(logical, {}).setdefault(table, set()).add(doc_id)
    return wanted


# --------------------------------------------------------------------------- repository
class TinyDBRepository(GenerationStore):
    """A :class:`~socialcrm.repository.Repository` in a directory of TinyDB files.

    Safe to use from several processes (and threads) at once.  Every
    operation takes the store's lock; ``transaction()`` holds it for the whole
    block and writes everything once at the end.  The files, the lock and the
    commit are :class:`~socialcrm.storage.generations.GenerationStore`'s; this
    class maps prospects, events, pipelines and their indexes onto them.

    :param path: the store directory (created mode 0700 if missing).
    :param lock_timeout: seconds to wait for the lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10), then :class:`StoreLockedError`.
    :param migrate: upgrade an older schema (after a backup) when found;
        with ``False`` an older store raises :class:`SchemaVersionError`.
    """

    def __repr__(self) -> str:
        return f"TinyDBRepository({str(self.path)!r})"

    def _upgrade(self, old: Tables) -> None:
        from socialcrm.storage.migrations import migrate

        migrate(self, old)

    def close(self) -> None:
        """Drop caches; the lock is only ever held during an operation."""
        with self._thread_lock:
            super().close()
            self.__dict__.pop("_dbs", None)

    # ------------------------------------------------------------------ documents
    @functools.cached_property
    def _dbs(self) -> dict[str, TinyDB]:
        """A TinyDB over each logical file used so far (see :class:`_BufferStorage`)."""
        return {}

    def _db(self, logical: str) -> TinyDB:
        db = self._dbs.get(logical)
        if db is None:
            db = StoreDB(storage=_BufferStorage, repository=self, logical=logical)
            self._dbs[logical] = db
        return db

    def _tbl(self, logical: str, name: str) -> StrIdTable:
        return _table(self._db(logical), name)

    # shards of the current store
    def _pfile(self, prospect_id: str, stage: str) -> str:
        return layout.prospect_file(prospect_id, stage, self._header["prospect_shards"])

    def _lfile(self, prospect_id: str) -> str:
        return layout.locator_file(prospect_id, self._header["locator_shards"])

    def _efile(self, prospect_id: str) -> str:
        return layout.events_file(prospect_id, self._header["event_shards"])

    def _kfile(self, key: str) -> str:
        return layout.key_file(key, self._header["key_shards"])

    # ------------------------------------------------------------------ pipelines, meta
    def list_pipelines(self) -> list[Pipeline]:
        with self._locked():
            docs = self._tbl(MANIFEST_TABLES, "pipelines").raw()
            return [pipeline_from_dict(docs[name]) for name in sorted(docs)]

    def get_pipeline(self, name: str) -> Pipeline | None:
        with self._locked():
            doc = self._tbl(MANIFEST_TABLES, "pipelines").doc(name)
            return None if doc is None else pipeline_from_dict(doc)

    def put_pipeline(self, pipeline: Pipeline) -> None:
        with self._write():
            self._tbl(MANIFEST_TABLES, "pipelines").set(pipeline.name, pipeline_to_dict(pipeline))

    def rename_pipeline(self, old: str, new: str) -> None:
        with self._write():
            table = self._tbl(MANIFEST_TABLES, "pipelines")
            doc = table.doc(old)
            if doc is None:
                raise NotFoundError(old, what="pipeline")
            pipeline = pipeline_from_dict(doc)
            table.discard(old)
            table.set(new, pipeline_to_dict(evolve(pipeline, name=new)))
            for pid in self._in_file_order(self._ids_in(old)):
                prospect = self._get(pid)
                if prospect is None:
                    continue
                self._put(evolve(prospect, pipeline=new))
                events = self._tbl(self._efile(pid), _EVENTS)
                found = events.doc(pid)
                if found is not None:
                    moved = [{**e, "pipeline": new} for e in found["events"]]
                    events.set(pid, {"events": moved})

    def _in_file_order(self, ids: list[str]) -> list[str]:
        """``ids`` grouped by prospect shard, then events shard.

        A change to every prospect then reads (and writes) each file while it
        is in the cache, instead of re-reading a 300 KB events file per prospect
        (a rename of 30,000 prospects took minutes in id order).
        """
        prospect_shards = self._header["prospect_shards"]
        event_shards = self._header["event_shards"]
        return sorted(
            ids,
            key=lambda pid: (
                layout.shard_of(pid, prospect_shards),
                layout.shard_of(pid, event_shards),
            ),
        )

    def delete_pipeline(self, name: str) -> None:
        with self._write():
            self._tbl(MANIFEST_TABLES, "pipelines").discard(name)
            for pid in self._in_file_order(self._ids_in(name)):
                self._delete(pid)

    def get_meta(self, key: str) -> Any:
        with self._locked():
            doc = self._tbl(MANIFEST_TABLES, "meta").doc(key)
            return None if doc is None else doc.get("value")

    def set_meta(self, key: str, value: Any) -> None:
        with self._write():
            table = self._tbl(MANIFEST_TABLES, "meta")
            if value is None:
                table.discard(key)
            else:
                encode_tables({"check": {"value": value}})  # refuse non-JSON values now
                table.set(key, {"value": value})

    # ------------------------------------------------------------------ prospects
    def _ifile(self, prospect_id: str) -> str:
        return layout.ids_file(prospect_id, self._header["id_shards"])

    def _id_lists(self, pipeline: str) -> list[list[str]]:
        """The sorted id lists of ``pipeline``, one per id shard (read-only)."""
        lists = []
        for logical in self._data_logicals("i-"):
            doc = self._tbl(logical, _IDS).doc(pipeline)
            if doc is not None:
                lists.append(doc["ids"])
        return lists

    def _ids_in(self, pipeline: str) -> list[str]:
        """Sorted ids of ``pipeline``'s prospects."""
        return sorted(pid for ids in self._id_lists(pipeline) for pid in ids)

    def _index_id(self, pipeline: str, pid: str) -> None:
        logical = self._ifile(pid)
        doc = self._own(logical, _IDS, pipeline)
        if doc is None:
            self._own_new(logical, _IDS, pipeline, {"ids": [pid]})
            return
        ids: list[str] = doc["ids"]
        i = bisect_left(ids, pid)
        if i == len(ids) or ids[i] != pid:
            ids.insert(i, pid)

    def _unindex_id(self, pipeline: str, pid: str) -> None:
        logical = self._ifile(pid)
        doc = self._own(logical, _IDS, pipeline)
        if doc is None:
            return
        ids: list[str] = doc["ids"]
        i = bisect_left(ids, pid)
        if i < len(ids) and ids[i] == pid:
            del ids[i]
        if not ids:
            self._tbl(logical, _IDS).discard(pipeline)

    def _locate(self, prospect_id: str) -> str | None:
        """The logical file holding ``prospect_id``, from its locator shard."""
        found = self._tbl(self._lfile(prospect_id), _LOCATIONS).doc(prospect_id)
        return None if found is None else str(found["file"])

    def _located(self, prospect_id: str) -> tuple[str, dict[str, Any]] | None:
        """``(logical file, raw document)`` of a prospect, or ``None``."""
        logical = self._locate(prospect_id)
        if logical is None:
            return None
        doc = self._tbl(logical, _PROSPECTS).doc(prospect_id)
        if doc is None:
            raise StoreCorruptError(
                path=self._where(logical),
                detail=f"prospect {prospect_id} is listed in {self._lfile(prospect_id)} "
                "but missing here",
            )
        return logical, doc

    def _raw(self, prospect_id: str) -> dict[str, Any] | None:
        found = self._located(prospect_id)
        return None if found is None else found[1]

    def _get(self, prospect_id: str) -> Prospect | None:
        found = self._located(prospect_id)
        return None if found is None else self._structure(found[1], found[0])

    def _structure(self, doc: Mapping[str, Any], logical: str) -> Prospect:
        try:
            return from_stored_dict(Prospect, doc if type(doc) is dict else dict(doc))
        except SocialCRMError as exc:
            raise StoreCorruptError(path=self._where(logical), detail=exc.message) from None

    def _where(self, logical: str) -> str:
        assert self._manifest is not None
        entry = self._spilled.get(logical) or self._manifest["files"].get(logical)
        return str(self.path / entry["path"]) if entry else str(self.path / logical)

    def get(self, prospect_id: str) -> Prospect | None:
        return self._call(self._get, prospect_id)

    def put(self, prospect: Prospect) -> None:
        self._call(self._put, prospect, write=True)

    def put_many(self, prospects: Iterable[Prospect]) -> None:
        """Write ``prospects`` as :meth:`put` would, one after the other, in one transaction.

        Faster and leaner for a batch (an import's): the index documents they
        all need are read first, one index file at a time, instead of each
        write looking up its own in files spread over the whole store.
        """
        self._call(self._put_many, list(prospects), write=True)

    def _put_many(self, prospects: list[Prospect]) -> None:
        docs = [(p, prospect_to_dict(p)) for p in prospects]
        with self._reading_ahead() as read:  # locators, then prospects, then the keys
            read(_wanted((self._lfile(p.id), _LOCATIONS, p.id) for p in prospects))
            located = {p.id: self._locate(p.id) for p in prospects}
            read(_wanted((f, _PROSPECTS, pid) for pid, f in located.items() if f is not None))
            wanted = []
            for p, doc in docs:
                old = self._raw(p.id) if located[p.id] is not None else None
                for d in (doc,) if old is None else (doc, old):
                    wanted.append((self._ifile(p.id), _IDS, str(d.get("pipeline"))))
                    wanted += [(self._kfile(k), _IDENTITIES, k) for k in _identity_keys(d)]
                    wanted += [(self._kfile(k), _EMAILS, k) for k in _email_keys(d)]
            read(_wanted(wanted))
            for p, doc in docs:
                self._put(p, doc)

    def _put(self, prospect: Prospect, doc: dict[str, Any] | None = None) -> None:
        doc = prospect_to_dict(prospect) if doc is None else doc
        pid = prospect.id
        located = self._located(pid)
        old = None if located is None else located[1]
        new_identities, new_emails = _identity_keys(doc), _email_keys(doc)
        old_identities = _identity_keys(old) if old else set()
        old_emails = _email_keys(old) if old else set()
        for key in sorted(new_identities):
            owner = self._tbl(self._kfile(key), _IDENTITIES).doc(key)
            if owner is not None and owner["id"] != pid:
                raise DuplicateIdentityError(key.split("\t", 1)[1], owner["id"], prospect.pipeline)
        target = self._pfile(pid, prospect.stage.value)
        if located is not None and located[0] != target:
            self._tbl(located[0], _PROSPECTS).discard(pid)
        self._tbl(target, _PROSPECTS).set(pid, doc)
        if located is None or located[0] != target:
            self._tbl(self._lfile(pid), _LOCATIONS).set(pid, {"file": target})
        for key in old_identities - new_identities:
            self._tbl(self._kfile(key), _IDENTITIES).discard(key)
        for key in new_identities - old_identities:
            self._tbl(self._kfile(key), _IDENTITIES).set(key, {"id": pid})
        for key in old_emails - new_emails:
            self._unlink_email(key, pid)
        for key in new_emails - old_emails:
            table = self._tbl(self._kfile(key), _EMAILS)
            found = table.doc(key)
            owners = set(found["ids"]) if found else set()
            table.set(key, {"ids": sorted(owners | {pid})})
        if old is None or old.get("pipeline") != prospect.pipeline:
            if old is not None:
                self._unindex_id(str(old.get("pipeline")), pid)
            self._index_id(prospect.pipeline, pid)

    def _unlink_email(self, key: str, pid: str) -> None:
        table = self._tbl(self._kfile(key), _EMAILS)
        found = table.doc(key)
        if found is None:
            return
        owners = [o for o in found["ids"] if o != pid]
        if owners:
            table.set(key, {"ids": owners})
        else:
            table.discard(key)

    def delete(self, prospect_id: str) -> None:
        self._call(self._delete, prospect_id, write=True)

    def _delete(self, pid: str) -> None:
        located = self._located(pid)
        self._tbl(self._efile(pid), _EVENTS).discard(pid)
        if located is None:
            return
        logical, old = located
        for key in _identity_keys(old):
            self._tbl(self._kfile(key), _IDENTITIES).discard(key)
        for key in _email_keys(old):
            self._unlink_email(key, pid)
        self._unindex_id(str(old.get("pipeline")), pid)
        self._tbl(self._lfile(pid), _LOCATIONS).discard(pid)
        self._tbl(logical, _PROSPECTS).discard(pid)

    def query(self, query: Query) -> list[Prospect]:
        """Scan the prospect shards, building models only for likely matches."""
        stage = None if query.stage is None else query.stage.value
        status = None if query.status is None else query.status.value
        selected: list[Prospect] = []
        with self._locked():
            # prospects are grouped by stage: a stage filter reads only that stage's files
            for logical in self._data_logicals("p-" if stage is None else f"p-{stage}-"):
                docs = self._view(logical, cache=False).get(_PROSPECTS, {})
                for doc in docs.values():
                    if (
                        doc.get("pipeline") != query.pipeline
                        or (stage is not None and doc.get("stage") != stage)
                        or (status is not None and doc.get("status") != status)
                    ):
                        continue
                    selected.append(self._structure(doc, logical))
        return query.apply(selected)

    def count(self, pipeline: str) -> int:
        return self._call(lambda: sum(map(len, self._id_lists(pipeline))))

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        return self._call(self._find_by_id_prefix, pipeline, prefix.upper())

    def _find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        if len(prefix) == _ULID_LENGTH:  # a whole id: its shard, no scan of the id list
            found = self._get(prefix)
            if found is not None:
                return [found] if found.pipeline == pipeline else []
        matches = []
        for ids in self._id_lists(pipeline):
            for pid in ids[bisect_left(ids, prefix) :]:
                if not pid.startswith(prefix):
                    break
                matches.append(pid)
        return [p for p in map(self._get, sorted(matches)) if p is not None]

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        key = f"{pipeline}\t{email.strip().casefold()}"
        with self._locked():
            found = self._tbl(self._kfile(key), _EMAILS).doc(key)
            if found is None:
                return []
            return [p for p in map(self._get, sorted(found["ids"])) if p is not None]

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        index_key = f"{pipeline}\t{key}"
        with self._locked():
            found = self._tbl(self._kfile(index_key), _IDENTITIES).doc(index_key)
            return None if found is None else self._get(found["id"])

    # ------------------------------------------------------------------ events
    def append_event(self, event: Event) -> None:
        self._call(self._append_event, event, write=True)

    def _append_event(self, event: Event) -> None:
        pid = event.prospect_id
        self._append(self._efile(pid), _EVENTS, pid, "events", event_to_dict(event))

    def events(self, prospect_id: str) -> list[Event]:
        with self._locked():
            logical = self._efile(prospect_id)
            return self._events(self._doc(logical, _EVENTS, prospect_id), logical)

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        """Events file by events file: each file is read once (and not kept in the cache).

        Asking :meth:`events` for every prospect of a 30,000-prospect store read an
        events file (~300 KB) per prospect, the cache holding only a fraction of
        them: ``today`` and ``export`` took 75–90 s.  The lock is taken per file,
        and released before the file's prospects are handed out.
        """
        ids = list(dict.fromkeys(prospect_ids))
        with self._locked():
            groups: dict[str, list[str]] = {}
            for pid in ids:
                groups.setdefault(self._efile(pid), []).append(pid)
        for group in groups.values():
            with self._locked():
                docs: dict[str, Mapping[str, Any]] = {}
                batch = []
                for pid in group:
                    logical = self._efile(pid)  # the same unless the store was resharded
                    if logical not in docs:
                        docs[logical] = self._view(logical, cache=False).get(_EVENTS, {})
                    batch.append((pid, self._events(docs[logical].get(pid), logical)))
            yield from batch

    def _events(self, found: Mapping[str, Any] | None, logical: str) -> list[Event]:
        """The events of one prospect's document in ``logical``, oldest first."""
        if found is None:
            return []
        try:
            events = [from_stored_dict(Event, doc) for doc in found["events"]]
        except SocialCRMError as exc:
            raise StoreCorruptError(path=self._where(logical), detail=exc.message) from None
        return sorted(events, key=lambda e: (e.at, e.id))

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        with self._write():
            source = self._tbl(self._efile(from_prospect_id), _EVENTS)
            found = source.doc(from_prospect_id)
            if found is None:
                return
            source.discard(from_prospect_id)
            target = self._tbl(self._efile(to_prospect_id), _EVENTS)
            existing = target.doc(to_prospect_id)
            events = list(existing["events"]) if existing else []
            events.extend({**e, "prospect_id": to_prospect_id} for e in found["events"])
            target.set(to_prospect_id, {"events": events})

    # ------------------------------------------------------------------ inventory
    def meta_keys(self) -> list[str]:
        """Every store setting's key (``store copy``: the protocol reads them by key)."""
        with self._locked():
            return sorted(self._tbl(MANIFEST_TABLES, "meta").raw())

    def prospect_pipelines(self) -> list[str]:
        """The pipelines holding prospects, declared or not (``store copy``)."""
        with self._locked():
            names = {
                name
                for logical in self._data_logicals("i-")
                for name, doc in self._tbl(logical, _IDS).raw().items()
                if doc.get("ids")
            }
        return sorted(names)
