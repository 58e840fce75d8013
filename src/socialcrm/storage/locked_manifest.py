"""The store's lock, and a fresh, checked view of its manifest under it.

A part of :class:`socialcrm.storage.generations.GenerationStore`: every
operation holds the store's inter-process lock (:mod:`socialcrm.storage.locking`)
and starts from the manifest as it is on disk, re-read when another process
replaced it, so no process works from a stale state.  Opening is also where a
directory that must not be used as a store is refused
(:mod:`socialcrm.storage.directory`), before anything is created in it, and
where an older schema is handed to the ``upgrade`` callback given.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from socialcrm.atomic_files import ensure_dir
from socialcrm.errors import SchemaVersionError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.files import (
    Tables,
    check_header,
    decode_tables,
    empty_manifest,
    manifest_header,
)
from socialcrm.storage.locking import OnWait, StoreLock, lock_timeout_from_env
from socialcrm.storage.problems import io_error, read_only_error

__all__ = ["LockedManifest", "Upgrade"]

#: A manifest's identity on disk: inode, mtime, size, ctime (``os.replace``
#: always gives a new inode).
Signature = tuple[int, int, int, int]
#: Rewrites a store of an older schema (its manifest given) to the current one,
#: under the lock: only the document model knows the documents.
Upgrade = Callable[[Tables], None]


class LockedManifest:
    """A store directory's lock and its manifest as of the current lock hold.

    :meth:`locked` is re-entrant within a thread: the outermost hold takes the
    locks and refreshes the manifest, inner ones only count.

    :param path: the store directory (created mode 0700 if missing).
    :param lock_timeout: seconds to wait for the lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10), then :class:`StoreLockedError`.
    :param on_wait: told once when a wait for the lock lasts a second
        (:class:`~socialcrm.storage.locking.LockWait`); the CLI prints it.
    :param upgrade: rewrites a store of an older schema; ``None``: such a store
        raises :class:`SchemaVersionError`.
    :param shards: shard counts of a store created here.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float | None = None,
        on_wait: OnWait | None = None,
        upgrade: Upgrade | None = None,
        shards: dict[str, int],
    ) -> None:
        self.path = Path(path)
        self.manifest_path = self.path / layout.MANIFEST_NAME
        self.lock_path = self.path / layout.LOCK_NAME
        self.new_shards = shards
        self._lock_timeout = lock_timeout
        self._on_wait = on_wait
        self._upgrade = upgrade
        self._lock: StoreLock | None = None
        self._manifest: Tables | None = None
        self._signature: Signature | None = None
        self._holds = 0
        self._holder: int | None = None  # the thread holding the locks
        self.thread_lock = threading.RLock()

    # ------------------------------------------------------------------ the lock
    def _get_lock(self) -> StoreLock:
        if self._lock is None:
            # before creating anything (the lock file): never in ~/Documents
            if not self.manifest_path.exists():  # (a store: no need to look further)
                from socialcrm.storage.directory import refuse_unless_usable

                refuse_unless_usable(self.path)
            try:
                ensure_dir(self.path)
            except OSError as exc:
                raise io_error(exc, self.path, "create the store directory") from exc
            timeout = lock_timeout_from_env() if self._lock_timeout is None else self._lock_timeout
            self._lock = StoreLock(
                self.lock_path, store_path=self.path, timeout=timeout, on_wait=self._on_wait
            )
        return self._lock

    @property
    def held(self) -> bool:
        """Whether this thread holds the locks (then the manifest is current)."""
        return self._holder == threading.get_ident()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the thread and process locks with a fresh view of the manifest.

        Where the store is read-only the process lock is shared (or absent),
        and only reads are allowed: :meth:`check_writable` refuses the rest.
        """
        with self.thread_lock:
            if self._holds:
                self._holds += 1
                try:
                    yield
                finally:
                    self._holds -= 1
                return
            lock = self._get_lock()
            try:
                lock.acquire()
            except OSError as exc:
                raise io_error(exc, self.lock_path, "open the lock file") from exc
            self._holds = 1  # before the refresh: an upgrade runs under this hold
            self._holder = threading.get_ident()
            try:
                self._refresh()
                yield
            finally:
                self._holds = 0
                self._holder = None
                lock.release()

    @property
    def read_only(self) -> str | None:
        """Why this process may not write the store (``None``: it may); under the lock."""
        return None if self._lock is None else self._lock.read_only_reason

    def check_writable(self, doing: str | None = None) -> None:
        reason = self.read_only
        if reason is not None:
            raise read_only_error(self.path, reason, doing=doing)

    # ------------------------------------------------------------------ the manifest
    @property
    def manifest(self) -> Tables:
        """The manifest as of this hold (call under :meth:`locked`)."""
        assert self._manifest is not None
        return self._manifest

    @property
    def header(self) -> dict[str, Any]:
        """The manifest's ``store`` record: schema, generation, shard counts."""
        header: dict[str, Any] = self.manifest["store"]["1"]
        return header

    def _refresh(self) -> None:
        """Re-read the manifest if another process replaced it (checked under the lock)."""
        try:
            st = self.manifest_path.stat()
        except FileNotFoundError:
            # a new store, unless what is there says otherwise (checked again
            # under the lock: another process may have changed it since opening)
            from socialcrm.storage.directory import DirectoryKind, refuse_unless_usable

            found = refuse_unless_usable(self.path)
            if found.kind is DirectoryKind.STORE:  # a manifest appeared meanwhile
                self._refresh()
                return
            self._manifest = empty_manifest(self.new_shards)
            self._signature = None
            return
        except OSError as exc:
            raise io_error(exc, self.manifest_path, "read") from exc
        sig = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
        if self._manifest is not None and sig == self._signature:
            return
        try:
            raw = self.manifest_path.read_bytes()
        except OSError as exc:
            raise io_error(exc, self.manifest_path, "read") from exc
        manifest = decode_tables(raw, self.manifest_path)
        schema = manifest_header(manifest, self.manifest_path)["schema"]
        if schema > layout.SCHEMA_VERSION or (schema < layout.SCHEMA_VERSION and not self._upgrade):
            raise SchemaVersionError(
                path=str(self.path), found=schema, supported=layout.SCHEMA_VERSION
            )
        if schema < layout.SCHEMA_VERSION:
            assert self._upgrade is not None
            self.check_writable(
                _("upgrade it from schema {schema} to {version}").format(
                    schema=schema, version=layout.SCHEMA_VERSION
                )
            )
            self._upgrade(manifest)
            return
        check_header(manifest, self.manifest_path)  # file entries: checked when used
        self._manifest = manifest
        self._signature = sig

    def start_over(self, generation: int, keep: Tables | None = None) -> None:
        """Work from an empty manifest numbered ``generation`` (a migration rebuilds
        the store into it; the old manifest stays on disk until the commit).

        With ``keep`` (an older schema's manifest), start from its files, settings
        and shard counts instead: the migration only adds what the new schema has.
        """
        manifest = empty_manifest(self.new_shards)
        if keep is not None:
            header = {**manifest["store"]["1"], **keep["store"]["1"]}
            header["schema"] = layout.SCHEMA_VERSION
            manifest = {
                "store": {"1": header},
                **{table: dict(keep.get(table, {})) for table in ("files", "meta", "pipelines")},
            }
        manifest["store"]["1"]["generation"] = generation
        self._manifest = manifest
        self._signature = None

    def forget(self) -> None:
        """Drop the manifest: the next hold reads it from disk again."""
        self._manifest = None
        self._signature = None

    def adopt(self, manifest: Tables) -> None:
        """``manifest`` was just written as ``store.json`` under this hold: it is current."""
        self._manifest = manifest
        self._signature = self.stat()

    @property
    def on_disk(self) -> bool:
        """Whether the current manifest is ``store.json`` (not a new store's, in memory)."""
        return self._signature is not None or self.manifest_path.exists()

    @property
    def generation(self) -> int:
        """The number of the last commit (0 for a store never written)."""
        with self.locked():
            return int(self.header["generation"])

    def stat(self) -> Signature | None:
        """The manifest file's signature on disk now (``None``: no file)."""
        try:
            st = self.manifest_path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
