"""Fixtures of the SQL store's tests: a PostgreSQL database of their own, SQLite files.

The session creates one database on the server at ``SOCIALCRM_TEST_PG``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``), named after the
pid, and drops it at the end, even after a failure.  Each test gets a fresh
schema in it (the tables are emptied between tests, not re-created).

When the server cannot be reached the PostgreSQL tests **fail**; set
``SOCIALCRM_SKIP_POSTGRES=1`` to skip them instead (on a machine without
PostgreSQL).  SQLite tests need nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pg import SERVER_ENV, SKIP_ENV, ScratchDatabase, admin_url


@pytest.fixture(scope="session")
def pg_database() -> Iterator[ScratchDatabase]:
    """The session's own PostgreSQL database, upgraded to the head; dropped at the end."""
    if os.environ.get(SKIP_ENV):
        pytest.skip(f"PostgreSQL tests skipped ({SKIP_ENV} is set)")
    try:
        ScratchDatabase.drop_stale(admin_url())
        database = ScratchDatabase.create(admin_url())
    except Exception as exc:  # the server is down: fail (CI must not pass without it)
        from socialcrm.storage.sql.urls import mask_url, scrub

        pytest.fail(
            f"PostgreSQL cannot be used at {mask_url(admin_url())} "
            f"({scrub(str(exc).splitlines()[0], admin_url())}): start it, set {SERVER_ENV} "
            f"to another server's URL, or set {SKIP_ENV}=1 to skip the PostgreSQL tests",
            pytrace=False,
        )
    try:
        database.upgrade()
        yield database
    finally:
        database.drop()


@pytest.fixture
def pg_url(pg_database: ScratchDatabase) -> str:
    """The URL of an empty, upgraded socialcrm database."""
    pg_database.empty()
    return pg_database.url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL of a SQLite file that does not exist yet (created on first open)."""
    return f"sqlite:///{tmp_path / 'store.db'}"
