"""The direct codec agrees with the cattrs reference converter, and steps aside when unsure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings

from socialcrm import fast_codec, models
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.serialization import _converter, from_dict, to_dict

from .strategies import events, pipelines, prospects

MODEL_CLASSES = [
    Prospect,
    Pipeline,
    models.Identity,
    models.Source,
    models.PointOfInterest,
    models.Assessment,
    models.ProblemRecord,
    *models.PAYLOAD_TYPES.values(),
]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_class_has_a_codec(cls: type[Any]) -> None:
    # A field of a type the codec does not know would silently send every
    # document of that class through the slow path: fail here instead.
    fast_codec.codec(cls)


def _reference_doc(obj: Any) -> dict[str, Any]:
    return json.loads(json.dumps(_converter().unstructure(obj)))


@settings(max_examples=200)
@given(prospects)
def test_prospect_same_as_reference(p: Prospect) -> None:
    assert fast_codec.encode(p) == _converter().unstructure(p)
    doc = _reference_doc(p)
    assert fast_codec.decode(Prospect, doc) == _converter().structure(doc, Prospect) == p


@settings(max_examples=200)
@given(events)
def test_event_same_as_reference(e: Event) -> None:
    assert fast_codec.encode(e) == _converter().unstructure(e)
    doc = _reference_doc(e)
    assert fast_codec.decode(Event, doc) == _converter().structure(doc, Event) == e


@settings(max_examples=100)
@given(pipelines)
def test_pipeline_same_as_reference(p: Pipeline) -> None:
    assert fast_codec.encode(p) == _converter().unstructure(p)
    doc = _reference_doc(p)
    assert fast_codec.decode(Pipeline, doc) == _converter().structure(doc, Pipeline) == p


def _prospect_doc(**changes: Any) -> dict[str, Any]:
    doc = to_dict(Prospect("01A", "Ada", created_at=_AT, updated_at=_AT))
    doc.update(changes)
    return doc


_AT = models.datetime(2025, 1, 1, tzinfo=models.UTC)


@pytest.mark.parametrize(
    "changes",
    [
        {"name": 5},  # cattrs turns it into "5"
        {"company_size": "12"},  # cattrs turns it into 12
        {"emails": ("a@example.com",)},  # a tuple, not a JSON list
        {"surprise": 1},  # unknown key: cattrs refuses it
        {"stage": "nowhere"},
        {"created_at": "2025-01-01T00:00:00"},  # no time zone
    ],
)
def test_unusual_documents_go_to_the_reference(changes: dict[str, Any]) -> None:
    doc = _prospect_doc(**changes)
    body = {k: v for k, v in doc.items() if k != "v"}
    with pytest.raises(fast_codec.Unsupported):
        fast_codec.decode(Prospect, body)
    # ...and from_dict answers exactly as the reference converter does.
    try:
        expected: Any = _converter().structure(body, Prospect)
    except Exception:
        expected = "refused"
    try:
        got: Any = from_dict(Prospect, doc)
    except Exception:
        got = "refused"
    assert got == expected


def test_lenient_reference_conversions_still_apply() -> None:
    p = from_dict(Prospect, _prospect_doc(name=5, company_size="12"))
    assert (p.name, p.company_size) == ("5", 12)


def test_unusual_values_are_encoded_by_the_reference() -> None:
    # A tuple inside pipeline settings: the direct codec leaves it to cattrs (a list).
    p = Pipeline("p", created_at=_AT, settings={"weights": (1, 2)})
    with pytest.raises(fast_codec.Unsupported):
        fast_codec.encode(p)
    assert to_dict(p)["settings"] == {"weights": [1, 2]}


def test_reading_and_writing_documents_does_not_import_cattrs() -> None:
    code = """
import sys
from datetime import UTC, datetime
from socialcrm.models import Event, Note, Prospect
from socialcrm.serialization import from_dict, to_dict
at = datetime(2025, 1, 1, tzinfo=UTC)
p = Prospect("01A", "Ada", emails=["ada@example.com"], created_at=at, updated_at=at)
e = Event("01E", "01A", at, Note("hello"))
assert from_dict(Prospect, to_dict(p)) == p and from_dict(Event, to_dict(e)) == e
print("cattrs" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
