"""Durable stores for socialcrm: where the store lives and how to open it.

A store is a directory (the TinyDB store) or a database URL (``postgresql://…``,
``sqlite:///path``: :mod:`socialcrm.storage.sql`).  This package is light: it
imports no storage engine until a store is opened, so ``import socialcrm`` (and
``socialcrm --help``) stay fast and never import tinydb or SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from socialcrm.storage.sql.urls import is_database_url, mask_url

if TYPE_CHECKING:
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
    path: str | Path, *, lock_timeout: float | None = None
) -> TinyDBRepository | SQLRepository:
    """Open the store at ``path``: a database URL, or a TinyDB directory (created if needed).

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

    return TinyDBRepository(Path(path), lock_timeout=lock_timeout).open()
