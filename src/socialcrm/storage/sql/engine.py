"""One SQLAlchemy engine per store URL, and database errors as library errors.

PostgreSQL goes through psycopg 3 (``postgresql://`` means ``postgresql+psycopg://``);
SQLite through the standard library, set up so that a transaction is a real one:
the driver's own transaction handling is switched off and socialcrm emits
``BEGIN`` itself — ``BEGIN IMMEDIATE`` for a write transaction, so that two
processes never both read then write (SQLAlchemy's documented recipe).

Every driver error leaving the store goes through :func:`translated`, which
turns it into a :class:`~socialcrm.errors.StoreError` (or a subclass) whose
text never holds the URL's password nor the SQL parameters (personal data).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from socialcrm.errors import SocialCRMError, StoreError, StoreLockedError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.serialization import dumps, loads
from socialcrm.storage.sql.urls import mask_url, scrub

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

__all__ = [
    "EXTRA_HINT",
    "SUPPORTED_DIALECTS",
    "WRITE_OPTION",
    "create",
    "missing_extra",
    "parse_url",
    "read_json",
    "translated",
]

EXTRA_HINT = "install it with: pip install 'socialcrm[sql]'"
SUPPORTED_DIALECTS = ("postgresql", "sqlite")
WRITE_OPTION = "socialcrm_write"
"""Execution option marking a connection whose transaction writes (SQLite: BEGIN IMMEDIATE)."""

_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}
_MESSAGE_LIMIT = 300


def missing_extra(url: str, exc: BaseException) -> StoreError:
    """The error for a SQL URL when SQLAlchemy or the database driver is not installed."""
    return StoreError(
        _(
            "the store {url} is a database: it needs "
            "socialcrm's 'sql' extra (missing module "
            "{module})"
        ).format(url=mask_url(url), module=getattr(exc, "name", None) or exc),
        path=mask_url(url),
        hint=EXTRA_HINT,
    )


def parse_url(url: str) -> URL:
    """``url`` as SQLAlchemy's URL, with psycopg 3 as PostgreSQL's driver.

    Refuses a dialect other than PostgreSQL and SQLite: the store is tested on those.
    """
    try:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError
    except ImportError as exc:
        raise missing_extra(url, exc) from None
    try:
        parsed = make_url(url.strip())
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            _("{url} is not a database URL: {detail}").format(
                url=mask_url(url), detail=scrub(str(exc), url)
            ),
            path=mask_url(url),
            hint=_("e.g. postgresql://user@host/dbname or sqlite:///path/to/file.db"),
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is not None:
        parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise StoreError(
            _("unsupported database {backend!r} in {url}").format(
                backend=parsed.get_backend_name(), url=mask_url(url)
            ),
            path=mask_url(url),
            hint=_("socialcrm stores data in PostgreSQL (postgresql://…) or SQLite (sqlite:///…)"),
        )
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for an in-memory database or a server)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_private_file(path: Path) -> bool:
    """Create the SQLite file 0600 (parents 0700) unless it exists; ``True`` if it is new.

    It holds personal data: SQLite creates its journal and WAL files with the
    same mode as the database file.
    """
    if path.exists():
        return path.stat().st_size == 0
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def read_json(text: str | bytes) -> Any:
    """A document's JSON as the database returns it (JSONB or JSON text): parsed by
    orjson (a team's ``today`` reads tens of thousands of summaries: several times
    faster than :mod:`json`), by :func:`socialcrm.serialization.loads` for the
    rare JSON orjson refuses (integers beyond 64 bits, ``NaN``) but :mod:`json`
    accepts."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return loads(text)


def create(url: URL, *, lock_timeout: float) -> Engine:
    """The engine for ``url``: documents as JSON text, lock waits bounded by ``lock_timeout``."""
    from sqlalchemy import create_engine, event

    backend = url.get_backend_name()
    options: dict[str, Any] = {"json_serializer": dumps, "json_deserializer": read_json}
    if backend == "postgresql":
        # Waiting on another rep's row lock is bounded like the TinyDB store's file lock;
        # merged into the URL's own libpq options, if any.
        extra = f"-c lock_timeout={max(1, int(lock_timeout * 1000))}"
        given = str(url.query.get("options", "") or "")
        connect_args: dict[str, Any] = {"options": f"{given} {extra}".strip()}
        if "application_name" not in url.query:
            connect_args["application_name"] = "socialcrm"
        return create_engine(url, connect_args=connect_args, **options)
    engine = create_engine(url, connect_args={"timeout": lock_timeout}, **options)
    in_file = sqlite_file(url) is not None

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # socialcrm emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA secure_delete = ON")  # erased data is overwritten, not left
        if in_file:
            cursor.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


# -- errors ---------------------------------------------------------------------------

_RETRY = "another socialcrm command changed the same data at the same time"
_RETRY_HINT = "nothing was written; run the command again"
_UPGRADE_HINT = "run 'socialcrm db upgrade' (see docs/storage.md)"


def _detail(exc: BaseException, url: str) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    text = " ".join(lines[:2]) or type(orig).__name__
    if len(text) > _MESSAGE_LIMIT:
        text = text[: _MESSAGE_LIMIT - 1] + "…"
    return scrub(text, url)


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def as_store_error(exc: BaseException, url: str, *, timeout: float) -> SocialCRMError:
    """The library error for a driver or SQLAlchemy error met while using the store at ``url``."""
    from sqlalchemy import exc as sa_exc

    label = mask_url(url)
    state = _sqlstate(exc)
    detail = _detail(exc, url)
    lowered = detail.lower()
    if isinstance(exc, ImportError):
        return missing_extra(url, exc)
    if state in ("40001", "40P01"):  # serialization failure, deadlock
        return StoreError(f"{_RETRY} ({detail})", path=label, hint=_RETRY_HINT)
    if state == "55P03" or "database is locked" in lowered:
        return StoreLockedError(path=label, lock_path=label, timeout=timeout)
    if state in ("42P01", "3F000") or "no such table" in lowered:
        return StoreError(
            _("the database {label} has no socialcrm tables ({detail})").format(
                label=label, detail=detail
            ),
            path=label,
            hint=_UPGRADE_HINT,
        )
    if isinstance(exc, sa_exc.DataError) or state.startswith("22"):
        return ValidationError(
            _("the database refused a value: {detail}").format(detail=detail),
            hint=_("text cannot hold the NUL character (\\x00) in PostgreSQL; remove it"),
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and not state:
        return StoreError(
            _("cannot use the database {label}: {detail}").format(label=label, detail=detail),
            path=label,
            hint=_(
                "check the server is running and the URL; a password "
                "comes from the URL, PGPASSWORD or ~/.pgpass"
            ),
        )
    return StoreError(
        _("database error on {label}: {detail}").format(label=label, detail=detail), path=label
    )


@contextmanager
def translated(url: str, *, timeout: float) -> Iterator[None]:
    """Run a block turning SQLAlchemy/driver errors into library errors (others pass)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except SocialCRMError:
        raise
    except (SQLAlchemyError, ImportError) as exc:
        raise as_store_error(exc, url, timeout=timeout) from None
