"""A transaction's pending changes: what reads see, what files get, what memory it takes."""

from __future__ import annotations

import tracemalloc
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.errors import StoreError
from socialcrm.storage.files import Tables, encode_tables
from socialcrm.storage.pending import DELETED, ENTRY_OVERHEAD, Appended, Pending, merged_for_writing

STORED: Tables = {
    "events": {
        "A": {"events": [{"n": 1}, {"n": 2}]},
        "B": {"events": [{"n": 3}]},
    },
    "ids": {"default": {"ids": ["A", "B"]}},
}


def written(stored: Tables, pending: Pending, logical: str) -> Tables:
    """What the file would hold once written (encoded, then read back)."""
    data = merged_for_writing(stored, pending.pop(logical))
    parsed: Tables = orjson.loads(encode_tables(data))
    return parsed


def test_an_appended_event_is_kept_alone_and_joined_on_read_and_write() -> None:
    pending = Pending()
    pending.append("e-1", "events", "A", "events", {"n": 9})
    change = pending.get("e-1", "events", "A")
    assert isinstance(change, Appended) and len(change.items) == 1  # not the stored two
    view = pending.view("e-1", STORED)
    assert view["events"]["A"] == {"events": [{"n": 1}, {"n": 2}, {"n": 9}]}
    assert view["events"]["B"] == STORED["events"]["B"]
    assert written(STORED, pending, "e-1")["events"]["A"]["events"] == [
        {"n": 1},
        {"n": 2},
        {"n": 9},
    ]
    assert STORED["events"]["A"] == {"events": [{"n": 1}, {"n": 2}]}  # never modified


def test_append_after_a_replacement_or_a_removal_extends_the_new_content() -> None:
    pending = Pending()
    pending.set("e-1", "events", "A", {"events": [{"n": 7}]})
    pending.append("e-1", "events", "A", "events", {"n": 8})
    pending.delete("e-1", "events", "B")
    pending.append("e-1", "events", "B", "events", {"n": 5})
    view = pending.view("e-1", STORED)
    assert view["events"] == {"A": {"events": [{"n": 7}, {"n": 8}]}, "B": {"events": [{"n": 5}]}}


def test_a_live_document_changes_in_place_and_stays_the_same_object() -> None:
    pending = Pending()
    live = {"ids": ["A", "B"]}
    pending.keep_live("i-1", "ids", "default", live)
    live["ids"].append("C")
    pending.append("i-1", "ids", "default", "ids", "D")
    assert pending.get("i-1", "ids", "default") is live
    assert written(STORED, pending, "i-1")["ids"]["default"] == {"ids": ["A", "B", "C", "D"]}


def test_deleting_every_document_empties_the_file() -> None:
    pending = Pending()
    for doc_id in ("A", "B"):
        pending.delete("e-1", "events", doc_id)
    pending.delete("e-1", "ids", "default")
    assert pending.view("e-1", STORED) == {}
    assert merged_for_writing(STORED, pending.pop("e-1")) == {}


def test_size_counts_packed_bytes_and_goes_back_to_zero() -> None:
    pending = Pending()
    doc = {"name": "x" * 1000}
    pending.set("p-1", "prospects", "A", doc)
    assert pending.size == len(orjson.dumps(doc)) + ENTRY_OVERHEAD
    pending.set("p-1", "prospects", "A", {"name": "y"})  # a replacement, not an addition
    assert pending.size == len(b'{"name":"y"}') + ENTRY_OVERHEAD
    pending.append("e-1", "events", "A", "events", {"n": 1})
    pending.delete("p-2", "prospects", "B")
    assert set(pending.logicals()) == {"p-1", "e-1", "p-2"}
    for logical in pending.logicals():
        pending.pop(logical)
    assert pending.size == 0 and not pending


def test_a_value_that_is_not_json_is_refused_when_set() -> None:
    pending = Pending()
    with pytest.raises(StoreError, match="nothing was written"):
        pending.set("p-1", "prospects", "A", {"when": object()})
    assert not pending


def test_packed_documents_take_their_own_size_not_orjsons_buffer() -> None:
    """orjson's result keeps its 4 KB output buffer: 30,000 small key documents of an
    import held ~120 MB before they were copied to exact-size objects."""
    pending = Pending()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(2000):
            pending.set("k-1", "identities", f"default\tlinkedin:person-{i}", {"id": f"P{i:025d}"})
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert used < 2000 * 400, f"{used / 2000:.0f} bytes per 40-byte document"


