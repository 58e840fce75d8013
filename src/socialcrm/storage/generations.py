"""A directory of data files committed by generation through one manifest.

This is the storage engine that :class:`socialcrm.storage.tinydb.TinyDBRepository`
uses (it holds one; it is not one), kept apart from the document model
(prospects, events, indexes) it serves.  It knows files and the documents
inside them, not what they mean:

* the store's inter-process lock, and a fresh view of the manifest
  (``store.json``) each time it is taken, so no process works from a stale state
  (its :class:`~socialcrm.storage.locked_manifest.LockedManifest`);
* a bounded cache of parsed, verified data files
  (:class:`~socialcrm.storage.file_cache.FileCache`);
* transactions: the documents they change (:mod:`socialcrm.storage.pending`),
  the files they write early when those changes grow large, and the commit:
  every changed file written under the next generation's name, then the
  manifest replaced in one ``os.replace`` (the commit point), then the files
  it provably made garbage deleted (:mod:`socialcrm.storage.sweep`);
* what it refuses: a directory that is not a store, or a store whose manifest
  is missing (:mod:`socialcrm.storage.directory`), and any write to a store
  this process may only read (:mod:`socialcrm.storage.locking`).

The guarantees are described in ``docs/storage.md``; encoding, checksums and
the manifest's checks live in :mod:`socialcrm.storage.files`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import orjson

from socialcrm.atomic_files import ensure_dir, fsync_dir, open_atomic, write_atomic
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.doc_lines import write_merged
from socialcrm.storage.file_cache import FileCache
from socialcrm.storage.files import (
    Tables,
    encode_tables,
    file_version,
    file_version_of,
)
from socialcrm.storage.locked_manifest import LockedManifest, Upgrade
from socialcrm.storage.locking import OnWait
from socialcrm.storage.pending import EXTENSIONS, Pending, resolve
from socialcrm.storage.problems import io_error, not_written_error
from socialcrm.storage.read_ahead import ReadAhead, Wanted

__all__ = ["MANIFEST_TABLES", "GenerationStore", "io_error"]

T = TypeVar("T")
#: Pseudo file name of the manifest's own tables (``meta`` and ``pipelines``).
MANIFEST_TABLES = "@"
#: Parsed files kept in memory, counted by their size on disk (the parsed form
#: takes ~6 times more): bounds a long-lived host process's memory.  Whole-store
#: reads bypass it.  It must hold the key and locator files of a 30,000-prospect
#: store (~6 MB): a change to every prospect reads them at random, and an LRU
#: cache smaller than what is read at random re-reads a file at each access.
_CACHE_BYTES = 16 * 1024 * 1024
#: A transaction holding more changes than this (packed JSON, estimated) writes
#: the files it changed early, under the generation it will commit (see
#: :meth:`GenerationStore._spill`): a whole-store change never sits in memory.
#: At 64 MiB the vCard imports of ``bench_storage.py --whole`` peaked over the
#: 200 MB limit (docs/storage.md, "Limits").
_SPILL_BYTES = 48 * 1024 * 1024


class GenerationStore:
    """Data files of a store directory, read under its lock and committed by generation.

    A document model maps its documents to logical files (shards) and changes
    them inside :meth:`transaction` with :meth:`set_doc`, :meth:`discard_doc`,
    :meth:`append_item` and :meth:`own`; reads go through :meth:`view` and
    :meth:`doc`.  Safe to use from several processes (and threads) at once.

    :param path: the store directory (created mode 0700 if missing).
    :param lock_timeout: seconds to wait for the lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10), then :class:`StoreLockedError`.
    :param on_wait: told once when a wait for the lock lasts a second.
    :param upgrade: rewrites a store of an older schema (the document model's
        migration); ``None``: such a store raises :class:`SchemaVersionError`.
    :param shards: shard counts of a store created here (defaults:
        :data:`socialcrm.storage.layout.DEFAULT_SHARDS`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float | None = None,
        on_wait: OnWait | None = None,
        upgrade: Upgrade | None = None,
        **shards: int,
    ) -> None:
        unknown = set(shards) - set(layout.DEFAULT_SHARDS)
        if unknown:
            raise TypeError(f"unknown shard setting(s): {', '.join(sorted(unknown))}")
        self.head = LockedManifest(
            path,
            lock_timeout=lock_timeout,
            on_wait=on_wait,
            upgrade=upgrade,
            shards={**layout.DEFAULT_SHARDS, **shards},
        )
        self.path = self.head.path
        self.cache = FileCache(self.path, _CACHE_BYTES)
        # documents read ahead for a batch of point reads (see :meth:`reading_ahead`)
        self.ahead = ReadAhead()
        # the current transaction: its changes, and the files it already wrote
        # under the generation it will commit (``None``: the file became empty)
        self._pending: Pending | None = None
        self._spilled: dict[str, dict[str, Any] | None] = {}
        self._swapped = False
        self._owner: int | None = None  # the thread running the transaction
        # files saved elsewhere (a pre-migrate backup) that this commit retires too
        self._retiring: set[str] = set()

    def open(self) -> None:
        """Create the directory if needed and check (or migrate) the store now."""
        with self.head.locked():
            pass

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the store's locks, with the manifest as it is on disk (re-entrant)."""
        return self.head.locked()

    @property
    def header(self) -> dict[str, Any]:
        """The manifest's ``store`` record: generation, shard counts (under the lock)."""
        return self.head.header

    @property
    def generation(self) -> int:
        """The number of the last commit (0 for a store never written)."""
        return self.head.generation

    # ------------------------------------------------------------------ file access
    def _entry(self, logical: str) -> Mapping[str, Any] | None:
        """The manifest entry of a data file as last written (spilled, or committed)."""
        if logical in self._spilled:
            return self._spilled[logical]
        entry: Mapping[str, Any] | None = self.head.manifest["files"].get(logical)
        return entry

    def where(self, logical: str) -> str:
        """The path of a logical file as last written (for error messages)."""
        entry = self._spilled.get(logical) or self.head.manifest["files"].get(logical)
        return str(self.path / entry["path"]) if entry else str(self.path / logical)

    def _stored(self, logical: str, *, cache: bool = True) -> Tables:
        """A logical file as last written: by this transaction (spilled), or committed."""
        if logical == MANIFEST_TABLES:
            manifest = self.head.manifest
            return {"meta": manifest["meta"], "pipelines": manifest["pipelines"]}
        entry = self._entry(logical)
        if entry is None:
            return {}
        return self.cache.load(logical, entry, cache=cache)

    def _stored_doc(self, logical: str, table: str, doc_id: str) -> dict[str, Any] | None:
        """One stored document: read ahead, or from its (cached) file."""
        ahead = self._read_ahead(logical)  # never the manifest's tables: not read ahead
        if ahead is not None and doc_id in ahead.get(table, {}):
            found: dict[str, Any] | None = ahead[table][doc_id]
            return found
        doc: dict[str, Any] | None = self._stored(logical).get(table, {}).get(doc_id)
        return doc

    def _read_ahead(self, logical: str) -> dict[str, dict[str, Any]] | None:
        """The documents of ``logical`` read ahead from its current version, if any."""
        return self.ahead.get(logical, file_version_of(self._entry(logical)))

    @contextlib.contextmanager
    def reading_ahead(self) -> Iterator[Callable[[Wanted], None]]:
        """Batch point reads: yield ``read(wanted)``, which reads the stored documents
        ``wanted[logical][table]`` (ids) now, one file at a time, and keeps only them
        until the block ends (:mod:`socialcrm.storage.read_ahead`).

        A file written early (spilled) keeps its documents read ahead, as
        written; other reads go to the files as usual.
        """

        def read(wanted: Wanted) -> None:
            self.ahead.read(wanted, self._entry, self.cache, skip=MANIFEST_TABLES)

        try:
            yield read
        finally:
            self.ahead.clear()

    def view(self, logical: str, *, cache: bool = True) -> Tables:
        """Read-only data of a logical file as this transaction sees it."""
        stored = self._stored(logical, cache=cache)
        if self._pending is not None and logical in self._pending:
            return self._pending.view(logical, stored)
        return stored

    def doc(self, logical: str, table: str, doc_id: str) -> dict[str, Any] | None:
        """One document as this transaction sees it (read-only), or ``None``."""
        change = None if self._pending is None else self._pending.get(logical, table, doc_id)
        if change is None or isinstance(change, EXTENSIONS):  # the stored version is needed
            stored = self._stored_doc(logical, table, doc_id)
            return stored if change is None else change.onto(stored, orjson.loads)
        doc: dict[str, Any] | None = resolve(change, None)
        return doc

    def _changes(self) -> Pending:
        if self._pending is None:  # pragma: no cover - guarded by transaction()
            raise RuntimeError("write outside a transaction")
        return self._pending

    def set_doc(self, logical: str, table: str, doc_id: str, doc: dict[str, Any]) -> None:
        self._changes().set(logical, table, doc_id, doc)
        self._spill_if_full()

    def discard_doc(self, logical: str, table: str, doc_id: str) -> None:
        if self.doc(logical, table, doc_id) is not None:
            self._changes().delete(logical, table, doc_id)

    def append_item(self, logical: str, table: str, doc_id: str, field: str, item: Any) -> None:
        self._changes().append(logical, table, doc_id, field, item)
        self._spill_if_full()

    def insert_item(self, logical: str, table: str, doc_id: str, field: str, item: str) -> None:
        """Add ``item`` to a document's sorted list ``field`` without reading it now
        (merged when the file is read or written: see ``pending.Inserted``)."""
        self._changes().insert(logical, table, doc_id, field, item)
        self._spill_if_full()

    def replace_file(self, logical: str, data: Mapping[str, Mapping[str, Any]]) -> None:
        """Record a whole new content of ``logical`` as the documents it changes."""
        current = self.view(logical)
        for table in set(current) | set(data):
            old, new = current.get(table, {}), data.get(table, {})
            for doc_id in set(old) - set(new):
                self.discard_doc(logical, table, doc_id)
            for doc_id, doc in new.items():
                if old.get(doc_id) != doc:
                    self.set_doc(logical, table, doc_id, doc)

    def logicals(self, prefix: str) -> list[str]:
        """The logical data files whose name starts with ``prefix``, as this transaction sees."""
        names = {n for n in self.head.manifest["files"] if n.startswith(prefix)}
        names.update(n for n in self._spilled if n.startswith(prefix))
        if self._pending:
            names.update(n for n in self._pending.logicals() if n.startswith(prefix))
        return sorted(names)

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock; write every change of the block at once at the end, or none."""
        with self.head.locked():
            if self._pending is not None:  # this thread's own transaction: join it
                yield
                return
            self._begin()
            try:
                yield
                self._commit()
            finally:
                self._end()

    def _begin(self) -> None:
        """Start collecting changes (the caller holds the locks)."""
        self._pending = Pending()
        self._spilled = {}
        self._swapped = False
        self._owner = threading.get_ident()

    def _end(self) -> None:
        """Forget the transaction; without a commit, delete the files it wrote early."""
        if not self._swapped:
            for entry in self._spilled.values():
                if entry is not None:
                    with contextlib.suppress(OSError):
                        (self.path / entry["path"]).unlink()
        self._pending = None
        self._spilled = {}
        self._retiring = set()
        self._swapped = False
        self._owner = None

    def call(self, fn: Callable[..., T], *args: Any, write: bool = False) -> T:
        """Run ``fn`` under the lock (in a transaction if ``write``).

        Inside this thread's own transaction it runs directly: bulk writes
        (imports) then cost a few dict operations each, not a lock round-trip.
        """
        if self._owner == threading.get_ident():
            return fn(*args)
        if write:
            with self.transaction():
                return fn(*args)
        with self.head.locked():
            return fn(*args)

    def rebuild(
        self,
        generation: int,
        retiring: set[str],
        fill: Callable[[], None],
        keep: Tables | None = None,
    ) -> None:
        """Write the store anew in one commit: ``fill`` writes every document into an
        empty manifest numbered ``generation`` (or into ``keep``'s files: see
        ``LockedManifest.start_over``); the commit also retires ``retiring``.

        A migration, under the lock (the old manifest stays on disk until the
        commit's swap; on any error it is read again).
        """
        self.head.start_over(generation, keep)
        self._begin()
        self._retiring = retiring  # deleted by the commit's sweep
        try:
            fill()
            self._commit()
        except BaseException:
            self.head.forget()  # re-read the untouched old manifest next time
            raise
        finally:
            self._end()

    def own(self, logical: str, table: str, doc_id: str) -> dict[str, Any] | None:
        """A document this transaction may change in place (copied once), or ``None``.

        Inserting into a pipeline's sorted id list thus costs O(1) dict work per
        call instead of packing the list each time.
        """
        pending = self._changes()
        change = pending.get(logical, table, doc_id)
        if isinstance(change, dict):
            return change
        doc = self.doc(logical, table, doc_id)
        if doc is None:
            return None
        live = {k: list(v) if isinstance(v, list) else v for k, v in doc.items()}
        pending.keep_live(logical, table, doc_id, live)
        return live

    def own_new(self, logical: str, table: str, doc_id: str, doc: dict[str, Any]) -> None:
        self._changes().keep_live(logical, table, doc_id, doc)

    def _spill_if_full(self) -> None:
        pending = self._pending
        if pending is not None and pending.size > _SPILL_BYTES:
            self.head.check_writable()
            try:
                self._mark_as_store()
                self._spill()
            except OSError as exc:  # before the commit point: the store is untouched
                raise not_written_error(exc, self.path) from exc

    def _spill(self) -> None:
        """Write every changed data file now, under the generation this transaction commits.

        Nothing of the current state is touched: the manifest still lists the
        committed files, so a crash or an error leaves the store as it was (the
        next commit sweeps the files written here).  Later reads of these files
        read them back; the commit lists them in the new manifest.
        """
        for logical in self._changes().logicals():
            if logical != MANIFEST_TABLES:
                self._write_data_file(logical)

    def _write_data_file(self, logical: str) -> None:
        """Write one changed logical file under the next generation's name."""
        # documents read ahead from the current version: as written now (a batch
        # goes on reading them)
        read_ahead = self._read_ahead(logical)
        ahead = None
        if read_ahead is not None:
            ahead = {t: {i: self.doc(logical, t, i) for i in ids} for t, ids in read_ahead.items()}
        self.ahead.drop(logical)
        rel = layout.data_file_name(logical, self.header["generation"] + 1)
        self._mark_as_store()
        ensure_dir(self.path / layout.DATA_DIR)
        with open_atomic(self.path / rel, sync_dir=False) as fd:
            written = write_merged(
                fd, self.path, logical, self._entry(logical), self._changes().pop(logical)
            )
        # the versions this one replaces stay cached no more (~12× their size parsed)
        self.cache.forget(self._spilled.get(logical))
        self.cache.forget(self.head.manifest["files"].get(logical))
        if not written.documents:  # the file is no more: forget any version written early
            (self.path / rel).unlink()
            self._spilled[logical] = None
            if ahead is not None:
                self.ahead.keep(logical, None, ahead)
            return
        entry = {"path": rel, "size": written.size, "crc32": written.digest}
        self._spilled[logical] = entry
        if ahead is not None:
            self.ahead.keep(logical, file_version(entry), ahead)

    def _commit(self) -> None:
        """Write the changed files under a new generation, then swap the manifest.

        An operating-system error (disk full, permissions…) becomes a
        :class:`StoreError` saying whether the change was saved.
        """
        assert self._pending is not None
        if not self._pending and not self._spilled:
            return
        self.head.check_writable()
        try:
            self._mark_as_store()
        except OSError as exc:
            raise not_written_error(exc, self.head.manifest_path) from exc
        before = self.head.stat()
        try:
            self._write_generation()
        except OSError as exc:
            if self.head.stat() == before:
                raise not_written_error(exc, self.path) from exc
            where = Path(exc.filename) if exc.filename else self.path
            raise io_error(
                exc,
                where,
                "make durable",
                hint=_(
                    "the change is saved but may not survive a power cut; run 'socialcrm doctor'"
                ),
            ) from exc

    def _mark_as_store(self) -> None:
        """Before a new store's first data file, write its empty manifest (generation 0).

        So data files never exist without a manifest, unless it was lost:
        :mod:`socialcrm.storage.directory` can then tell a lost manifest (refused)
        from a first commit interrupted before its swap (an empty store).  The
        caller holds the lock, and the manifest's refresh found the directory empty.
        """
        if self.head.on_disk:
            return
        write_atomic(self.head.manifest_path, encode_tables(self.head.manifest))
        self.head.adopt(self.head.manifest)

    def _write_generation(self) -> None:
        assert self._pending is not None
        # Each data file is serialised in memory, then written under the new
        # generation's name: no file of the current state is touched, so an
        # error (or a crash) before the manifest swap leaves the old state.
        self._spill()
        committed = self.head.manifest
        header = dict(self.header)
        header["generation"] += 1
        files = dict(committed["files"])
        for logical, entry in self._spilled.items():
            if entry is None:
                files.pop(logical, None)
            else:
                files[logical] = entry
        from socialcrm.storage.sweep import retired_table  # writes only: not on every import

        meta, pipelines = committed["meta"], committed["pipelines"]
        if MANIFEST_TABLES in self._pending:
            tables = self.view(MANIFEST_TABLES)
            meta, pipelines = tables.get("meta", {}), tables.get("pipelines", {})
        manifest: Tables = {
            "store": {"1": header},
            "files": dict(sorted(files.items())),
            "meta": meta,
            "pipelines": pipelines,
            layout.RETIRED_TABLE: {
                **retired_table(committed["files"], files),
                **{rel: {} for rel in sorted(self._retiring)},
            },
        }
        manifest_blob = encode_tables(manifest)
        data_dir = self.path / layout.DATA_DIR
        if any(entry is not None for entry in self._spilled.values()):
            fsync_dir(data_dir)  # the new files' names are durable before the commit point
        write_atomic(self.head.manifest_path, manifest_blob, sync_dir=False)  # the commit point
        self._swapped = True
        self.head.adopt(manifest)
        fsync_dir(self.path)
        self._sweep(committed, manifest)

    def _sweep(self, previous: Tables, committed: Tables) -> None:
        """Delete only what this commit proves is garbage (:mod:`socialcrm.storage.sweep`):
        files replaced or retired, unlisted files of the generation just committed,
        temporary files.  Other unlisted files stay, for ``doctor`` to report."""
        from socialcrm.storage.sweep import sweep

        sweep(self.path, previous, committed)

    def close(self) -> None:
        """Drop caches; the lock is only ever held during an operation."""
        with self.head.thread_lock:
            self.cache.clear()
            self.head.forget()
