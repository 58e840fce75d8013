"""The first schema: pipelines, settings, prospects, identities, e-mails, events.

Revision ID: 0001
Revises:

Frozen: this file says what revision 0001 *was*; it never imports the live
``schema`` module, whose tables follow the newest revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_DOC = sa.JSON().with_variant(JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "socialcrm_pipelines",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("doc", _DOC, nullable=False),
    )
    op.create_table(
        "socialcrm_settings",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("value", _DOC, nullable=False),
    )
    op.create_table(
        "socialcrm_prospects",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("owner", sa.Text),
        sa.Column("score", sa.Float),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("doc", _DOC, nullable=False),
    )
    op.create_index(
        "socialcrm_prospects_pipeline", "socialcrm_prospects", ["pipeline", "stage", "status"]
    )
    op.create_table(
        "socialcrm_identities",
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("network", sa.Text, nullable=False),
        sa.Column(
            "prospect_id",
            sa.Text,
            sa.ForeignKey("socialcrm_prospects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("pipeline", "key", name="socialcrm_identities_unique"),
    )
    op.create_index("socialcrm_identities_prospect", "socialcrm_identities", ["prospect_id"])
    op.create_table(
        "socialcrm_emails",
        sa.Column(
            "prospect_id",
            sa.Text,
            sa.ForeignKey("socialcrm_prospects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("prospect_id", "email", name="socialcrm_emails_pkey"),
    )
    op.create_index("socialcrm_emails_lookup", "socialcrm_emails", ["pipeline", "email"])
    op.create_table(
        "socialcrm_events",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column(
            "prospect_id",
            sa.Text,
            sa.ForeignKey(
                "socialcrm_prospects.id",
                ondelete="CASCADE",
                deferrable=True,
                initially="DEFERRED",
            ),
            nullable=False,
        ),
        sa.Column("at", _TIME, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("doc", _DOC, nullable=False),
    )
    op.create_index("socialcrm_events_prospect", "socialcrm_events", ["prospect_id", "at", "id"])


def downgrade() -> None:
    for table in (
        "socialcrm_events",
        "socialcrm_emails",
        "socialcrm_identities",
        "socialcrm_prospects",
        "socialcrm_settings",
        "socialcrm_pipelines",
    ):
        op.drop_table(table)
