"""Durable stores for socialcrm: where the store lives and how to open it.

This package is light: it imports no storage engine until a store is opened,
so ``import socialcrm`` (and ``socialcrm --help``) stay fast and never import
tinydb.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from socialcrm.storage.tinydb import TinyDBRepository

__all__ = ["DB_ENV", "default_db_path", "open_repository", "resolve_db_path"]

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


def open_repository(path: str | Path, *, lock_timeout: float | None = None) -> TinyDBRepository:
    """Open (creating if needed) the TinyDB store at ``path`` and check it.

    Raises :class:`~socialcrm.errors.SchemaVersionError` for a store written by
    a newer socialcrm, :class:`~socialcrm.errors.StoreCorruptError` for an
    unreadable manifest, :class:`~socialcrm.errors.StoreLockedError` if another
    process holds the lock too long.  An older store is migrated after an
    automatic backup.
    """
    from socialcrm.storage.tinydb import TinyDBRepository

    return TinyDBRepository(Path(path), lock_timeout=lock_timeout).open()
