"""Durable stores for socialcrm: where the store lives and how to open it.

A store is a directory (the TinyDB store, the default) or a database URL
(``postgresql://…``, ``sqlite:///path``: :mod:`socialcrm.storage.sql`).  This
package is light: it imports no storage engine until a store is opened, so
``import socialcrm`` (and ``socialcrm --help``) stay fast and never import
tinydb or SQLAlchemy.

Map of the directory store (``docs/storage.md`` says what it guarantees)::

    this module      open_repository, resolve_store / resolve_db_path: which store, opened
    tinydb           TinyDBRepository, the Repository port: prospects, events,
                     pipelines, queries -- holds a GenerationStore, is not one
      indexes          the documents that find prospects: locators, identity and
                       e-mail keys, pipelines' id lists
      tables           TinyDB tables over the engine's files (the only tinydb import)
    generations      GenerationStore, the engine: transactions, the commit (data files
                     under the next generation, then the manifest swapped), early writes
      locked_manifest  the lock held, and the manifest re-read when another process
                       committed; a directory that is not a store refused
      file_cache       parsed, verified data files, bounded
      read_ahead       a batch's index documents, one file read at a time
      pending          what a transaction changed, packed as JSON
      sweep            which files a commit may delete
    files            the on-disk format: encoding, CRC-32s, manifest checks (no tinydb)
    layout           names and shards of the files; atomic: crash-safe writes
    locking          the inter-process lock, its wait and its "waiting for…" notice
    directory        what a directory is: a store, empty, manifest lost, or foreign
    problems         the errors about a store directory, worded once
    migrations       older schemas rewritten after a backup
    backups          backup, list_backups, restore (archives: the .tar.gz format)
    doctor           the checks of 'socialcrm doctor' (consistency, report)
    copy             copy_store: a whole store between a directory and a database
    sql/             the database store (SQLAlchemy Core, Alembic)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from socialcrm.storage.sql.urls import is_database_url, mask_url

if TYPE_CHECKING:
    from socialcrm.storage.locking import OnWait
    from socialcrm.storage.sql.repository import SQLRepository
    from socialcrm.storage.tinydb import TinyDBRepository

__all__ = [
    "DB_ENV",
    "default_db_path",
    "describe_store",
    "is_database_url",
    "open_repository",
    "resolve_db_path",
    "resolve_store",
]

DB_ENV = "SOCIALCRM_DB"


def default_db_path() -> Path:
    """The store in the user's data directory (e.g. ``~/.local/share/socialcrm/store``)."""
    from platformdirs import user_data_path

    return user_data_path("socialcrm", appauthor=False) / "store"


def resolve_db_path(value: str | Path | None = None) -> Path:
    """The store directory: ``value`` if given, else ``$SOCIALCRM_DB``, else the default.

    ``~`` is expanded; the path is not created here (opening the store does it).
    """
    if value is not None and str(value).strip():
        return Path(value).expanduser()
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return default_db_path()


def resolve_store(value: str | Path | None = None) -> str | Path:
    """The store: a database URL (kept as text) or a directory (as :func:`resolve_db_path`)."""
    for candidate in (value, os.environ.get(DB_ENV)):
        if candidate is not None and str(candidate).strip():
            if is_database_url(candidate):
                return str(candidate).strip()
            break
    return resolve_db_path(value)


def describe_store(location: str | Path) -> str:
    """``location`` fit to print: a URL's password is replaced by ``***``."""
    return mask_url(str(location)) if is_database_url(location) else str(location)


def open_repository(
    path: str | Path, *, lock_timeout: float | None = None, on_wait: OnWait | None = None
) -> TinyDBRepository | SQLRepository:
    """Open the store at ``path``: a database URL, or a TinyDB directory (created if needed).

    ``lock_timeout``: seconds to wait for another process's lock (default
    ``$SOCIALCRM_LOCK_TIMEOUT`` or 10).  ``on_wait``: called once when a wait for
    a directory store's lock lasts a second, with a
    :class:`~socialcrm.storage.locking.LockWait` (the CLI prints a line; a
    database's row locks are waited for without it).

    Raises :class:`~socialcrm.errors.SchemaVersionError` for a store written by
    a newer socialcrm, :class:`~socialcrm.errors.StoreCorruptError` for an
    unreadable manifest, :class:`~socialcrm.errors.StoreLockedError` if another
    process holds the lock too long.  An older TinyDB store is migrated after
    an automatic backup; a database must be upgraded with ``socialcrm db
    upgrade`` (a new SQLite file is created up to date).  A URL without the
    ``sql`` extra installed raises :class:`~socialcrm.errors.StoreError` naming it.
    """
    if is_database_url(path):
        from socialcrm.storage.sql.engine import missing_extra

        try:
            from socialcrm.storage.sql.repository import SQLRepository
        except ImportError as exc:
            raise missing_extra(str(path), exc) from None
        return SQLRepository(str(path), lock_timeout=lock_timeout).open()
    from socialcrm.storage.tinydb import TinyDBRepository

    return TinyDBRepository(Path(path), lock_timeout=lock_timeout, on_wait=on_wait).open()
