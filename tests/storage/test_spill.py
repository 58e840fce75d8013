"""A transaction too big for memory writes its files early, and still commits all or nothing.

Past ``_SPILL_BYTES`` of pending changes the repository writes the changed
files under the generation it will commit.  These tests shrink the budget so
that every change spills, and check that reads, the commit, a rollback, a
failure and a crash behave exactly as without spilling.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve

from socialcrm import atomic_files as atomic
from socialcrm.errors import StoreError
from socialcrm.repository import Query
from socialcrm.stages import Stage
from socialcrm.storage import generations, layout, open_repository
from socialcrm.storage.doctor import doctor
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import li, make_event, make_prospect

from .helpers import Counter, dump_state, populate, snapshot

SHARDS: dict[str, int] = {"prospect_shards": 4, "event_shards": 4, "key_shards": 2}


def big_change(repo: TinyDBRepository) -> None:
    """Moves, new prospects, events, a deletion and a rename, in one transaction."""
    with repo.transaction():
        for i in range(0, 30, 3):
            p = repo.get(f"01P{i:05d}")
            assert p is not None
            repo.put(evolve(p, stage=Stage.CONTACT, emails=[f"moved{i}@example.org"]))
            repo.append_event(make_event(f"EMOVE{i:03d}", p.id))
        for i in range(10):
            repo.put(make_prospect(f"01N{i:05d}", f"New {i}", identities=[li(f"new-{i}")]))
            repo.append_event(make_event(f"ENEW{i:03d}", f"01N{i:05d}"))
        repo.delete("01P00001")
        repo.move_events("01P00002", "01P00004")
        repo.set_meta("last_import", "today")
    repo.rename_pipeline("default", "renamed")


def data_files(path: Path) -> set[str]:
    return {child.name for child in (path / layout.DATA_DIR).iterdir()}


@pytest.fixture
def spill_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generations, "_SPILL_BYTES", 0)


def make_store(path: Path) -> Path:
    repo = TinyDBRepository(path, **SHARDS).open()
    populate(repo, 30)
    repo.close()
    return path


def test_spilling_commits_exactly_what_a_transaction_in_memory_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, spilled = make_store(tmp_path / "plain"), make_store(tmp_path / "spilled")
    big_change(open_repository(plain))
    monkeypatch.setattr(generations, "_SPILL_BYTES", 0)
    writes = Counter(monkeypatch).writes
    big_change(open_repository(spilled))
    assert dump_state(spilled) == dump_state(plain)
    # files were written again and again before the commit: the spilling did happen
    assert len(writes) > 3 * len(set(writes))
    report = doctor(spilled)
    assert report.ok and not [f for f in report.findings if f.code == "leftovers"]


def test_reads_inside_the_transaction_see_the_files_written_early(
    tmp_path: Path, spill_always: None
) -> None:
    path = make_store(tmp_path / "s")
    repo = open_repository(path)
    committed = set(data_files(path))
    with repo.transaction():
        p = repo.get("01P00005")
        assert p is not None
        repo.put(evolve(p, stage=Stage.CONTACT, name="Moved Person"))
        repo.append_event(make_event("EMOVE", p.id))
        repo.put(make_prospect("01NEW", "New One", identities=[li("new-one")]))
        early = data_files(path) - committed
        assert early and all(name.endswith(".000002.json") for name in early)
        # a fresh reader still sees the committed store: nothing is visible yet
        other = TinyDBRepository(path, lock_timeout=0)
        with pytest.raises(StoreError):  # the lock is ours until the commit
            other.get("01P00005")
        moved = repo.get("01P00005")
        assert moved is not None and moved.name == "Moved Person"
        assert [e.id for e in repo.events("01P00005")][-1] == "EMOVE"
        assert [x.id for x in repo.query(Query(stage=Stage.CONTACT))] == ["01P00005"]
        assert repo.find_by_identity("default", "linkedin:new-one") is not None
        assert repo.count("default") == 31
        assert dict(repo.events_for(["01P00005"]))["01P00005"][-1].id == "EMOVE"
    reopened = open_repository(path)
    moved = reopened.get("01P00005")
    assert moved is not None and moved.stage is Stage.CONTACT
    assert reopened.count("default") == 31


def test_a_transaction_that_fails_after_spilling_leaves_the_store_byte_identical(
    tmp_path: Path, spill_always: None
) -> None:
    path = make_store(tmp_path / "s")
    before = snapshot(path)
    repo = open_repository(path)
    with pytest.raises(RuntimeError, match="changed my mind"), repo.transaction():
        for i in range(10):
            repo.put(make_prospect(f"01N{i:05d}", f"New {i}"))
        assert len(data_files(path)) > len(before) - 1  # written early
        raise RuntimeError("changed my mind")
    assert snapshot(path) == before  # the early files are gone too
    assert repo.get("01N00000") is None and repo.count("default") == 30


def test_disk_full_while_spilling_is_a_store_error_and_changes_nothing(
    tmp_path: Path, spill_always: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = make_store(tmp_path / "s")
    before = snapshot(path)
    repo = open_repository(path)
    real = atomic.os.write
    calls = 0

    def full_at_third(fd: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(atomic.os, "write", full_at_third)
    with pytest.raises(StoreError) as info, repo.transaction():
        for i in range(10):
            repo.put(make_prospect(f"01N{i:05d}", f"New {i}"))
    monkeypatch.undo()
    assert "No space left on device" in str(info.value)
    assert "nothing was changed" in str(info.value)
    assert snapshot(path) == before
    assert doctor(path).ok


def test_a_process_killed_after_spilling_leaves_the_old_store(tmp_path: Path) -> None:
    """The files written early are not part of the store until the manifest names them:
    after a crash the store opens as it was, doctor calls them leftovers, and the
    next commit removes them."""
    path = make_store(tmp_path / "s")
    before = dump_state(path)
    committed = data_files(path)
    script = textwrap.dedent(
        f"""
        import os
        from socialcrm.storage import generations, open_repository
        from socialcrm.testing.contract import make_prospect
        generations._SPILL_BYTES = 0
        repo = open_repository({str(path)!r})
        with repo.transaction():
            for i in range(10):
                repo.put(make_prospect(f"01N{{i:05d}}", f"New {{i}}"))
            os._exit(9)  # as abrupt as a kill: no cleanup, no commit
        """
    )
    done = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert done.returncode == 9
    assert data_files(path) - committed  # the early files are still there
    assert dump_state(path) == before
    report = doctor(path)
    assert report.ok
    assert [f.code for f in report.findings if f.code == "leftovers"] == ["leftovers"]
    repo = open_repository(path)
    repo.put(make_prospect("01AFTER", "After"))
    referenced = {Path(e["path"]).name for e in repo.engine.head.manifest["files"].values()}  # type: ignore[index]
    assert data_files(path) == referenced
    assert not [f for f in doctor(path).findings if f.code == "leftovers"]


def test_a_migration_too_big_for_memory_spills_and_keeps_everything(
    tmp_path: Path, spill_always: None
) -> None:
    from socialcrm.serialization import event_to_dict, prospect_to_dict
    from socialcrm.storage.files import encode_tables

    prospects = [make_prospect(f"01P{i:05d}", f"Person {i}") for i in range(20)]
    old = {
        "store": {"1": {"schema": 1}},
        "prospects": {p.id: prospect_to_dict(p) for p in prospects},
        "events": {f"E{p.id}": event_to_dict(make_event(f"E{p.id}", p.id)) for p in prospects},
        "pipelines": {},
        "meta": {},
    }
    path = tmp_path / "v1"
    path.mkdir(mode=0o700)
    (path / layout.MANIFEST_NAME).write_bytes(encode_tables(old))
    (path / layout.MANIFEST_NAME).chmod(0o600)
    repo = open_repository(path)
    assert repo.count("default") == 20
    assert all(len(repo.events(p.id)) == 1 for p in prospects)
    assert doctor(path).ok


def test_a_file_emptied_after_being_written_early_leaves_nothing_behind(
    tmp_path: Path, spill_always: None
) -> None:
    path = tmp_path / "s"
    repo = TinyDBRepository(path, **SHARDS).open()
    populate(repo, 2)
    before = snapshot(path)
    with pytest.raises(RuntimeError, match="undo"), repo.transaction():
        repo.put(make_prospect("01NEW", "New One", identities=[li("new-one")]))
        assert len(snapshot(path)) > len(before)  # written early
        repo.delete("01NEW")  # some of those files are empty again: written as no file
        repo.put(make_prospect("01OTHER", "Other"))  # ...at the next early write
        raise RuntimeError("undo")
    assert snapshot(path) == before


@pytest.mark.parametrize("spilling", [False, True], ids=["in-memory", "spilling"])
def test_tinydb_own_write_methods_still_work_inside_a_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spilling: bool
) -> None:
    """TinyDB's update/remove (not used by socialcrm, available to whoever opens a
    store's tables) work on a private copy and become single-document changes."""
    from tinydb import where

    if spilling:
        monkeypatch.setattr(generations, "_SPILL_BYTES", 0)
    path = make_store(tmp_path / "s")
    repo = open_repository(path)
    with repo.transaction():
        table = repo._tbl("k-00", "scratch")
        table.set("a", {"n": 1, "tags": ["x"]})
        table.set("b", {"n": 2, "tags": []})
    stored = repo.engine.view("k-00")["scratch"]["a"]
    with repo.transaction():
        table = repo._tbl("k-00", "scratch")
        table.update({"n": 10}, where("n") == 1)
        table.remove(doc_ids=["b"])
        assert table.doc("a") == {"n": 10, "tags": ["x"]}
        assert table.doc("b") is None
    assert stored == {"n": 1, "tags": ["x"]}  # the committed document was not changed in place
    reopened = open_repository(path)
    assert reopened.engine.view("k-00")["scratch"] == {"a": {"n": 10, "tags": ["x"]}}
    assert reopened.count("default") == 30  # the store's own tables are untouched


def test_a_file_written_again_early_stays_cached_once(tmp_path: Path, spill_always: None) -> None:
    """Each early write replaces the file's earlier versions, in the cache too (parsed,
    one takes ~6× its size: a restore of 300,000 events kept 15 MB of stale ones)."""
    repo = open_repository(make_store(tmp_path / "store"))
    with repo.transaction():
        for i in range(8):
            p = repo.get("01P00003")
            assert p is not None and repo.find_by_email("default", "moved@example.org") == []
            repo.put(evolve(p, notes=f"version {i}"))
            names = [name for name, _, _ in repo.engine.cache.files]
            assert len(names) == len(set(names)), names
        assert repo.get("01P00003").notes == "version 7"  # type: ignore[union-attr]
