"""The :class:`~socialcrm.repository.Query` filters a table answers from its own columns.

The prospects and their summary rows both copy the pipeline, stage, status and
owner out of their documents (:mod:`.schema`), so the database selects a
query's rows, one rep's through the ``(pipeline, owner)`` index, the same way
on either table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

if TYPE_CHECKING:
    from sqlalchemy import Select, Table

    from socialcrm.repository import Query

__all__ = ["where_query"]


def where_query(stmt: Select[Any], table: Table, query: Query) -> Select[Any]:
    """``stmt`` keeping the rows of ``table`` in ``query``'s pipeline, stage, status and
    owner (with ``query.unowned``, the rows nobody owns too)."""
    stmt = stmt.where(table.c.pipeline == query.pipeline)
    if query.stage is not None:
        stmt = stmt.where(table.c.stage == query.stage.value)
    if query.status is not None:
        stmt = stmt.where(table.c.status == query.status.value)
    if query.owner is not None:
        owned = table.c.owner == query.owner
        stmt = stmt.where(or_(owned, table.c.owner.is_(None)) if query.unowned else owned)
    return stmt
