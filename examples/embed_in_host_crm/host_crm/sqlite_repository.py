"""A socialcrm ``Repository`` on SQLite (stdlib ``sqlite3``), written by the host.

socialcrm's ``Repository`` is a structural protocol: nothing to inherit.  This
class proves it implements it by passing
:class:`socialcrm.testing.contract.RepositoryContract` (see ``tests/``).

Design choices a host would make for its own store:

* Models are stored as socialcrm's versioned JSON documents
  (:func:`socialcrm.serialization.to_dict`), with a few columns copied out of
  the document for SQL filtering; the document stays the source of truth.
* Identity uniqueness per pipeline is enforced by the database itself
  (``PRIMARY KEY (pipeline, key)``), not only by a check in Python.
* ``transaction()`` is ``BEGIN IMMEDIATE`` … ``COMMIT``; nested blocks are
  savepoints, so an inner failure caught by the caller undoes only the inner
  block, and an outer failure undoes everything.
* Every public write runs in a transaction, so a prospect never exists without
  its identity rows even outside a caller's ``transaction()``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from attrs import evolve

from socialcrm import (
    DuplicateIdentityError,
    Event,
    NotFoundError,
    Pipeline,
    Prospect,
    Query,
    SchemaVersionError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)
from socialcrm.serialization import dumps, from_dict, loads, to_dict

__all__ = ["SCHEMA_VERSION", "SQLiteRepository"]

SCHEMA_VERSION = 1

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sc_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL                  -- JSON
);
CREATE TABLE IF NOT EXISTS sc_pipelines (
    name TEXT PRIMARY KEY,
    doc  TEXT NOT NULL                   -- socialcrm pipeline document
);
CREATE TABLE IF NOT EXISTS sc_prospects (
    id       TEXT PRIMARY KEY,
    pipeline TEXT NOT NULL,
    stage    TEXT NOT NULL,
    status   TEXT NOT NULL,
    owner    TEXT,
    doc      TEXT NOT NULL               -- socialcrm prospect document
);
CREATE INDEX IF NOT EXISTS sc_prospects_pipeline ON sc_prospects (pipeline, stage, status);
CREATE TABLE IF NOT EXISTS sc_identities (
    pipeline    TEXT NOT NULL,
    key         TEXT NOT NULL,           -- network:handle
    prospect_id TEXT NOT NULL,
    PRIMARY KEY (pipeline, key)          -- one owner per identity and pipeline
);
CREATE INDEX IF NOT EXISTS sc_identities_prospect ON sc_identities (prospect_id);
CREATE TABLE IF NOT EXISTS sc_emails (
    pipeline    TEXT NOT NULL,
    email       TEXT NOT NULL,           -- casefolded
    prospect_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sc_emails_lookup ON sc_emails (pipeline, email);
CREATE INDEX IF NOT EXISTS sc_emails_prospect ON sc_emails (prospect_id);
CREATE TABLE IF NOT EXISTS sc_events (
    id          TEXT PRIMARY KEY,
    prospect_id TEXT NOT NULL,
    at_us       INTEGER NOT NULL,        -- microseconds since the epoch, for ordering
    doc         TEXT NOT NULL            -- socialcrm event document
);
CREATE INDEX IF NOT EXISTS sc_events_prospect ON sc_events (prospect_id, at_us, id);
"""


