"""The SQL store's schema: what revision a database is at, and upgrading it.

Alembic is driven from code (no ``alembic.ini``): :func:`upgrade` opens one
write transaction, hands its connection to ``migrations/env.py`` and runs
``command.upgrade(cfg, "head")`` in it, so a failed migration leaves the
database as it was (PostgreSQL and SQLite both have transactional DDL).
Two upgrades at once queue on an advisory lock (PostgreSQL) or the write lock
(SQLite).

Opening a store only *reads* the revision (:func:`require_current`), without
importing Alembic: a database at an older revision, or without socialcrm's
tables, is refused with "run 'socialcrm db upgrade'", and one at a newer
revision with :class:`~socialcrm.errors.SchemaVersionError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from attrs import frozen

from socialcrm.errors import SchemaVersionError, StoreError
from socialcrm.i18n import text as _
from socialcrm.storage.sql.schema import HEAD, REVISIONS, VERSION_TABLE, schema_number

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = [
    "SchemaStatus",
    "read_status",
    "require_current",
    "run_upgrade",
]

SCRIPT_LOCATION = "socialcrm.storage.sql:migrations"
UPGRADE_HINT = "run 'socialcrm db upgrade' (see docs/storage.md)"
_LOCK_KEY = 0x50C1A1C  # pg_advisory_xact_lock key of "socialcrm db upgrade"

State = Literal["missing", "older", "current", "newer", "unknown"]


@frozen
class SchemaStatus:
    """Where a database stands: its revision (``None``: no socialcrm tables) and the head."""

    revision: str | None
    head: str = HEAD

    @property
    def state(self) -> State:
        if self.revision is None:
            return "missing"
        if self.revision == self.head:
            return "current"
        if self.revision in REVISIONS:
            return "older"
        number = schema_number(self.revision)
        head = schema_number(self.head)
        if number is not None and head is not None and number > head:
            return "newer"
        return "unknown"

    @property
    def schema(self) -> int | None:
        """The schema version as a number (``0001`` → 1), for reports."""
        return None if self.revision is None else schema_number(self.revision)

    def to_dict(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "head": self.head,
            "schema": self.schema,
            "state": self.state,
            "up_to_date": self.state == "current",
        }


def read_status(connection: Connection) -> SchemaStatus:
    """The revision recorded in ``connection``'s database (one catalogue query, one select)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table(VERSION_TABLE):
        return SchemaStatus(None)
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(rows) > 1:
        found = ", ".join(sorted(str(r[0]) for r in rows))
        raise StoreError(
            _("the database records several socialcrm schema revisions ({found})").format(
                found=found
            )
        )
    return SchemaStatus(str(rows[0][0]) if rows else None)


def refusal(status: SchemaStatus, label: str) -> StoreError | None:
    """Why a store at ``status`` cannot be used by this code, or ``None`` if it can."""
    state = status.state
    if state == "current":
        return None
    if state == "missing":
        return StoreError(
            _("the database {label} has no socialcrm tables yet").format(label=label),
            path=label,
            hint=UPGRADE_HINT,
        )
    if state == "older":
        return StoreError(
            _(
                "the database {label} is at schema version {schema}; "
                "this socialcrm needs version {head}"
            ).format(label=label, schema=status.schema, head=schema_number(HEAD)),
            path=label,
            hint=UPGRADE_HINT,
        )
    if state == "newer":
        error = SchemaVersionError(
            path=label, found=status.schema or 0, supported=schema_number(HEAD) or 0
        )
        error.hint = "upgrade socialcrm; the database was not modified"
        return error
    return StoreError(
        _(
            "the database {label} is at schema revision "
            "{revision!r}, which this socialcrm does not know"
        ).format(label=label, revision=status.revision),
        path=label,
        hint=_("upgrade socialcrm, or check that the URL names socialcrm's database"),
    )


def require_current(connection: Connection, label: str) -> None:
    """Raise unless the database is at the schema this code uses."""
    problem = refusal(read_status(connection), label)
    if problem is not None:
        raise problem


def run_upgrade(connection: Connection, label: str) -> tuple[SchemaStatus, SchemaStatus]:
    """Upgrade to the head inside ``connection``'s open write transaction: (before, after).

    A database at a newer or unknown revision is refused untouched.
    """
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    before = read_status(connection)
    if before.state in ("newer", "unknown"):
        problem = refusal(before, label)
        assert problem is not None
        raise problem
    if before.state != "current":
        config = Config()
        config.set_main_option("script_location", SCRIPT_LOCATION)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, read_status(connection)
