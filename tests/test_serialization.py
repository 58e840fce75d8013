"""model → dict → JSON → model is lossless; bad documents give clear errors."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from socialcrm.errors import ValidationError
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.serialization import FORMAT_VERSION, dumps, from_dict, loads, to_dict

from .strategies import events, pipelines, prospects


@settings(max_examples=200)
@given(prospects)
def test_prospect_roundtrip(p: Prospect) -> None:
    doc = loads(dumps(to_dict(p)))
    assert doc["v"] == FORMAT_VERSION
    assert from_dict(Prospect, doc) == p


@settings(max_examples=200)
@given(events)
def test_event_roundtrip(e: Event) -> None:
    assert from_dict(Event, loads(dumps(to_dict(e)))) == e


@settings(max_examples=100)
@given(pipelines)
def test_pipeline_roundtrip(p: Pipeline) -> None:
    assert from_dict(Pipeline, loads(dumps(to_dict(p)))) == p


@given(prospects)
def test_document_is_plain_json(p: Prospect) -> None:
    doc = to_dict(p)
    # Plain types only: enums as strings, datetimes as ISO 8601 text.
    assert json.loads(json.dumps(doc)) == doc
    assert type(doc["stage"]) is str and type(doc["status"]) is str


def test_missing_field_is_named() -> None:
    with pytest.raises(ValidationError, match=r"name"):
        from_dict(Prospect, {"v": 1, "id": "01A"})


def test_unknown_field_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        from_dict(Prospect, {"v": 1, "id": "01A", "name": "x", "surprise": 1})


def test_newer_version_refused() -> None:
    with pytest.raises(ValidationError, match="format version 99"):
        from_dict(Prospect, {"v": 99, "id": "01A", "name": "x"})


def test_naive_timestamp_refused() -> None:
    doc = {"v": 1, "id": "01A", "name": "x", "created_at": "2026-01-01T00:00:00"}
    with pytest.raises(ValidationError, match="time zone"):
        from_dict(Prospect, doc)
