"""The direct codec agrees with the cattrs reference converter, and steps aside when unsure."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings

from socialcrm import fast_codec, models
from socialcrm.errors import ValidationError
from socialcrm.models import Event, Identity, Pipeline, Prospect
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


def test_reference_conversions_apply_except_to_text() -> None:
    """A digit string still becomes a number; a number is no longer taken as text
    (the schema says text, and str() made "['a']" of a list)."""
    p = from_dict(Prospect, _prospect_doc(company_size="12"))
    assert p.company_size == 12
    with pytest.raises(ValidationError, match=r"expected text, got a number @ \$\.name"):
        from_dict(Prospect, _prospect_doc(name=5))


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


# ----------------------------------------------------------------------------- rebuild
def _same(a: Any, b: Any) -> None:
    """Equal, field by field, with the same Python types (a list is not a tuple)."""
    assert a == b
    if hasattr(type(a), "__attrs_attrs__"):
        assert type(a) is type(b)
        if hasattr(a, "__dict__"):  # Prospect: nothing beyond the fields (no "v")
            assert vars(a) == vars(b)
        for f in type(a).__attrs_attrs__:
            _same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, tuple | list):
        assert type(a) is type(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif not (isinstance(a, int | float) and isinstance(b, int | float)):
        assert type(a) is type(b)


@settings(max_examples=200)
@given(prospects)
def test_rebuilt_prospect_is_the_written_one(p: Prospect) -> None:
    stored = json.loads(json.dumps(to_dict(p)))
    rebuilt = fast_codec.rebuild(Prospect, stored)
    _same(rebuilt, p)
    _same(rebuilt, from_dict(Prospect, stored))


@settings(max_examples=200)
@given(events)
def test_rebuilt_event_is_the_written_one(e: Event) -> None:
    stored = json.loads(json.dumps(to_dict(e)))
    _same(fast_codec.rebuild(Event, stored), e)


@settings(max_examples=100)
@given(pipelines)
def test_rebuilt_pipeline_is_the_written_one(p: Pipeline) -> None:
    stored = json.loads(json.dumps(to_dict(p)))
    _same(fast_codec.rebuild(Pipeline, stored), p)


@pytest.mark.parametrize(
    "changes",
    [
        {"created_at": "2025-01-01T02:00:00+02:00"},  # not UTC: only __init__ converts it
        {"surprise": 1},
        {"name": 5},
        {"tags": ["b", "a"]},  # unsorted: fine for rebuild's types, see below
    ],
)
def test_from_stored_dict_agrees_with_from_dict(changes: dict[str, Any]) -> None:
    from socialcrm.serialization import from_stored_dict

    doc = _prospect_doc(**changes)
    try:
        expected: Any = from_dict(Prospect, dict(doc))
    except Exception as exc:
        expected = type(exc)
    try:
        got: Any = from_stored_dict(Prospect, doc)
    except Exception as exc:
        got = type(exc)
    if "tags" in changes:
        # A document the store never writes (tags are stored sorted): rebuild keeps
        # what it reads, which is why only checksummed store files are rebuilt.
        assert got.tags == ("b", "a") and expected.tags == ("a", "b")
    else:
        assert got == expected


@pytest.mark.parametrize(
    ("cls", "doc"),
    [
        (Prospect, _prospect_doc()),  # instances with a __dict__
        (Identity, {"network": "x", "handle": "jane", "url": "https://x.example/jane"}),  # slotted
    ],
)
def test_rebuild_refuses_an_unknown_key_in_place_of_a_field(cls: type, doc: dict[str, Any]) -> None:
    fast_codec.rebuild(cls, dict(doc))  # the document itself is fine
    field = next(iter(k for k in doc if k != "v"))
    changed = {("surprise" if k == field else k): v for k, v in doc.items()}
    with pytest.raises(fast_codec.Unsupported):
        fast_codec.rebuild(cls, changed)


def test_rebuild_needs_every_field() -> None:
    doc = _prospect_doc()
    del doc["notes"]  # __init__ would default it: rebuild leaves that to from_dict
    with pytest.raises(fast_codec.Unsupported):
        fast_codec.rebuild(Prospect, doc)
