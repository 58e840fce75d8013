"""Renderers and small parsers of the CLI."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from socialcrm.cli import plain, prospect_lists, render
from socialcrm.cli.activity import split_channel
from socialcrm.cli.prospect_lists import emit_json_records
from socialcrm.cli.prospects import parse_assignments
from socialcrm.cli.records import record_floats
from socialcrm.cli.render import (
    FORMULA_PREFIXES,
    _json_bytes,
    dumps_json,
    emit_csv,
    neutralise,
    prospect_record,
)
from socialcrm.errors import ValidationError
from socialcrm.models import Assessment, Prospect
from tests.cli.conftest import Run
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
@example([["", "\x1b[A"]])  # found by hypothesis: click stripped it from piped text
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

    assert sorted(record_floats(records)) == sorted(floats_in(records))
    expected = json.dumps(records, ensure_ascii=False, indent=2).encode()
    assert _json_bytes(records, floats=record_floats(records)) == expected


# -- a prospect list's JSON, written in chunks ---------------------------------------------


def _chunked_output(ps: list[Prospect], chunk: int) -> bytes:
    """What :func:`emit_json_records` writes on a byte stdout, ``chunk`` records at a time."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(prospect_lists, "JSON_CHUNK", chunk)
        with contextlib.redirect_stdout(out):
            emit_json_records(ps)
    out.flush()
    return out.buffer.getvalue()


def _expected(ps: list[Prospect]) -> bytes:
    """Today's reference: the standard library's text of the whole list, then echo's newline."""
    records = [prospect_record(p) for p in ps]
    return json.dumps(records, ensure_ascii=False, indent=2).encode() + b"\n"


def _named(i: int, **kw: Any) -> Prospect:
    return Prospect(id=f"{i:026d}", name=f'Élodie 日本 {i} "q" \\ \u2028', **kw)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 6, 7])
def test_list_json_chunks_join_to_the_standard_librarys_text(count: int) -> None:
    """Shorter than, equal to, a multiple of and longer than one chunk (3), and empty."""
    ps = [_named(i, custom={"clé": "välue"}, tags=("ü", "x")) for i in range(count)]
    got = _chunked_output(ps, 3)
    assert got == _expected(ps)
    assert json.loads(got) == [prospect_record(p) for p in ps]
    if count == 0:
        assert got == b"[]\n"


def test_list_json_chunks_keep_small_floats_as_the_standard_library_writes_them() -> None:
    """A chunk holding ``1e-05`` takes the exact fallback; its neighbours the fast path."""
    ps = [
        _named(0, assessment=Assessment(True, 0.5, 0.25)),
        _named(1, assessment=Assessment(False, 1e-05, -6e-08)),
        _named(2),
        _named(3, assessment=Assessment(True, 3.0, None)),
    ]
    got = _chunked_output(ps, 2)
    assert got == _expected(ps)
    assert b'"score": 1e-05' in got and b'"threshold": -6e-08' in got


def test_list_json_chunk_orjson_refuses_falls_back_with_the_same_timestamps() -> None:
    """An integer beyond 64 bits sends its chunk to the standard library, datetimes and all."""
    when = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    ps = [
        _named(0, company_size=2**70, created_at=when, updated_at=when),
        _named(1, created_at=when, updated_at=when),
    ]
    got = _chunked_output(ps, 1)
    assert got == _expected(ps)
    assert b'"created_at": "2026-03-04T05:06:07.890123+00:00"' in got
    assert b'"company_size": 1180591620717411303424' in got


@given(st.lists(prospects, max_size=7), st.integers(min_value=1, max_value=4))
def test_list_json_in_any_chunk_size_is_the_whole_lists_json(
    ps: list[Prospect], chunk: int
) -> None:
    assert _chunked_output(ps, chunk) == _expected(ps)


def test_list_json_through_the_cli_is_whole_when_chunked(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CliRunner captures every chunk, in order, as one JSON document."""
    for name in ("Zoë Ångström", "Jean 日本", "Ann", "Bob", "Cy"):
        run("add", name, "--tag", "ü")
    monkeypatch.setattr(prospect_lists, "JSON_CHUNK", 2)
    out = run("list", "--format", "json").stdout
    records = json.loads(out)
    assert [r["name"] for r in records] == ["Zoë Ångström", "Jean 日本", "Ann", "Bob", "Cy"]
    assert out == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    monkeypatch.setattr(prospect_lists, "JSON_CHUNK", 1000)
    assert run("list", "--format", "json").stdout == out


# -- a plain table, written in chunks ------------------------------------------------------


class _Piped:
    """An output that is not a terminal (what a pipe or a file gets)."""

    output_format = "table"
    is_terminal = False
    console: Any = None

    def info(self, message: str) -> None:
        raise AssertionError(message)


def _table(rows: list[list[Any]], chunk: int) -> str:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(plain, "TABLE_CHUNK", chunk)
        with contextlib.redirect_stdout(out):
            render.emit_table(_Piped(), ["ID", "NAME", "TAGS"], rows, title="T")  # type: ignore[arg-type]
    return out.getvalue()


def test_a_piped_table_is_aligned_text() -> None:
    rows: list[list[Any]] = [["1", "Zoé", ["a", "b"]], ["22", "Al", None]]
    assert _table(rows, 1) == "T\nID  NAME  TAGS\n1   Zoé   a, b\n22  Al\n"


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5])
def test_a_piped_table_is_the_same_text_whatever_the_chunk(count: int) -> None:
    rows: list[list[Any]] = [[f"id{i}", "Zoé" * (i % 3), ["a"] * (i % 2)] for i in range(count)]
    whole = _table(rows, 10_000)
    assert len(whole.splitlines()) == count + 2 and whole.endswith("\n")
    for chunk in (1, 2, 3):
        assert _table(rows, chunk) == whole
