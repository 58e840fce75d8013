"""Data files written one document per line and merged as a stream (storage.doc_lines).

The merge must give exactly what parsing the file whole and applying the
changes gives (``pending.merged_for_writing``), for files in the line layout
and in the older compact one, and hold only a line at a time.
"""

from __future__ import annotations

import os
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcrm.errors import StoreCorruptError
from socialcrm.storage.doc_lines import write_merged
from socialcrm.storage.files import Tables, decode_tables, encode_tables
from socialcrm.storage.pending import Pending, merged_for_writing

LOGICAL = "e-01"
REL = "data/e-01.000001.json"

# ids as the store makes them (ULIDs) and as keys may be (tabs, quotes, newlines, ":")
ids = st.one_of(
    st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=1, max_size=6),
    st.text(min_size=1, max_size=8),
)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
docs = st.dictionaries(st.text(max_size=6), values, max_size=4)
tables = st.dictionaries(
    st.sampled_from(["prospects", "events", "ids", 't\tab\n"x"']),
    st.dictionaries(ids, docs, max_size=6),
    max_size=3,
)
# (op, table, id, doc): set, delete, append an item to the "events" list
ops = st.lists(
    st.tuples(
        st.sampled_from(["set", "delete", "append"]),
        st.sampled_from(["prospects", "events", "new table"]),
        ids,
        docs,
    ),
    max_size=10,
)


def store_file(store: Path, data: Tables, *, compact: bool) -> dict[str, Any] | None:
    """``data`` written as the store's file ``REL`` (line or compact layout); its entry."""
    (store / "data").mkdir(parents=True, exist_ok=True)
    path = store / REL
    if compact:
        blob = encode_tables(data)
        path.write_bytes(blob)
    else:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            written = write_merged(fd, store, LOGICAL, None, {t: dict(d) for t, d in data.items()})
        finally:
            os.close(fd)
        if not written.documents:
            path.unlink()
            return None
        blob = path.read_bytes()
    return {"path": REL, "size": len(blob), "crc32": f"{zlib.crc32(blob):08x}"}


def merge(store: Path, entry: dict[str, Any] | None, pending: Pending) -> tuple[Tables, int]:
    out = store / "merged.json"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        written = write_merged(fd, store, LOGICAL, entry, pending.pop(LOGICAL))
    finally:
        os.close(fd)
    raw = out.read_bytes()
    assert written.size == len(raw) and written.digest == f"{zlib.crc32(raw):08x}"
    return (decode_tables(raw, out) if raw else {}), written.documents


def as_changes(data: Tables) -> Pending:
    pending = Pending()
    for table, documents in data.items():
        for doc_id, doc in documents.items():
            pending.set(LOGICAL, table, doc_id, doc)
    return pending


def apply(pending: Pending, operations: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    for op, table, doc_id, doc in operations:
        if op == "set":
            pending.set(LOGICAL, table, doc_id, doc)
        elif op == "delete":
            pending.delete(LOGICAL, table, doc_id)
        else:
            pending.append(LOGICAL, table, doc_id, "events", doc)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stored=tables, operations=ops, compact=st.booleans())
def test_a_streamed_merge_equals_the_whole_file_merge(
    tmp_path_factory: pytest.TempPathFactory,
    stored: Tables,
    operations: list[tuple[str, str, str, dict[str, Any]]],
    compact: bool,
) -> None:
    stored = {t: d for t, d in stored.items() if d}
    store = tmp_path_factory.mktemp("store")
    entry = store_file(store, stored, compact=compact)
    expected_pending, pending = Pending(), Pending()
    # "append" onto a stored document that has no list "events" would not be an event file
    operations = [
        o
        for o in operations
        if o[0] != "append"
        or "events" not in stored.get(o[1], {}).get(o[2], {})
        or isinstance(stored[o[1]][o[2]]["events"], list)
    ]
    apply(expected_pending, operations)
    apply(pending, operations)
    expected = orjson.loads(
        encode_tables(merged_for_writing(stored, expected_pending.pop(LOGICAL)))
    )
    got, count = merge(store, entry, pending)
    assert got == expected
    assert count == sum(map(len, expected.values()))


