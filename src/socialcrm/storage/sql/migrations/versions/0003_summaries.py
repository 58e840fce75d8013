"""Each prospect's summary and journey, kept beside it (issue 23).

Revision ID: 0003
Revises: 0002

``today``, ``board`` and the reports read one small row per prospect (its
summary and journey, :mod:`socialcrm.storage.sql.summaries`) instead of every
prospect's model and events; a rep's through the ``(pipeline, owner)`` index.

The table is frozen here like every revision's; its rows are not: they are
what the running code's core computes from the prospects and events
(:mod:`socialcrm.summary`), so they are filled by the live
:func:`~socialcrm.storage.sql.summaries.rebuild` (``socialcrm reindex`` does
the same at any time).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_DOC = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "socialcrm_summaries",
        sa.Column(
            "prospect_id",
            sa.Text,
            sa.ForeignKey("socialcrm_prospects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("pipeline", sa.Text, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("owner", sa.Text),
        sa.Column("summary", _DOC, nullable=False),
        sa.Column("journey", _DOC, nullable=False),
    )
    op.create_index("socialcrm_summaries_owner", "socialcrm_summaries", ["pipeline", "owner"])
    op.create_index("socialcrm_summaries_stage", "socialcrm_summaries", ["pipeline", "stage"])
    from socialcrm.storage.sql.summaries import fill

    fill(op.get_bind())


def downgrade() -> None:
    op.drop_table("socialcrm_summaries")
