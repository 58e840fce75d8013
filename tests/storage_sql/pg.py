"""Databases for the tests: a throw-away PostgreSQL database per session, plain SQL on a URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from attrs import define

SKIP_ENV = "SOCIALCRM_SKIP_POSTGRES"
SERVER_ENV = "SOCIALCRM_TEST_PG"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get(SERVER_ENV, DEFAULT_SERVER)


@contextmanager
def connection(url: str, **options: Any) -> Iterator[Any]:
    """A SQLAlchemy connection to ``url`` (its own engine, disposed after)."""
    from sqlalchemy import create_engine

    from socialcrm.storage.sql.engine import parse_url

    engine = create_engine(parse_url(url), **options)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def execute(url: str, sql: str) -> None:
    """Run ``sql`` on the database at ``url`` and commit (a change made behind socialcrm)."""
    from sqlalchemy import text

    with connection(url) as conn:
        conn.execute(text(sql))
        conn.commit()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@define
class ScratchDatabase:
    """A database named ``socialcrm_test_<pid>_<random>`` on the admin URL's server."""

    admin: str
    name: str

    @classmethod
    def create(cls, admin: str) -> ScratchDatabase:
        database = cls(admin, f"socialcrm_test_{os.getpid()}_{uuid.uuid4().hex[:8]}")
        with connection(admin, isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{database.name}"')
        return database

    @property
    def url(self) -> str:
        """The database's URL, as a rep writes it (``postgresql://…``)."""
        from sqlalchemy.engine import make_url

        return make_url(self.admin).set(database=self.name).render_as_string(hide_password=False)

    def upgrade(self) -> None:
        from socialcrm.storage.sql.upgrade import upgrade_database

        upgrade_database(self.url)

    def empty(self) -> None:
        """Delete every row of socialcrm's tables (quicker than a new database per test)."""
        from socialcrm.storage.sql.schema import metadata

        names = ", ".join(table.name for table in metadata.sorted_tables)
        execute(self.url, f"TRUNCATE {names}")

    @staticmethod
    def drop_stale(admin: str) -> None:
        """Drop the databases of earlier sessions that died before their clean-up (kill -9)."""
        with connection(admin, isolation_level="AUTOCOMMIT") as conn:
            from sqlalchemy import text

            names = conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE 'socialcrm\\_test\\_%'")
            ).scalars()
            for name in list(names):
                pid = name.split("_")[2]
                if pid.isdigit() and not _alive(int(pid)):
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop(self) -> None:
        with connection(self.admin, isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
