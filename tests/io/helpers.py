"""Helpers of the import/export tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.serialization import event_to_dict, pipeline_to_dict, prospect_to_dict
from socialcrm.storage import open_repository

FIXTURES = Path(__file__).parent / "fixtures"


def snapshot(crm: CRM) -> dict[str, Any]:
    """Everything in the store, as documents (to prove it did not change)."""
    from socialcrm.repository import Query

    data: dict[str, Any] = {"pipelines": [pipeline_to_dict(p) for p in crm.pipelines()]}
    for pipeline in crm.pipelines():
        for p in crm.repository.query(Query(pipeline=pipeline.name, sort="id")):
            data[p.id] = {
                "prospect": prospect_to_dict(p),
                "events": [event_to_dict(e) for e in crm.repository.events(p.id)],
            }
    return data


def store_snapshot(path: Path) -> dict[str, Any]:
    """The store at ``path`` as a fresh process would read it."""
    crm = CRM(open_repository(path), get_plugin_manager())
    try:
        return snapshot(crm)
    finally:
        crm.close()