def _micros(at: datetime) -> int:
    """Exact integer microseconds since the epoch (no float rounding)."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 (its parent 0700): it holds personal data."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


class SQLiteRepository:
    """socialcrm's storage port on one SQLite file (the host's own database).

    :param path: the database file, created 0600 if missing.
    :param timeout: seconds to wait for another writer before
        :class:`~socialcrm.StoreLockedError`.
    """

    def __init__(self, path: str | Path, *, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._depth = 0
        _create_private_file(self.path)
        try:
            self._db: sqlite3.Connection | None = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None
            )
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            self.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise self._locked() from exc
            raise StoreCorruptError(path=str(self.path), detail=str(exc)) from exc

    # ------------------------------------------------------------ plumbing
    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection, for the host's own tables (same transactions)."""
        if self._db is None:
            raise StoreError("the repository is closed", path=str(self.path))
        return self._db

    def _locked(self) -> StoreLockedError:
        return StoreLockedError(path=str(self.path), lock_path=str(self.path), timeout=self.timeout)

    def _init_schema(self) -> None:
        db = self.connection
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise SchemaVersionError(path=str(self.path), found=found, supported=SCHEMA_VERSION)
        if found < SCHEMA_VERSION:
            # One statement at a time: executescript() would COMMIT our transaction.
            with self.transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.connection.execute(sql, params)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise self._locked() from exc
            raise StoreError(f"SQLite error: {exc}", path=str(self.path)) from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes of the block, or none; nested blocks are savepoints."""
        if self._depth:
            name = f"sc_sp{self._depth}"
            self._execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._execute(f"ROLLBACK TO {name}")
                self._execute(f"RELEASE {name}")
                raise
            else:
                self._execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
        self._depth = 1
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        else:
            try:
                self._execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
        finally:
            self._depth = 0

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    # ------------------------------------------------ pipelines and settings
    def list_pipelines(self) -> list[Pipeline]:
        rows = self._execute("SELECT doc FROM sc_pipelines ORDER BY name").fetchall()
        return [from_dict(Pipeline, loads(doc)) for (doc,) in rows]

    def get_pipeline(self, name: str) -> Pipeline | None:
        row = self._execute("SELECT doc FROM sc_pipelines WHERE name = ?", (name,)).fetchone()
        return None if row is None else from_dict(Pipeline, loads(row[0]))

    def put_pipeline(self, pipeline: Pipeline) -> None:
        self._execute(
            "INSERT INTO sc_pipelines (name, doc) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET doc = excluded.doc",
            (pipeline.name, dumps(to_dict(pipeline))),
        )

    def rename_pipeline(self, old: str, new: str) -> None:
        with self.transaction():
            pipeline = self.get_pipeline(old)
            if pipeline is None:
                raise NotFoundError(old, what="pipeline")
            self._execute("DELETE FROM sc_pipelines WHERE name = ?", (old,))
            self.put_pipeline(evolve(pipeline, name=new))
            ids = [
                pid
                for (pid,) in self._execute(
                    "SELECT id FROM sc_prospects WHERE pipeline = ?", (old,)
                ).fetchall()
            ]
            for pid in ids:
                prospect = self.get(pid)
                assert prospect is not None
                self.put(evolve(prospect, pipeline=new))
                for event in self.events(pid):
                    self._put_event(evolve(event, pipeline=new))

    def delete_pipeline(self, name: str) -> None:
        with self.transaction():
            self._execute("DELETE FROM sc_pipelines WHERE name = ?", (name,))
            rows = self._execute("SELECT id FROM sc_prospects WHERE pipeline = ?", (name,))
            for (pid,) in rows.fetchall():
                self.delete(pid)

    def get_meta(self, key: str) -> Any:
        row = self._execute("SELECT value FROM sc_meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        if value is None:
            self._execute("DELETE FROM sc_meta WHERE key = ?", (key,))
        else:
            self._execute(
                "INSERT INTO sc_meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, dumps(value)),
            )

    # ------------------------------------------------------------ prospects
    def _prospect(self, doc: str) -> Prospect:
        return from_dict(Prospect, loads(doc))

    def get(self, prospect_id: str) -> Prospect | None:
        row = self._execute("SELECT doc FROM sc_prospects WHERE id = ?", (prospect_id,)).fetchone()
        return None if row is None else self._prospect(row[0])

    def put(self, prospect: Prospect) -> None:
        with self.transaction():
            for identity in prospect.identities:
                owner = self._execute(
                    "SELECT prospect_id FROM sc_identities WHERE pipeline = ? AND key = ?",
                    (prospect.pipeline, identity.key),
                ).fetchone()
                if owner is not None and owner[0] != prospect.id:
                    raise DuplicateIdentityError(identity.key, owner[0], prospect.pipeline)
            self._execute(
                "INSERT INTO sc_prospects (id, pipeline, stage, status, owner, doc) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "pipeline = excluded.pipeline, stage = excluded.stage, "
                "status = excluded.status, owner = excluded.owner, doc = excluded.doc",
                (
                    prospect.id,
                    prospect.pipeline,
                    prospect.stage.value,
                    prospect.status.value,
                    prospect.owner,
                    dumps(to_dict(prospect)),
                ),
            )
            self._execute("DELETE FROM sc_identities WHERE prospect_id = ?", (prospect.id,))
            self.connection.executemany(
                "INSERT INTO sc_identities (pipeline, key, prospect_id) VALUES (?, ?, ?)",
                [(prospect.pipeline, i.key, prospect.id) for i in prospect.identities],
            )
            self._execute("DELETE FROM sc_emails WHERE prospect_id = ?", (prospect.id,))
            self.connection.executemany(
                "INSERT INTO sc_emails (pipeline, email, prospect_id) VALUES (?, ?, ?)",
                [(prospect.pipeline, e.casefold(), prospect.id) for e in prospect.emails],
            )

    def delete(self, prospect_id: str) -> None:
        with self.transaction():
            for table, column in (
                ("sc_events", "prospect_id"),
                ("sc_identities", "prospect_id"),
                ("sc_emails", "prospect_id"),
                ("sc_prospects", "id"),
            ):
                self._execute(f"DELETE FROM {table} WHERE {column} = ?", (prospect_id,))

    def query(self, query: Query) -> list[Prospect]:
        # SQL narrows by the indexed columns; Query.apply does the rest (text,
        # tag, network, sorting, limit) exactly like every other backend.
        sql = "SELECT doc FROM sc_prospects WHERE pipeline = ?"
        params: list[Any] = [query.pipeline]
        if query.stage is not None:
            sql += " AND stage = ?"
            params.append(query.stage.value)
        if query.status is not None:
            sql += " AND status = ?"
            params.append(query.status.value)
        if query.owner is not None:
            # with ``unowned``, the prospects nobody owns yet come too (a rep's own work)
            sql += " AND (owner = ? OR owner IS NULL)" if query.unowned else " AND owner = ?"
            params.append(query.owner)
        rows = self._execute(sql, params).fetchall()
        return query.apply([self._prospect(doc) for (doc,) in rows])

    def count(self, pipeline: str) -> int:
        row = self._execute("SELECT count(*) FROM sc_prospects WHERE pipeline = ?", (pipeline,))
        return int(row.fetchone()[0])

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        prefix = prefix.upper()
        rows = self._execute(
            "SELECT doc FROM sc_prospects WHERE pipeline = ? AND substr(id, 1, ?) = ? ORDER BY id",
            (pipeline, len(prefix), prefix),
        ).fetchall()
        return [self._prospect(doc) for (doc,) in rows]

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        rows = self._execute(
            "SELECT DISTINCT p.id, p.doc FROM sc_emails e JOIN sc_prospects p "
            "ON p.id = e.prospect_id WHERE e.pipeline = ? AND e.email = ? ORDER BY p.id",
            (pipeline, email.strip().casefold()),
        ).fetchall()
        return [self._prospect(doc) for (_id, doc) in rows]

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        row = self._execute(
            "SELECT p.doc FROM sc_identities i JOIN sc_prospects p ON p.id = i.prospect_id "
            "WHERE i.pipeline = ? AND i.key = ?",
            (pipeline, key),
        ).fetchone()
        return None if row is None else self._prospect(row[0])

    # --------------------------------------------------------------- events
    def _put_event(self, event: Event) -> None:
        self._execute(
            "INSERT INTO sc_events (id, prospect_id, at_us, doc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET prospect_id = excluded.prospect_id, "
            "at_us = excluded.at_us, doc = excluded.doc",
            (event.id, event.prospect_id, _micros(event.at), dumps(to_dict(event))),
        )

    def append_event(self, event: Event) -> None:
        if self._execute("SELECT 1 FROM sc_events WHERE id = ?", (event.id,)).fetchone():
            raise StoreError(f"event {event.id} already exists: events are append-only")
        self._put_event(event)

    def events(self, prospect_id: str) -> list[Event]:
        rows = self._execute(
            "SELECT doc FROM sc_events WHERE prospect_id = ? ORDER BY at_us, id", (prospect_id,)
        ).fetchall()
        return [from_dict(Event, loads(doc)) for (doc,) in rows]

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        # one indexed query per prospect is cheap in SQLite: no need to batch here
        for prospect_id in dict.fromkeys(prospect_ids):
            yield prospect_id, self.events(prospect_id)

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        with self.transaction():
            for event in self.events(from_prospect_id):
                self._put_event(evolve(event, prospect_id=to_prospect_id))
