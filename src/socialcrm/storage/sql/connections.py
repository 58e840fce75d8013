"""The SQL store's connections and transactions, under the repository's methods.

:class:`SQLStore` owns the engine and this thread's open transaction, and
gives the repository its three ways to touch the database: a read
(:meth:`~SQLStore.reading`: the open transaction's connection, or a pooled one
of its own), a write (:meth:`~SQLStore.writing`: inside a transaction, its own
if none is open) and a consistent read-only :meth:`~SQLStore.snapshot`.  It
also holds the *versioned* rows (pipelines, settings): read by nearly every
command, they are not locked but carry a version, and a transaction writing a
row it read checks that nobody changed it meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import delete, select, update

from socialcrm.errors import StoreError
from socialcrm.i18n import text as _
from socialcrm.storage.locking import lock_timeout_from_env
from socialcrm.storage.sql import engine as engines
from socialcrm.storage.sql.schema import pipelines, settings
from socialcrm.storage.sql.urls import mask_url

if TYPE_CHECKING:
    from sqlalchemy import Select, Table
    from sqlalchemy.engine import Connection, Engine

    from socialcrm.storage.sql.migrate import SchemaStatus

__all__ = ["SQLStore", "chunks"]

CHUNK = 1000  # ids per IN (…) list
T = TypeVar("T")
_UNREAD = object()


class _Transaction(threading.local):
    """This thread's open transaction: its connection, depth, and the versions it read."""

    def __init__(self) -> None:
        self.conn: Connection | None = None
        self.depth = 0
        self.read_only = False
        self.versions: dict[tuple[str, str], int | None] = {}


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` by :data:`CHUNK` (an ``IN (…)`` list, a batch of rows)."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class SQLStore:
    """The engine of one store URL and this thread's transaction (see the module doc).

    :param url: a SQLAlchemy URL, ``postgresql://user@host/db`` or ``sqlite:///path``.
    :param lock_timeout: seconds to wait for another rep's lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10).
    """

    def __init__(self, url: str, *, lock_timeout: float | None = None) -> None:
        self.url = url.strip()
        self.label = mask_url(self.url)
        self.lock_timeout = lock_timeout if lock_timeout is not None else lock_timeout_from_env()
        self._engine: Engine | None = None
        self._row_locks = False
        self._tx = _Transaction()

    def connect(self, *, create: bool = True) -> bool:
        """Create the engine (a new SQLite file 0600 first); ``True`` if that file is new.

        With ``create=False`` a missing SQLite file is an error rather than created
        (``doctor`` and ``db current`` change nothing).
        """
        parsed = engines.parse_url(self.url)
        with self._translated():
            path = engines.sqlite_file(parsed)
            if path is not None and not create and not path.is_file():
                raise StoreError(
                    _("there is no database file {path}").format(path=path),
                    path=self.label,
                    hint=_("check --db / SOCIALCRM_DB; any socialcrm command creates it"),
                )
            fresh = path is not None and engines.create_private_file(path)
            self._engine = engines.create(parsed, lock_timeout=self.lock_timeout)
            self._row_locks = self._engine.dialect.name == "postgresql"
        return fresh

    # ------------------------------------------------------------------ plumbing
    def status(self) -> SchemaStatus:
        """The database's schema revision against this code's."""
        from socialcrm.storage.sql.migrate import read_status

        with self._translated(), self.engine.connect() as conn:
            return read_status(conn)

    def upgrade(self) -> tuple[SchemaStatus, SchemaStatus]:
        """Bring the schema to the head, in one transaction: the statuses (before, after)."""
        from socialcrm.storage.sql.migrate import run_upgrade

        with self._translated(), self.engine.connect() as conn:
            conn.execution_options(**{engines.WRITE_OPTION: True})
            with conn.begin():
                return run_upgrade(conn, self.label)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise StoreError(
                _("the store {label} is closed").format(label=self.label), path=self.label
            )
        return self._engine

    @property
    def dialect(self) -> str:
        """``"postgresql"`` or ``"sqlite"``."""
        return self.engine.dialect.name

    def _translated(self) -> AbstractContextManager[None]:
        """Driver errors in the block → library errors (never the password nor the SQL)."""
        return engines.translated(self.url, timeout=self.lock_timeout)

    def close(self) -> None:
        """Release the connections (idempotent)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One database transaction for the block; nested blocks join the outermost."""
        tx = self._tx
        if tx.depth:
            if tx.read_only:
                raise StoreError(_("cannot write inside a read-only snapshot"), path=self.label)
            tx.depth += 1
            try:
                yield
            finally:
                tx.depth -= 1
            return
        with self._translated(), self.engine.connect() as conn:
            conn.execution_options(**{engines.WRITE_OPTION: True})
            with conn.begin():
                tx.conn, tx.depth = conn, 1
                try:
                    yield
                finally:
                    tx.conn, tx.depth = None, 0
                    tx.versions.clear()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads of the block see one moment of the database, lock nothing, write nothing.

        For whole-store reads (``store copy``): PostgreSQL ``REPEATABLE READ READ
        ONLY``; SQLite a read transaction.
        """
        tx = self._tx
        if tx.depth:
            yield
            return
        with self._translated(), self.engine.connect() as conn:
            if self._row_locks:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if self._row_locks:
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                tx.conn, tx.depth, tx.read_only = conn, 1, True
                try:
                    yield
                finally:
                    tx.conn, tx.depth, tx.read_only = None, 0, False

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        conn = self._tx.conn
        with self._translated():
            if conn is not None:
                yield conn
            else:
                with self.engine.connect() as own:
                    yield own

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.transaction():
            assert self._tx.conn is not None
            yield self._tx.conn

    def _locks_rows(self) -> bool:
        """Whether reads lock what they return: inside a write transaction, on PostgreSQL."""
        tx = self._tx
        return tx.conn is not None and not tx.read_only and self._row_locks

    def _locking(self, stmt: Select[Any], *of: Table) -> Select[Any]:
        """``stmt``, locking the prospects it returns when :meth:`_locks_rows`."""
        if not self._locks_rows():
            return stmt
        return stmt.with_for_update(of=list(of) or None)

    def _insert(self, table: Table) -> Any:
        """An INSERT with ``on_conflict_do_update``/``_nothing`` (same API on both dialects)."""
        if self._row_locks:
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)

    # --------------------------------------------- versioned rows: pipelines, settings
    def _versioned(self, table: Table) -> tuple[Any, Any]:
        """The key and value columns of a versioned table."""
        if table is pipelines:
            return pipelines.c.name, pipelines.c.doc
        return settings.c.key, settings.c.value

    def _read_versioned(self, conn: Connection, table: Table, key: str) -> Any:
        keycol, valuecol = self._versioned(table)
        row = conn.execute(select(valuecol, table.c.version).where(keycol == key)).first()
        if self._tx.conn is not None and not self._tx.read_only:
            self._tx.versions.setdefault((table.name, key), None if row is None else row[1])
        return None if row is None else row[0]

    def _write_versioned(self, conn: Connection, table: Table, key: str, value: Any) -> None:
        """Insert, replace or (``value`` None) delete a row; refused if it changed since read."""
        keycol, valuecol = self._versioned(table)
        read: Any = self._tx.versions.get((table.name, key), _UNREAD)
        row = {keycol.name: key, "version": 1, valuecol.name: value}
        written: int | None
        if read is _UNREAD:  # not read in this transaction: last writer wins
            if value is None:
                conn.execute(delete(table).where(keycol == key))
                return
            stmt = self._insert(table).values(row)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[keycol],
                    set_={
                        valuecol.name: stmt.excluded[valuecol.name],
                        "version": table.c.version + 1,
                    },
                )
            )
            return
        if read is None and value is None:  # absent when read: must still be
            done = 0 if conn.execute(select(keycol).where(keycol == key)).first() else 1
            written = None
        elif read is None:
            stmt = self._insert(table).values(row).on_conflict_do_nothing(index_elements=[keycol])
            # an INSERT's rowcount is only kept when asked for
            done = conn.execute(stmt.execution_options(preserve_rowcount=True)).rowcount
            written = 1
        else:
            same = (keycol == key) & (table.c.version == read)
            if value is None:
                done = conn.execute(delete(table).where(same)).rowcount
                written = None
            else:
                changed = (
                    update(table).where(same).values({valuecol.name: value, "version": read + 1})
                )
                done = conn.execute(changed).rowcount
                written = int(read) + 1
        if done != 1:
            if table is pipelines:
                message = _(
                    "pipeline {key!r} was changed by another socialcrm command at the same time"
                )
            else:
                message = _(
                    "setting {key!r} was changed by another socialcrm command at the same time"
                )
            raise StoreError(
                message.format(key=key),
                path=self.label,
                hint=_("nothing was written; run the command again"),
            )
        self._tx.versions[(table.name, key)] = written
