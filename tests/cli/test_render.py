"""Renderers and small parsers of the CLI."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.cli.activity import split_channel
from socialcrm.cli.prospects import parse_assignments
from socialcrm.cli.render import (
    FORMULA_PREFIXES,
    _json_bytes,
    dumps_json,
    emit_csv,
    neutralise,
    prospect_record,
    record_floats,
)
from socialcrm.errors import ValidationError
from socialcrm.models import Assessment, Prospect
from tests.strategies import prospects


@given(st.text())
def test_neutralise_never_leaves_a_formula(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_PREFIXES)
    if text.startswith(FORMULA_PREFIXES):
        assert cell == "'" + text
    else:
        assert cell == text


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5))
def test_csv_round_trips_apart_from_the_neutralising_quote(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        emit_csv(["a", "b"], rows)
    parsed = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert parsed[0] == ["a", "b"]
    assert parsed[1:] == [[neutralise(c) for c in row] for row in rows]


def test_neutralise_examples() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-2") == "'-2"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\rx") == "'\rx"
    assert neutralise(None) == ""
    assert neutralise("Jane") == "Jane"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, (None, None)),
        ("dm", (None, "dm")),
        ("linkedin.connection_note", ("linkedin", "connection_note")),
        ("LinkedIn.inmail_body", ("linkedin", "inmail_body")),
    ],
)
def test_split_channel(value: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_channel(value) == expected


def test_parse_assignments_maps_fields_and_custom_fields() -> None:
    fields, custom = parse_assignments(
        ["company=Acme", "company_size=12", "budget=10k", "note=a=b", "company_size="]
    )
    assert fields == {"company": "Acme", "company_size": None}
    assert custom == {"budget": "10k", "note": "a=b"}
    with pytest.raises(ValidationError):
        parse_assignments(["novalue"])
    with pytest.raises(ValidationError):
        parse_assignments(["=x"])
    with pytest.raises(ValidationError, match="whole number"):
        parse_assignments(["company_size=twelve"])


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: orjson refuses them, the fallback writes them
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_dumps_json_writes_what_the_standard_library_writes(data: Any) -> None:
    assert dumps_json(data) == json.dumps(data, ensure_ascii=False, indent=2)


def test_dumps_json_keeps_non_ascii_and_small_floats() -> None:
    data = {"name": "Éric Dupont 日本", "score": 1e-05, "tiny": 6e-08, "items": [], "more": {}}
    assert dumps_json(data) == json.dumps(data, ensure_ascii=False, indent=2)
    assert '"Éric Dupont 日本"' in dumps_json(data)


SCORES = (
    st.none() | st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([1e-05, -6e-08])
)


@given(
    st.lists(
        st.tuples(prospects, st.none() | st.builds(Assessment, st.booleans(), SCORES, SCORES)),
        max_size=4,
    )
)
def test_prospect_lists_give_their_floats_and_the_standard_librarys_json(
    cases: list[tuple[Prospect, Assessment | None]],
) -> None:
    """``record_floats`` names every float of the records, so the JSON of a list skips
    the text scan and still writes what ``json.dumps`` writes (small floats included)."""
    ps = [attrs.evolve(p, assessment=a) for p, a in cases]
    records = [prospect_record(p) for p in ps]

    def floats_in(value: Any) -> list[float]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats_in(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats_in(v)]
        return []

    assert sorted(record_floats(ps)) == sorted(floats_in(records))
    expected = json.dumps(records, ensure_ascii=False, indent=2).encode()
    assert _json_bytes(records, floats=record_floats(ps)) == expected
