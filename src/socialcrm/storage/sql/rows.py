"""Models ⇄ rows of the SQL store's tables.

The document (:func:`socialcrm.serialization.to_dict`) is what is read back;
the other columns are copies of it for the database to filter, join and order
on, written in the same statement so they never disagree (``doctor`` checks).
Documents are read back through the validating :func:`~socialcrm.serialization.from_dict`:
a shared database can be edited by anyone holding its credentials, and no
checksum vouches for a row as the TinyDB store's files do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.serialization import from_dict, to_dict

__all__ = [
    "email_rows",
    "event_from_doc",
    "event_row",
    "identity_rows",
    "pipeline_from_doc",
    "prospect_from_doc",
    "prospect_row",
]


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def prospect_row(p: Prospect) -> dict[str, Any]:
    """The ``socialcrm_prospects`` row of ``p`` (its document and the columns copied out)."""
    return {
        "id": p.id,
        "pipeline": p.pipeline,
        "stage": p.stage.value,
        "status": p.status.value,
        "owner": p.owner,
        "score": p.assessment.score if p.assessment is not None else None,
        "created_at": _utc(p.created_at),
        "updated_at": _utc(p.updated_at),
        "doc": to_dict(p),
    }


def identity_rows(p: Prospect) -> list[dict[str, Any]]:
    """One ``socialcrm_identities`` row per identity: the database keeps each key unique."""
    return [
        {"pipeline": p.pipeline, "key": i.key, "network": i.network, "prospect_id": p.id}
        for i in p.identities
    ]


def email_rows(p: Prospect) -> list[dict[str, Any]]:
    """One ``socialcrm_emails`` row per distinct case-folded address."""
    folded = dict.fromkeys(e.casefold() for e in p.emails)
    return [{"prospect_id": p.id, "email": e, "pipeline": p.pipeline} for e in folded]


def event_row(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "prospect_id": e.prospect_id,
        "at": _utc(e.at),
        "kind": str(e.kind.value),
        "doc": to_dict(e),
    }


def prospect_from_doc(doc: Any) -> Prospect:
    return from_dict(Prospect, doc)


def event_from_doc(doc: Any) -> Event:
    return from_dict(Event, doc)


def pipeline_from_doc(doc: Any) -> Pipeline:
    return from_dict(Pipeline, doc)
