"""``socialcrm db upgrade`` and ``db current``: a database's schema, checked or brought to the head.

Apart from :mod:`~socialcrm.storage.sql.migrate` (which the store itself calls
on a connection it holds) because these open a store of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from socialcrm.storage.sql.connections import SQLStore
from socialcrm.storage.sql.migrate import SchemaStatus

__all__ = ["database_status", "upgrade_database"]

T = TypeVar("T")


def _on(url: str, work: Callable[[SQLStore], T], *, create: bool = True) -> T:
    """``work`` on a store at ``url`` opened without the schema check, then closed."""
    store = SQLStore(url)
    store.connect(create=create)
    try:
        return work(store)
    finally:
        store.close()


def upgrade_database(url: str) -> tuple[SchemaStatus, SchemaStatus]:
    """``socialcrm db upgrade``: bring the database at ``url`` to the head (before, after)."""
    return _on(url, lambda store: store.upgrade())


def database_status(url: str) -> SchemaStatus:
    """``socialcrm db current``: the schema revision of the database at ``url``."""
    return _on(url, lambda store: store.status(), create=False)