def test_every_document_is_a_line_of_its_own_and_keys_with_escapes_survive(tmp_path: Path) -> None:
    data: Tables = {"k": {'a\n"b"\\c': {"v": "x\ny"}, "PIPE\tlinkedin:léa": {"id": "1"}}}
    entry = store_file(tmp_path, data, compact=False)
    assert entry is not None
    lines = (tmp_path / REL).read_bytes().splitlines()
    assert len(lines) == 4  # header, two documents, closing
    assert orjson.loads((tmp_path / REL).read_bytes()) == data
    got, _ = merge(tmp_path, entry, as_changes({"k": {"new": {"n": 1}}}))
    assert got == {"k": {**data["k"], "new": {"n": 1}}}


def test_a_damaged_stored_file_is_refused(tmp_path: Path) -> None:
    entry = store_file(tmp_path, {"prospects": {"A": {"n": 1}, "B": {"n": 2}}}, compact=False)
    assert entry is not None
    path = tmp_path / REL
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"n":2', b'"n":3'))  # same size, other bytes
    with pytest.raises(StoreCorruptError, match="checksum"):
        merge(tmp_path, entry, as_changes({"prospects": {"C": {"n": 9}}}))
    path.unlink()
    with pytest.raises(StoreCorruptError, match="missing"):
        merge(tmp_path, entry, as_changes({"prospects": {"C": {"n": 9}}}))


def test_a_file_left_empty_writes_nothing(tmp_path: Path) -> None:
    entry = store_file(tmp_path, {"prospects": {"A": {"n": 1}}}, compact=False)
    pending = Pending()
    pending.delete(LOGICAL, "prospects", "A")
    got, count = merge(tmp_path, entry, pending)
    assert (got, count) == ({}, 0)


def test_merging_a_large_file_holds_a_line_at_a_time(tmp_path: Path) -> None:
    """Parsed whole, this 8 MB file would take ~100 MB; merged, memory stays small."""
    big: Tables = {
        "prospects": {
            f"01J{n:023d}": {"name": f"Person {n}", "tags": ["a", "b"], "notes": "x" * 300}
            for n in range(20_000)
        }
    }
    entry = store_file(tmp_path, big, compact=False)
    assert entry is not None and entry["size"] > 7_000_000
    del big
    pending = as_changes({"prospects": {"01J" + "0" * 23: {"name": "changed"}}})
    out = tmp_path / "merged.json"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    tracemalloc.start()
    try:
        written = write_merged(fd, tmp_path, LOGICAL, entry, pending.pop(LOGICAL))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        os.close(fd)
    assert written.documents == 20_000
    assert peak < 4_000_000, peak  # the write buffer (1 MB) and a few lines
    assert orjson.loads(out.read_bytes())["prospects"]["01J" + "0" * 23] == {"name": "changed"}


def test_a_scan_gives_what_a_query_gives_one_file_at_a_time(tmp_path: Path) -> None:
    """``scan`` (what an import indexes a pipeline with) = ``query`` without the order."""
    from attrs import evolve

    from socialcrm.models import Pipeline
    from socialcrm.repository import Query, ScansProspects, each_prospect
    from socialcrm.stages import Stage
    from socialcrm.storage.tinydb import TinyDBRepository
    from socialcrm.testing.contract import make_prospect

    from .helpers import T0

    repo = TinyDBRepository(tmp_path / "s", prospect_shards=4).open()
    with repo.transaction():
        for name in ("default", "other"):
            repo.put_pipeline(Pipeline(name, T0))
        for n in range(60):
            p = make_prospect(
                f"01S{n:05d}", f"P {n}", pipeline="other" if n % 5 == 0 else "default"
            )
            repo.put(evolve(p, stage=Stage.IDENTIFY, tags=["t"]) if n % 3 == 0 else p)
    assert isinstance(repo, ScansProspects)
    for query in (
        Query(),
        Query(pipeline="other"),
        Query(stage=Stage.IDENTIFY),
        Query(tag="t", limit=2),
        Query(text="P 1"),
    ):
        expected = sorted(p.id for p in repo.query(evolve(query, limit=None)))
        assert sorted(p.id for p in repo.scan(query)) == expected
        assert sorted(p.id for p in each_prospect(repo, query)) == expected
    repo.close()
