"""The store's lock, and a fresh, checked view of its manifest under it.

The base of :class:`socialcrm.storage.generations.GenerationStore`: every
operation holds the store's inter-process lock (:mod:`socialcrm.storage.locking`)
and starts from the manifest as it is on disk, re-read when another process
replaced it, so no process works from a stale state.  Opening is also where a
directory that must not be used as a store is refused
(:mod:`socialcrm.storage.directory`), before anything is created in it, and
where an older schema is migrated.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from socialcrm.errors import SchemaVersionError
from socialcrm.storage import layout
from socialcrm.storage.atomic import ensure_dir
from socialcrm.storage.files import (
    Tables,
    check_header,
    decode_tables,
    empty_manifest,
    manifest_header,
)
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env
from socialcrm.storage.problems import io_error, read_only_error

__all__ = ["LockedManifest"]

#: A manifest's identity on disk: inode, mtime, size, ctime (``os.replace``
#: always gives a new inode).
Signature = tuple[int, int, int, int]


class LockedManifest:
    """A store directory's lock and its manifest as of the current lock hold.

    :param path: the store directory (created mode 0700 if missing).
    :param lock_timeout: seconds to wait for the lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10), then :class:`StoreLockedError`.
    :param migrate: upgrade an older schema (after a backup) when found;
        with ``False`` an older store raises :class:`SchemaVersionError`.
    :param shards: shard counts of a store created by this instance
        (defaults: :data:`socialcrm.storage.layout.DEFAULT_SHARDS`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        lock_timeout: float | None = None,
        migrate: bool = True,
        **shards: int,
    ) -> None:
        self.path = Path(path)
        self.manifest_path = self.path / layout.MANIFEST_NAME
        self.lock_path = self.path / layout.LOCK_NAME
        self._lock_timeout = lock_timeout
        self._lock: StoreLock | None = None
        self._migrate = migrate
        unknown = set(shards) - set(layout.DEFAULT_SHARDS)
        if unknown:
            raise TypeError(f"unknown shard setting(s): {', '.join(sorted(unknown))}")
        self._new_shards = {**layout.DEFAULT_SHARDS, **shards}
        self._manifest: Tables | None = None
        self._manifest_sig: Signature | None = None
        # nesting of this object's current transaction (subclasses run them):
        # inside one, the locks are held already
        self._depth = 0
        self._thread_lock = threading.RLock()
        self._set_up()

    def _set_up(self) -> None:
        """Create a subclass's own state (called at the end of ``__init__``)."""

    def open(self) -> Self:
        """Create the directory if needed and check (or migrate) the store now."""
        with self._locked():
            pass
        return self

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
            self._lock = StoreLock(self.lock_path, store_path=self.path, timeout=timeout)
        return self._lock

    @property
    def _read_only(self) -> str | None:
        """Why this process may not write the store (``None``: it may); under the lock."""
        return None if self._lock is None else self._lock.read_only_reason

    def _check_writable(self, doing: str = "change it") -> None:
        reason = self._read_only
        if reason is not None:
            raise read_only_error(self.path, reason, doing=doing)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the thread and process locks with a fresh view of the manifest.

        Where the store is read-only the process lock is shared (or absent),
        and only reads are allowed: :meth:`_check_writable` refuses the rest.
        """
        with self._thread_lock:
            if self._depth:
                yield
                return
            lock = self._get_lock()
            try:
                lock.acquire()
            except OSError as exc:
                raise io_error(exc, self.lock_path, "open the lock file") from exc
            try:
                self._refresh()
                yield
            finally:
                lock.release()

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
            self._manifest = empty_manifest(self._new_shards)
            self._manifest_sig = None
            return
        except OSError as exc:
            raise io_error(exc, self.manifest_path, "read") from exc
        sig = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
        if self._manifest is not None and sig == self._manifest_sig:
            return
        try:
            raw = self.manifest_path.read_bytes()
        except OSError as exc:
            raise io_error(exc, self.manifest_path, "read") from exc
        manifest = decode_tables(raw, self.manifest_path)
        schema = manifest_header(manifest, self.manifest_path)["schema"]
        if schema > layout.SCHEMA_VERSION:
            raise SchemaVersionError(
                path=str(self.path), found=schema, supported=layout.SCHEMA_VERSION
            )
        if schema < layout.SCHEMA_VERSION:
            if not self._migrate:
                raise SchemaVersionError(
                    path=str(self.path), found=schema, supported=layout.SCHEMA_VERSION
                )
            self._check_writable(f"upgrade it from schema {schema} to {layout.SCHEMA_VERSION}")
            self._upgrade(manifest)
            return
        check_header(manifest, self.manifest_path)  # file entries: checked when used
        self._manifest = manifest
        self._manifest_sig = sig

    def _upgrade(self, old: Tables) -> None:
        """Rewrite a store of an older schema (manifest ``old``) to the current one.

        The caller holds the lock.  Only the subclass knows the documents, so
        only it can migrate them.
        """
        raise SchemaVersionError(
            path=str(self.path),
            found=manifest_header(old, self.manifest_path)["schema"],
            supported=layout.SCHEMA_VERSION,
        )

    @property
    def _header(self) -> dict[str, Any]:
        assert self._manifest is not None
        header: dict[str, Any] = self._manifest["store"]["1"]
        return header

    @property
    def generation(self) -> int:
        """The number of the last commit (0 for a store never written)."""
        with self._locked():
            return int(self._header["generation"])

    def _stat_manifest(self) -> tuple[int, int, int, int] | None:
        try:
            st = self.manifest_path.stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
