"""A throw-away PostgreSQL database for a test session (created, emptied, dropped)."""

from __future__ import annotations

import os
import uuid

from attrs import define

SKIP_ENV = "SOCIALCRM_SKIP_POSTGRES"
SERVER_ENV = "SOCIALCRM_TEST_PG"
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TABLES = (
    "socialcrm_events",
    "socialcrm_emails",
    "socialcrm_identities",
    "socialcrm_prospects",
    "socialcrm_settings",
    "socialcrm_pipelines",
)


def admin_url() -> str:
    return os.environ.get(SERVER_ENV, DEFAULT_SERVER)


def _engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    from socialcrm.storage.sql.engine import parse_url

    return create_engine(parse_url(url), isolation_level="AUTOCOMMIT")


@define
class ScratchDatabase:
    """A database named ``socialcrm_test_<pid>_<random>`` on the admin URL's server."""

    admin: str
    name: str

    @classmethod
    def create(cls, admin: str) -> ScratchDatabase:
        name = f"socialcrm_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        database = cls(admin, name)
        database.create_empty()
        return database

    @property
    def url(self) -> str:
        """The database's URL, as a rep writes it (``postgresql://…``)."""
        from sqlalchemy.engine import make_url

        return make_url(self.admin).set(database=self.name).render_as_string(hide_password=False)

    def create_empty(self) -> None:
        engine = _engine(self.admin)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.name}"')
        finally:
            engine.dispose()

    def upgrade(self) -> None:
        from socialcrm.storage.sql.repository import SQLRepository

        repository = SQLRepository(self.url)
        repository.connect()
        try:
            repository.upgrade()
        finally:
            repository.close()

    def empty(self) -> None:
        engine = _engine(self.url)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)}")
        finally:
            engine.dispose()

    def drop(self) -> None:
        engine = _engine(self.admin)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            engine.dispose()
