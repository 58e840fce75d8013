"""A failure at any step of the write path leaves exactly the old or the new state.

Steps: serialise (orjson: each changed document, then the manifest), write,
fsync, replace (and the directory fsync that follows).  Each is made to fail at
its 1st, 2nd, … call during a commit that changes several files; the store is
then reopened by a fresh repository and compared with the two possible states.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attrs import evolve

from socialcrm import atomic_files as atomic
from socialcrm.stages import Stage
from socialcrm.storage import doc_lines, generations, layout, open_repository
from socialcrm.storage.doctor import doctor
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import li, make_event, make_prospect

from .helpers import dump_state, populate, snapshot


class Injected(Exception):
    pass


def change(repo: TinyDBRepository) -> None:
    """One commit touching prospects, events, keys, the id list and the manifest tables."""
    with repo.transaction():
        p = repo.get("01P00001")
        assert p is not None
        repo.put(evolve(p, stage=Stage.IDENTIFY, emails=["new@example.org"]))
        repo.append_event(make_event("EMOVE", "01P00001"))
        repo.put(make_prospect("01NEW", "New Person", identities=[li("new-person")]))
        repo.append_event(make_event("ENEW", "01NEW"))
        repo.delete("01P00003")
        repo.set_meta("last_import", "today")


STEPS: dict[str, tuple[Any, str]] = {
    # each changed document, as its data file is written line by line
    "serialise": (doc_lines, "encode_tables"),
    "serialise-manifest": (generations, "encode_tables"),
    "write": (atomic.os, "write"),
    "fsync": (atomic.os, "fsync"),
    "replace": (atomic.os, "replace"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    root = tmp_path_factory.mktemp("fault")
    old_path = root / "old"
    repo = TinyDBRepository(old_path, prospect_shards=4, key_shards=2).open()
    populate(repo, 8)
    repo.close()
    new_path = root / "new"
    shutil.copytree(old_path, new_path)
    repo = open_repository(new_path)
    change(repo)
    repo.close()
    old, new = dump_state(old_path), dump_state(new_path)
    assert old != new
    return old_path, old, new


def count_calls(base_path: Path, tmp_path: Path, module: Any, name: str) -> int:
    path = tmp_path / "count"
    shutil.copytree(base_path, path)
    real = getattr(module, name)
    calls = 0

    def counting(*args: Any, **kw: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kw)

    mp = pytest.MonkeyPatch()
    repo = open_repository(path)
    mp.setattr(module, name, counting)
    try:
        change(repo)
    finally:
        mp.undo()
    return calls


@pytest.mark.parametrize("spilling", [False, True], ids=["in-memory", "spilling"])
@pytest.mark.parametrize("step", list(STEPS))
def test_fault_at_each_call_leaves_old_or_new_state(
    step: str,
    spilling: bool,
    base: tuple[Path, dict[str, Any], dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``spilling``: every change makes the transaction write its files early (see
    test_spill.py), so faults also hit those writes, before the commit."""
    if spilling:
        monkeypatch.setattr(generations, "_SPILL_BYTES", 0)
    base_path, old, new = base
    module, name = STEPS[step]
    total = count_calls(base_path, tmp_path, module, name)
    assert total >= (1 if step == "serialise-manifest" else 3)
    outcomes = set()
    for k in range(1, total + 1):
        path = tmp_path / f"run{k}"
        shutil.copytree(base_path, path)
        before = snapshot(path)
        repo = open_repository(path)
        real = getattr(module, name)
        calls = 0

        def failing(*args: Any, _real: Callable[..., Any] = real, _k: int = k, **kw: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == _k:
                raise Injected(f"{step} #{_k}")
            return _real(*args, **kw)

        mp = pytest.MonkeyPatch()
        mp.setattr(module, name, failing)
        try:
            with pytest.raises(Injected):
                change(repo)
        finally:
            mp.undo()
        state = dump_state(path)
        assert state in (old, new), f"{step} failing at call {k} left a mixed state"
        if state == old:
            outcomes.add("old")
            # the committed files are byte-identical (leftovers of the new generation aside)
            after = snapshot(path)
            assert after[layout.MANIFEST_NAME] == before[layout.MANIFEST_NAME]
            assert {k: v for k, v in after.items() if k in before} == before
        else:
            outcomes.add("new")
        # the same repository object recovers: it sees what is on disk, and can write
        assert (repo.get("01NEW") is not None) == (state == new)
        repo.put(make_prospect("01AFTER", "After"))
        report = doctor(path)
        assert report.ok, [f.to_dict() for f in report.problems]
        repo.close()
    assert "old" in outcomes


def test_disk_full_is_a_clear_store_error_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialcrm.errors import StoreError

    path = tmp_path / "s"
    repo = open_repository(path)
    populate(repo, 3)
    before = dump_state(path)

    def full(*_args: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "write", full)
    with pytest.raises(StoreError) as info:
        repo.put(make_prospect("01NEW", "New"))
    monkeypatch.undo()
    message = str(info.value)
    assert "No space left on device" in message and "nothing was changed" in message
    assert info.value.path is not None and info.value.path.startswith(str(path / "data"))
    assert dump_state(path) == before


def test_failure_after_the_commit_point_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialcrm.errors import StoreError

    path = tmp_path / "s"
    repo = open_repository(path)
    populate(repo, 3)
    real = atomic.fsync_dir

    def failing_dir_sync(directory: Path) -> None:
        if directory == path:  # the store directory: after the manifest's replace
            raise OSError(5, "Input/output error")
        real(directory)

    monkeypatch.setattr(generations, "fsync_dir", failing_dir_sync)
    monkeypatch.setattr(atomic, "fsync_dir", failing_dir_sync)
    with pytest.raises(StoreError, match="may not survive"):
        repo.put(make_prospect("01NEW", "New"))
    monkeypatch.undo()
    assert repo.get("01NEW") is not None
