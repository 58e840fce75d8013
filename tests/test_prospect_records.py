"""A prospect's JSON record straight from the store's document equals the model's record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.models import Assessment, PointOfInterest, Prospect, Source
from socialcrm.prospect_records import RECORD_FIELDS, listed, prospect_record, stored_record
from socialcrm.repository import SORT_FIELDS, MemoryRepository, Query
from socialcrm.serialization import prospect_to_dict
from socialcrm.storage.files import decode_tables, encode_tables
from tests.strategies import prospects

WHEN = "2026-03-04T05:06:07.890123+00:00"


def _stored(p: Prospect) -> dict[str, Any]:
    """``p``'s document as the TinyDB store writes it and reads it back."""
    raw = encode_tables({"prospects": {p.id: prospect_to_dict(p)}})
    doc: dict[str, Any] = decode_tables(raw, Path("p-test.json"))["prospects"][p.id]
    return doc


def _text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)  # key order included


@given(
    prospects,
    st.none() | st.builds(Assessment, st.booleans(), st.none() | st.floats(-1e9, 1e9)),
    st.none()
    | st.builds(PointOfInterest, st.just("a post"), st.none() | st.just("https://x.example/p")),
    st.none() | st.builds(Source, st.none() | st.just("linkedin"), st.none(), st.none(), st.none()),
)
def test_the_stored_documents_record_is_the_models_record(
    p: Prospect,
    assessment: Assessment | None,
    poi: PointOfInterest | None,
    source: Source | None,
) -> None:
    p = attrs.evolve(p, assessment=assessment, point_of_interest=poi, source=source)
    found = stored_record(_stored(p))
    assert found is not None
    assert _text(found) == _text(prospect_record(p))
    assert tuple(found) == RECORD_FIELDS


def test_a_document_not_in_the_current_form_is_left_to_the_model() -> None:
    p = Prospect(id="01JGXDFAM02A5GRQ3ZT2KA792G", name="Jane Doe")
    doc = _stored(p)
    assert stored_record(doc) is not None
    assert stored_record({**doc, "v": 1}) is None  # an older form: upgraded through the model
    assert stored_record({**doc, "extra": 1}) is None
    assert stored_record({k: v for k, v in doc.items() if k != "tags"} | {"x": 1}) is None
    assert stored_record({k: v for k, v in doc.items() if k != "v"}) is None


class _Records(MemoryRepository):
    """A memory store that also gives records (the way the TinyDB store does), to
    compare :func:`listed`'s two paths on the same prospects."""

    def scan_records(self, query: Query) -> Any:
        for p in self.query(attrs.evolve(query, limit=None)):
            yield stored_record(_stored(p))


@pytest.mark.parametrize("sort", [*SORT_FIELDS, *("-" + s for s in SORT_FIELDS)])
def test_listed_orders_records_as_the_models_are_ordered(sort: str) -> None:
    people = [
        Prospect(id=f"{i:026d}", name=name, company=company, assessment=score)
        for i, (name, company, score) in enumerate(
            [
                ("bob", "Zeta", None),
                ("Alice", None, Assessment(True, 0.5)),
                ("alice", "acme", Assessment(False, 0.5)),
                ("Émile", "Acme", Assessment(True, 0.9)),
                ("Bob", "", None),
            ]
        )
    ]
    fast, slow = _Records(), MemoryRepository()
    for repo in (fast, slow):
        for p in people:
            repo.put(p)
    for limit in (None, 2):
        query = Query(sort=sort, limit=limit)
        expected = [prospect_record(p) for p in slow.query(query)]
        assert _text(listed(fast, query, lambda r: r)) == _text(expected)
        assert listed(slow, query, lambda r: r["id"]) == [r["id"] for r in expected]
