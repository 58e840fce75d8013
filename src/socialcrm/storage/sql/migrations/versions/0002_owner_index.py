"""Reps as owners: an index on a pipeline's prospects by owner.

Revision ID: 0002
Revises: 0001

``list --owner REP``, ``list --mine``, ``board --owner`` and a rep's ``today``
select one rep's prospects of a pipeline; in a team's store of hundreds of
thousands of prospects that is an index look-up, not a scan. The ``owner``
column itself has been there since 0001 (filled from every prospect written).

Frozen: it never imports the live ``schema`` module.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "socialcrm_prospects_owner", "socialcrm_prospects", ["pipeline", "owner", "status"]
    )


def downgrade() -> None:
    op.drop_index("socialcrm_prospects_owner", table_name="socialcrm_prospects")
