"""``put_many`` reads each index file once per batch, and writes what ``put`` would.

An import writes thousands of prospects; one by one, each looks up its locator,
key and id documents in index files spread over the whole store, which kept
every index file parsed in the cache (~70 MB at 30,000 prospects).  These tests
check that a batch reads each file at most once, caches none of them, and ends
exactly as the same prospects written one by one, spilling or not.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.errors import DuplicateIdentityError
from socialcrm.models import Pipeline, Prospect
from socialcrm.stages import Stage
from socialcrm.storage import generations
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import T0, li, make_prospect

from .helpers import Counter, dump_state, populate

SHARDS: dict[str, int] = {"prospect_shards": 4, "event_shards": 4, "key_shards": 4}
STORED = [f"01P{i:05d}" for i in range(12)]


def make_store(path: Path) -> Path:
    repo = TinyDBRepository(path, **SHARDS).open()
    populate(repo, len(STORED))
    repo.put_pipeline(Pipeline("other", T0))
    repo.close()
    return path


def prospects() -> st.SearchStrategy[Prospect]:
    """Stored or new prospects, anywhere, sharing identities and e-mails at random."""
    return st.builds(
        lambda pid, stage, pipeline, handle, emails: make_prospect(
            pid,
            f"Name {pid}",
            stage=stage,
            pipeline=pipeline,
            identities=[] if handle is None else [li(handle)],
            emails=sorted(emails),
        ),
        st.sampled_from([*STORED, "01N00000", "01N00001", "01N00002"]),
        st.sampled_from(list(Stage)),
        st.sampled_from(["default", "other"]),
        st.sampled_from([None, "01p-1", "01p-2", "new-a", "new-b"]),
        st.sets(
            st.sampled_from(["01p1@example.org", "01P2@example.org", "n@example.org"]), max_size=2
        ),
    )


def write(path: Path, batch: list[Prospect], *, many: bool) -> type[Exception] | None:
    repo = TinyDBRepository(path)
    try:
        if many:
            repo.put_many(batch)
        else:
            with repo.transaction():
                for p in batch:
                    repo.put(p)
    except DuplicateIdentityError:
        return DuplicateIdentityError
    finally:
        repo.close()
    return None


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store each example starts from, built once and copied (building it is
    most of an example's time)."""
    return make_store(tmp_path_factory.mktemp("put-many") / "store")


@settings(max_examples=60, deadline=None)
@given(batch=st.lists(prospects(), max_size=8), spill=st.booleans())
def test_a_batch_ends_as_the_same_puts_one_by_one(
    template: Path, batch: list[Prospect], spill: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one_by_one, many = Path(tmp) / "one", Path(tmp) / "many"
        shutil.copytree(template, one_by_one)
        shutil.copytree(template, many)
        expected = write(one_by_one, batch, many=False)
        saved = generations._SPILL_BYTES
        generations._SPILL_BYTES = 0 if spill else saved  # spilling: after every change
        try:
            outcome = write(many, batch, many=True)
        finally:
            generations._SPILL_BYTES = saved
        assert outcome is expected
        assert dump_state(many) == dump_state(one_by_one)


def batch_of(n: int) -> list[Prospect]:
    """New prospects, and stored ones moved with new keys: every index file is touched."""
    stored = [
        evolve(
            make_prospect(pid, f"Moved {pid}"),
            stage=Stage.CONTACT,
            identities=[li(f"moved-{pid}")],
            emails=[f"{pid}@moved.example"],
        )
        for pid in STORED[:6]
    ]
    new = [
        make_prospect(f"01N{i:05d}", identities=[li(f"n-{i}")], emails=[f"n{i}@example.org"])
        for i in range(n)
    ]
    return stored + new


@pytest.mark.parametrize("spill", [False, True])
def test_each_file_is_read_once_and_none_stays_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spill: bool
) -> None:
    path = make_store(tmp_path / "store")
    reads = Counter(monkeypatch).reads
    if spill:
        monkeypatch.setattr(generations, "_SPILL_BYTES", 0)
    repo = TinyDBRepository(path)
    with repo.transaction():
        repo.put_many(batch_of(40))
        cached = [key[0] for key in repo.engine.cache.files]
        index_reads = [r for r in reads if r.split("/")[-1][0] in "kli"]  # not the commit's
    repo.close()
    assert index_reads, "the batch read no index file: the test proves nothing"
    if not spill:  # spilling reads each file back before writing it again
        assert len(index_reads) == len(set(index_reads))
    assert not [c for c in cached if c.split("/")[-1][0] in "klip"]
    state: dict[str, Any] = dump_state(path)
    assert state["identities"]["default\tlinkedin:n-39"] == {"id": "01N00039"}
    assert state["emails"]["default\t01p00000@moved.example"] == {"ids": ["01P00000"]}
    assert "default\tlinkedin:01p-0" not in state["identities"]  # the moved one's old key


def test_a_batch_into_a_new_store_caches_no_file_it_spilled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files that did not exist when read ahead hold nothing yet; once written
    early, the batch still finds its documents without reading them back."""
    monkeypatch.setattr(generations, "_SPILL_BYTES", 0)
    repo = TinyDBRepository(tmp_path / "store", **SHARDS)
    with repo.transaction():
        repo.put_many(batch_of(40))
        assert not repo.engine.cache.files
    repo.close()
    state: dict[str, Any] = dump_state(tmp_path / "store")
    assert len(state["prospects"]) == 46 and len(state["identities"]) == 46


def test_reads_after_the_batch_go_to_the_files_again(tmp_path: Path) -> None:
    """What was read ahead is dropped with the batch: later reads see later changes."""
    repo = TinyDBRepository(make_store(tmp_path / "store"))
    with repo.transaction():
        repo.put_many(batch_of(3))
        assert repo.engine.ahead.kept == {}
        repo.delete("01N00001")
        assert repo.find_by_identity("default", "linkedin:n-1") is None
        found = repo.find_by_identity("default", "linkedin:n-2")
        assert found is not None and found.id == "01N00002"
    repo.close()
