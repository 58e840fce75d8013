"""docs/schema/*.schema.json describe exactly the documents ``to_dict`` produces.

Generated models (hypothesis) and the documents of a real CRM journey must
validate; every model field and event kind must be in the schemas (so a new
field cannot be forgotten there); and the schemas must reject wrong documents.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator

from socialcrm import CRM, MemoryRepository
from socialcrm.models import PAYLOAD_TYPES, Edited, Event, Pipeline, Prospect
from socialcrm.plugins import get_plugin_manager
from socialcrm.serialization import FORMAT_VERSION, dumps, loads, to_dict
from socialcrm.stages import Stage
from socialcrm.testing import FrozenClock

from .strategies import events, pipelines, prospects

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "docs" / "schema"


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


PROSPECT = _validator("prospect")
EVENT = _validator("event")
PIPELINE = _validator("pipeline")


def exported(obj: Prospect | Event | Pipeline) -> dict[str, Any]:
    """The document as another program reads it: through JSON text."""
    doc = loads(dumps(to_dict(obj)))
    assert isinstance(doc, dict)
    return doc


def assert_valid(validator: Draft202012Validator, doc: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def _crm_edit_shape(event: Event) -> Event:
    """Edited changes are [old, new] pairs when the CRM writes them."""
    if isinstance(event.payload, Edited):
        pairs = {k: [*v, None, None][:2] for k, v in event.payload.changes.items()}
        return attrs.evolve(event, payload=Edited(changes=pairs))
    return event


# ----------------------------------------------------------------- generated data


@settings(max_examples=150, deadline=None)
@given(prospects)
def test_generated_prospects_validate(p: Prospect) -> None:
    assert_valid(PROSPECT, exported(p))


@settings(max_examples=150, deadline=None)
@given(events.map(_crm_edit_shape))
def test_generated_events_validate(e: Event) -> None:
    assert_valid(EVENT, exported(e))


@settings(max_examples=50, deadline=None)
@given(pipelines)
def test_generated_pipelines_validate(p: Pipeline) -> None:
    assert_valid(PIPELINE, exported(p))


def test_documents_of_a_crm_journey_validate() -> None:
    clock = FrozenClock()
    crm = CRM(MemoryRepository(), get_plugin_manager(entrypoints=False), clock=clock, actor="rep")
    p = crm.add(
        "王小明",
        emails=["xiaoming@example.cn"],
        phones=["+86 138 0013 8000"],
        company="北京科技",
        company_size=12,
        tags=["Asia", "VIP"],
        custom={"budget": "10k"},
        note="met at the fair",
        source="trade fair list",
    )
    crm.assess(p.id, qualified=True, score=80.5, threshold=60, note="fits")
    crm.move(p.id, Stage.CONTACT, force=True, reason="referral")
    crm.set_point_of_interest(p.id, "post on supply chains", url="https://example.org/post")
    crm.log_interaction(p.id, "like", url="https://example.org/post")
    crm.log_message(p.id, "Hello!")
    crm.log_message(p.id, "Hi", received=True)
    crm.advance(p.id)
    crm.edit(p.id, set_fields={"title": "CEO", "company_size": 15}, rm_tags=["vip"])
    crm.win(p.id)
    crm.reopen(p.id)
    crm.lose(p.id, "budget cut")
    final = crm.get(p.id)
    assert_valid(PROSPECT, exported(final))
    assert_valid(PIPELINE, exported(crm.pipeline))
    history = crm.history(p.id)
    kinds = {e.kind.value for e in history}
    assert kinds >= {"created", "note", "assessed", "stage_changed", "status_changed", "edited"}
    for event in history:
        assert_valid(EVENT, exported(event))


# ------------------------------------------------------- the schemas stay complete


def _field_names(cls: type) -> set[str]:
    return {f.name for f in attrs.fields(cls)}


@pytest.mark.parametrize(
    ("validator", "cls"), [(PROSPECT, Prospect), (EVENT, Event), (PIPELINE, Pipeline)]
)
def test_every_model_field_is_described(validator: Draft202012Validator, cls: type) -> None:
    schema = validator.schema
    assert set(schema["properties"]) == _field_names(cls) | {"v"}
    assert set(schema["required"]) == set(schema["properties"])
    assert schema["properties"]["v"] == {**schema["properties"]["v"], "const": FORMAT_VERSION}
    undocumented = [k for k, prop in schema["properties"].items() if not prop.get("description")]
    assert undocumented == []


def test_every_event_kind_has_its_payload_shape() -> None:
    defs = EVENT.schema["$defs"]
    variants = [ref["$ref"].rsplit("/", 1)[-1] for ref in defs["payload"]["oneOf"]]
    assert {defs[v]["properties"]["kind"]["const"] for v in variants} == {
        kind.value for kind in PAYLOAD_TYPES
    }
    for kind, cls in PAYLOAD_TYPES.items():
        assert set(defs[kind.value]["properties"]) == _field_names(cls) | {"kind"}, kind


# ----------------------------------------------------------- wrong documents fail


def _prospect_doc() -> dict[str, Any]:
    clock = FrozenClock()
    crm = CRM(MemoryRepository(), get_plugin_manager(entrypoints=False), clock=clock)
    return exported(crm.add("Zoé Durand", emails=["zoe@example.fr"]))


@pytest.mark.parametrize(
    "change",
    [
        {"stage": "negotiation"},
        {"status": "pending"},
        {"v": FORMAT_VERSION + 1},
        {"name": ""},
        {"created_at": "2026-03-02T10:00:00+01:00"},
        {"created_at": "2026-03-02 09:00"},
        {"company_size": -1},
        {"tags": ["vip", "vip"]},
        {"lawful_basis": "because"},
        {"identities": [{"network": "x", "handle": "zoe"}]},
        {"unknown_field": 1},
    ],
    ids=lambda c: next(iter(c)),
)
def test_prospect_schema_rejects_wrong_documents(change: dict[str, Any]) -> None:
    doc = _prospect_doc()
    assert_valid(PROSPECT, doc)
    doc.update(change)
    assert not PROSPECT.is_valid(doc)


def test_prospect_schema_rejects_missing_field() -> None:
    doc = _prospect_doc()
    del doc["lawful_basis"]
    assert not PROSPECT.is_valid(doc)


def test_event_schema_rejects_mismatched_payload() -> None:
    crm = CRM(MemoryRepository(), get_plugin_manager(entrypoints=False), clock=FrozenClock())
    p = crm.add("Zoé Durand")
    crm.move(p.id, Stage.IDENTIFY, force=True)
    doc = exported(crm.history(p.id)[-1])
    assert_valid(EVENT, doc)
    assert doc["payload"]["overridden"][0]["rule"] == "profile.has-identity"
    for bad in ({"kind": "stage_changed"}, {**doc["payload"], "kind": "note"}):
        assert not EVENT.is_valid({**doc, "payload": bad})