# --------------------------------------------------------------------------- property
IDS = st.sampled_from(["A", "B", "C"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), IDS, st.integers(0, 9)),
        st.tuples(st.just("delete"), IDS, st.none()),
        st.tuples(st.just("append"), IDS, st.integers(0, 9)),
        st.tuples(st.just("live"), IDS, st.integers(0, 9)),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(OPS)
def test_reads_and_writes_equal_a_plain_copy_changed_in_place(ops: list[Any]) -> None:
    """Whatever the sequence of changes, a read and the written file equal the old way
    of working (a private copy of the whole file, changed in place)."""
    pending = Pending()
    model: dict[str, Any] = orjson.loads(orjson.dumps(STORED["events"]))
    for op, doc_id, n in ops:
        if op == "set":
            pending.set("e-1", "events", doc_id, {"events": [{"n": n}]})
            model[doc_id] = {"events": [{"n": n}]}
        elif op == "delete":
            pending.delete("e-1", "events", doc_id)
            model.pop(doc_id, None)
        elif op == "append":
            pending.append("e-1", "events", doc_id, "events", {"n": n})
            model.setdefault(doc_id, {"events": []})["events"].append({"n": n})
        else:
            live = {"events": [{"n": n}, {"n": n}]}
            pending.keep_live("e-1", "events", doc_id, live)
            model[doc_id] = {"events": [{"n": n}]}
            live["events"].pop()  # changed in place after being handed over
        assert pending.view("e-1", STORED).get("events", {}) == model
    assert pending.get("e-1", "events", "Z") is None
    assert written(STORED, pending, "e-1").get("events", {}) == model
    assert pending.size == 0


def test_deleted_marker_reads_as_absent() -> None:
    pending = Pending()
    pending.delete("e-1", "events", "A")
    assert pending.get("e-1", "events", "A") is DELETED
    assert "A" not in pending.view("e-1", STORED)["events"]


def test_ids_inserted_without_reading_the_list_merge_sorted_once() -> None:
    """A pipeline's id list: new ids are kept alone, merged sorted on read and write."""
    pending = Pending()
    for pid in ("C", "A2", "A", "C"):
        pending.insert("i-1", "ids", "default", "ids", pid)
    change = pending.get("i-1", "ids", "default")
    assert change is not None and not isinstance(change, dict | bytes)
    assert pending.view("i-1", STORED)["ids"]["default"] == {"ids": ["A", "A2", "B", "C"]}
    assert pending.view("i-1", {})["ids"]["default"] == {"ids": ["A", "A2", "C"]}
    assert written(STORED, pending, "i-1")["ids"]["default"]["ids"] == ["A", "A2", "B", "C"]
    assert STORED["ids"]["default"] == {"ids": ["A", "B"]}  # never modified


def test_an_insert_after_a_replacement_a_removal_or_into_a_live_list_keeps_it_sorted() -> None:
    pending = Pending()
    pending.set("i-1", "ids", "p1", {"ids": ["B", "D"]})
    pending.insert("i-1", "ids", "p1", "ids", "C")
    pending.delete("i-1", "ids", "p2")
    pending.insert("i-1", "ids", "p2", "ids", "Z")
    live: dict[str, Any] = {"ids": ["A", "E"]}
    pending.keep_live("i-1", "ids", "p3", live)
    pending.insert("i-1", "ids", "p3", "ids", "C")
    pending.insert("i-1", "ids", "p3", "ids", "C")
    view = pending.view("i-1", STORED)["ids"]
    assert view["p1"] == {"ids": ["B", "C", "D"]}
    assert view["p2"] == {"ids": ["Z"]}
    assert live == {"ids": ["A", "C", "E"]}  # the same object, changed in place
    with pytest.raises(ValueError, match="already extended"):
        pending.append("i-1", "ids", "p4", "events", {"n": 1})
        pending.insert("i-1", "ids", "p4", "ids", "X")


@given(st.lists(st.sets(st.text("ABCDEF", min_size=1, max_size=3), max_size=5), max_size=4))
def test_inserted_ids_equal_a_sorted_union(batches: list[set[str]]) -> None:
    pending = Pending()
    for batch in batches:
        for pid in sorted(batch, reverse=True):
            pending.insert("i-1", "ids", "default", "ids", pid)
    expected = sorted({"A", "B"}.union(*batches))
    assert pending.view("i-1", STORED)["ids"]["default"]["ids"] == expected


def test_items_cannot_be_appended_to_a_document_that_has_ids_inserted() -> None:
    pending = Pending()
    pending.insert("i-1", "ids", "p", "ids", "X")
    with pytest.raises(ValueError, match="already added"):
        pending.append("i-1", "ids", "p", "events", {"n": 1})
