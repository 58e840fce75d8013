"""Renderers and small parsers of the CLI."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.cli.activity import split_channel
from socialcrm.cli.prospects import parse_assignments
from socialcrm.cli.render import FORMULA_PREFIXES, dumps_json, emit_csv, neutralise
from socialcrm.errors import ValidationError


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
