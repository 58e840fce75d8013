"""model → dict → JSON → model is lossless; bad documents give clear errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@settings(max_examples=100)
@given(
    prospects,
    st.sampled_from(["name", "company", "tags", "custom", "identities", "emails"]),
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False),
        st.booleans(),
        st.lists(st.text(), min_size=1),
        st.dictionaries(st.text(), st.text(), min_size=1),
    ),
)
def test_a_non_text_value_for_text_is_refused_not_stringified(
    p: Prospect, field: str, bad: Any
) -> None:
    """cattrs' default str() stored ["a"] given for a name as the text "['a']"."""
    doc = to_dict(p)
    path = {
        "name": "$.name",
        "company": "$.company",
        "tags": "$.tags[0]",
        "custom": "$.custom['k']",
        "identities": "$.identities[0].url",
        "emails": "$.emails[0]",
    }[field]
    if field == "tags":
        doc["tags"] = [bad]
    elif field == "custom":
        doc["custom"] = {"k": bad}
    elif field == "identities":
        doc["identities"] = [{"network": "linkedin", "handle": "zoe", "url": bad}]
    elif field == "emails":
        doc["emails"] = [bad]
    else:
        doc[field] = bad
    with pytest.raises(ValidationError) as info:
        from_dict(Prospect, doc)
    assert "expected text, got " in info.value.message
    assert path in info.value.message
    assert info.value.field == field


def test_an_enum_field_keeps_its_own_check() -> None:
    doc = to_dict(Prospect(id="01A", name="x"))
    with pytest.raises(ValidationError, match="'maybe' is not a valid Status"):
        from_dict(Prospect, {**doc, "status": "maybe"})
    with pytest.raises(ValidationError, match=r"expected text, got a number @ \$\.stage"):
        from_dict(Prospect, {**doc, "stage": 3})


def test_changed_fields_lists_what_differs_in_stored_form_and_in_order() -> None:
    from datetime import UTC, datetime

    from attrs import evolve

    from socialcrm.models import Identity, Prospect
    from socialcrm.serialization import changed_fields

    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    before = Prospect("01A", "Ann", created_at=at, updated_at=at)
    li = Identity("linkedin", "ann", "https://www.linkedin.com/in/ann")
    after = evolve(
        before, title="CTO", identities=[li], tags=["vip"], updated_at=at.replace(hour=10)
    )
    changes = changed_fields(before, after)
    assert list(changes) == ["identities", "tags", "title"]  # alphabetical; updated_at left out
    # identifying values are masked on both sides (GDPR art. 16: no clear old value)
    masked = {"network": "linkedin", "handle": "•••", "url": "linkedin:•••"}
    assert changes["identities"] == [[], [masked]]
    assert changes["title"] == [None, "CTO"]
    assert json.loads(json.dumps(changes)) == changes
    assert changed_fields(before, evolve(before, updated_at=after.updated_at)) == {}
