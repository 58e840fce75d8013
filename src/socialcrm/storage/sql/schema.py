"""The SQL store's tables, as the code uses them, and the revisions it knows.

Documents are the truth: each prospect, event and pipeline is kept whole as
its versioned document (:mod:`socialcrm.serialization`; JSONB on PostgreSQL,
JSON text on SQLite).  Columns copy out of it what the protocol's queries
filter or join on; the identity and e-mail tables make the lookups indexed
and let the database itself refuse a second owner of ``network:handle`` in a
pipeline.  The tables are created and changed by the Alembic revisions in
``migrations/versions`` only; ``tests/storage_sql`` checks that the migrated
database matches this module.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "HEAD",
    "REVISIONS",
    "VERSION_TABLE",
    "emails",
    "events",
    "identities",
    "metadata",
    "pipelines",
    "prospects",
    "schema_number",
    "settings",
    "summaries",
]

VERSION_TABLE = "socialcrm_schema"
"""Alembic's version table, named for socialcrm so a host's own Alembic history is untouched."""

REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")
"""Every revision in ``migrations/versions``, oldest first (a test checks it against Alembic)."""
HEAD = REVISIONS[-1]


def schema_number(revision: str) -> int | None:
    """The schema version of a revision id (``"0001"`` → 1), ``None`` if it is not ours."""
    return int(revision) if revision.isdigit() else None


Document = JSON().with_variant(JSONB(), "postgresql")
Time = DateTime(timezone=True)

metadata = MetaData()


def _versioned(name: str, key: str, value: str) -> Table:
    """A table of whole documents by key, each with the version its writers check."""
    return Table(
        name,
        metadata,
        Column(key, Text, primary_key=True),
        Column("version", Integer, nullable=False),
        Column(value, Document, nullable=False),
    )


pipelines = _versioned("socialcrm_pipelines", "name", "doc")
settings = _versioned("socialcrm_settings", "key", "value")

prospects = Table(
    "socialcrm_prospects",
    metadata,
    Column("id", Text, primary_key=True),
    Column("pipeline", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("owner", Text),
    Column("score", Float),
    Column("created_at", Time, nullable=False),
    Column("updated_at", Time, nullable=False),
    Column("doc", Document, nullable=False),
    Index("socialcrm_prospects_pipeline", "pipeline", "stage", "status"),
    Index("socialcrm_prospects_owner", "pipeline", "owner", "status"),  # since 0002
)


def _owner() -> ForeignKey:
    """A row belonging to a prospect: deleted with it."""
    return ForeignKey("socialcrm_prospects.id", ondelete="CASCADE")


identities = Table(
    "socialcrm_identities",
    metadata,
    Column("pipeline", Text, nullable=False),
    Column("key", Text, nullable=False),  # network:handle
    Column("network", Text, nullable=False),
    Column("prospect_id", Text, _owner(), nullable=False),
    PrimaryKeyConstraint("pipeline", "key", name="socialcrm_identities_unique"),
    Index("socialcrm_identities_prospect", "prospect_id"),
)

emails = Table(
    "socialcrm_emails",
    metadata,
    Column("prospect_id", Text, _owner(), nullable=False),
    Column("email", Text, nullable=False),  # casefolded
    Column("pipeline", Text, nullable=False),
    PrimaryKeyConstraint("prospect_id", "email", name="socialcrm_emails_pkey"),
    Index("socialcrm_emails_lookup", "pipeline", "email"),
)

events = Table(
    "socialcrm_events",
    metadata,
    Column("id", Text, primary_key=True),
    Column(
        "prospect_id",
        Text,
        # checked at commit: a transaction may add an event before its prospect
        ForeignKey(
            "socialcrm_prospects.id", ondelete="CASCADE", deferrable=True, initially="DEFERRED"
        ),
        nullable=False,
    ),
    Column("at", Time, nullable=False),
    Column("kind", Text, nullable=False),
    Column("doc", Document, nullable=False),
    Index("socialcrm_events_prospect", "prospect_id", "at", "id"),
)

summaries = Table(
    "socialcrm_summaries",
    metadata,
    Column("prospect_id", Text, _owner(), primary_key=True),
    Column("pipeline", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("owner", Text),
    Column("summary", Document, nullable=False),
    Column("journey", Document, nullable=False),
    Index("socialcrm_summaries_owner", "pipeline", "owner"),
    Index("socialcrm_summaries_stage", "pipeline", "stage"),
)
"""Since 0003: each prospect's summary and journey (:mod:`socialcrm.storage.sql.summaries`),
with the columns ``today``, ``board`` and the reports filter on copied out of the summary."""
