"""A commit deletes only the files it proves are garbage (``storage.sweep``).

Deleted: the files the previous manifest listed that the commit replaced, the
files a manifest names as retired (its own commit's garbage, left by a process
killed between its swap and its sweep), unlisted files of the generation being
committed, and temporary files.  Anything else unlisted is left for ``doctor``.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import backup, list_backups, restore
from socialcrm.storage.doctor import doctor
from socialcrm.storage.sweep import garbage
from socialcrm.storage.tinydb import TinyDBRepository

from .helpers import dump_state, populate, run_python, written_store


def manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path / layout.MANIFEST_NAME).read_text())
    return data


def generation(path: Path) -> int:
    return int(manifest(path)["store"]["1"]["generation"])


def data_names(path: Path) -> set[str]:
    return {p.name for p in (path / layout.DATA_DIR).iterdir()}


def listed(path: Path) -> set[str]:
    return {Path(e["path"]).name for e in manifest(path)["files"].values()}


def small_store(path: Path, n: int) -> Path:
    """A store of ``n`` prospects with one shard of each kind: every change rewrites
    files that exist."""
    one = {f"{kind}_shards": 1 for kind in ("prospect", "event", "key", "locator", "id")}
    repo = TinyDBRepository(path, **one).open()
    populate(repo, n)
    repo.close()
    return path


def touch_meta(path: Path, value: object) -> None:
    """One commit (it changes only the manifest's own tables)."""
    repo = open_repository(path)
    repo.set_meta("touched", value)
    repo.close()


def test_a_commit_deletes_the_files_it_replaced_and_retires_them(tmp_path: Path) -> None:
    store = small_store(tmp_path / "s", 3)
    before = listed(store)
    repo = open_repository(store)
    populate(repo, 1, prefix="01Q")  # rewrites some shards
    repo.close()
    after = listed(store)
    replaced = before - after
    assert replaced
    assert data_names(store) == after  # the replaced files are gone
    retired = {Path(p).name for p in manifest(store)[layout.RETIRED_TABLE]}
    assert retired == replaced  # and the manifest says which they were


def test_a_kill_between_the_swap_and_the_sweep_is_cleaned_by_the_next_commit(
    tmp_path: Path,
) -> None:
    """The files the killed commit replaced are named in its manifest's retired
    table: the next commit deletes them, and only them."""
    store = small_store(tmp_path / "s", 3)
    old_files = listed(store)
    code = f"""
        import os
        from socialcrm.storage.generations import GenerationStore
        from socialcrm.storage import open_repository
        from socialcrm.testing.contract import make_prospect
        GenerationStore._sweep = lambda self, previous, committed: os._exit(9)
        repo = open_repository({str(store)!r})
        repo.put(make_prospect("01NEW00000", "New"))
    """
    assert run_python(code) == 9
    state = dump_state(store)
    assert "01NEW00000" in state["prospects"]  # committed
    replaced = old_files - listed(store)
    assert replaced and replaced <= data_names(store)  # but not swept
    report = doctor(store)
    assert report.ok
    removable = [f for f in report.findings if f.code == "leftovers"]
    assert removable and "the next write removes them" in (removable[0].fix or "")
    touch_meta(store, 1)
    assert data_names(store) == listed(store)
    assert dump_state(store)["prospects"] == state["prospects"]
    assert "leftovers" not in {f.code for f in doctor(store).findings}


def test_unlisted_files_a_commit_cannot_prove_garbage_are_kept(tmp_path: Path) -> None:
    store = written_store(tmp_path / "s", 3)
    gen = generation(store)
    data = store / layout.DATA_DIR
    stale = data / "e-00.000000.json"
    stale.write_bytes(b'{"events": {}}')  # an older generation no manifest retired
    newer = data / f"p-profile-00.{gen + 5:06d}.json"
    newer.write_bytes(b'{"prospects": {}}')  # beyond the next commit
    unknown = data / "notes.txt"
    unknown.write_text("mine", encoding="utf-8")
    nested = data / "keep"
    nested.mkdir()
    report = doctor(store)
    codes = {f.code: f for f in report.findings}
    assert {"stale-files", "newer-files", "unknown-files"} <= set(codes)
    assert codes["stale-files"].level == "info" and codes["newer-files"].level == "warning"
    for _ in range(3):
        touch_meta(store, _)
    assert stale.exists() and newer.exists() and unknown.exists() and nested.is_dir()


def test_temporary_files_and_this_generations_strays_are_deleted(tmp_path: Path) -> None:
    store = written_store(tmp_path / "s", 2)
    gen = generation(store)
    data = store / layout.DATA_DIR
    stray = data / f"k-00.{gen + 1:06d}.json"  # a commit of gen+1 killed before its swap
    stray.write_bytes(b"{}")
    temps = [
        data / f".e-00.{gen:06d}.json.4242.tmp",
        store / f".{layout.MANIFEST_NAME}.4242.tmp",
    ]
    for temp in temps:
        temp.write_bytes(b"half")
    other_temp = store / ".notes.txt.4242.tmp"  # not a temporary file of ours
    other_temp.write_bytes(b"mine")
    touch_meta(store, True)
    assert not stray.exists() and not any(t.exists() for t in temps)
    assert other_temp.exists()


def test_a_hostile_retired_table_cannot_delete_outside_data(tmp_path: Path) -> None:
    store = written_store(tmp_path / "s", 2)
    victim = tmp_path / "precious.json"
    victim.write_text("{}", encoding="utf-8")
    m = manifest(store)
    listed_path = next(iter(m["files"].values()))["path"]
    m[layout.RETIRED_TABLE] = {"data/../../precious.json": {}, listed_path: {}, "store.json": {}}
    (store / layout.MANIFEST_NAME).write_text(json.dumps(m), encoding="utf-8")
    # only data files, never a listed one
    assert all(p.parent == store / layout.DATA_DIR for p in garbage(store, m, m))
    touch_meta(store, True)
    assert victim.exists()
    assert (store / listed_path).exists()
    assert doctor(store).ok


def test_restore_commits_above_every_file_present_and_saves_what_it_removes(
    tmp_path: Path,
) -> None:
    """A restore does not follow the manifest's generation: it names its files above
    any data file present (so it overwrites none), and removes the old files only
    once they are saved in its pre-restore backup."""
    store = written_store(tmp_path / "s", 2)
    archive = backup(store)
    gen = generation(store)
    newer = store / layout.DATA_DIR / f"i-00.{gen + 7:06d}.json"
    newer.write_bytes(b'{"pipelines": {}}')
    result = restore(store, archive)
    assert result.generation == gen + 8 == generation(store)
    assert not newer.exists()
    assert result.safety_copy is not None
    with tarfile.open(result.safety_copy) as tar:
        assert f"{layout.DATA_DIR}/{newer.name}" in tar.getnames()
    assert doctor(store).ok


def test_a_restore_killed_before_its_sweep_leaves_nothing_for_the_next_commit(
    tmp_path: Path,
) -> None:
    """The restored manifest retires every data file that was there (all saved in the
    pre-restore backup first): if the restore dies right after its swap, the next
    commit deletes them, and no stale file is left for good.  (Found by
    test_cli_kills: the files were removed by a separate step, after the swap.)"""
    store = written_store(tmp_path / "s", 3)
    archive = backup(store)
    touch_meta(store, "after the backup")
    before = data_names(store)
    code = f"""
        import os
        from socialcrm.storage import backups
        backups.sweep = lambda *args: os._exit(9)  # right after the manifest swap
        backups.restore({str(store)!r}, {str(archive)!r})
    """
    assert run_python(code) == 9
    assert before <= data_names(store)  # not swept
    assert {Path(p).name for p in manifest(store)[layout.RETIRED_TABLE]} == before
    assert [f.code for f in doctor(store).findings if f.code == "leftovers"] == ["leftovers"]
    touch_meta(store, "next commit")
    assert data_names(store) == listed(store)
    assert not {"leftovers", "stale-files"} & {f.code for f in doctor(store).findings}


def test_a_migration_retires_the_files_an_old_manifest_cannot_list(tmp_path: Path) -> None:
    """Data files beside an older-schema manifest (an interrupted migration's) are
    saved in the pre-migrate backup, retired by the migrated manifest and swept."""
    store = tmp_path / "old"
    store.mkdir(mode=0o700)
    fixture = Path(__file__).with_name("fixtures") / "schema1" / layout.MANIFEST_NAME
    (store / layout.MANIFEST_NAME).write_bytes(fixture.read_bytes())
    (store / layout.DATA_DIR).mkdir(mode=0o700)
    leftover = store / layout.DATA_DIR / "p-profile-00.000001.json"
    leftover.write_bytes(b'{"prospects": {}}')
    code = f"""
        import os
        from socialcrm.storage.generations import GenerationStore
        from socialcrm.storage import open_repository
        GenerationStore._sweep = lambda self, previous, committed: os._exit(9)
        open_repository({str(store)!r})
    """
    assert run_python(code) == 9  # migrated, killed before its sweep
    assert leftover.exists()
    assert f"{layout.DATA_DIR}/{leftover.name}" in manifest(store)[layout.RETIRED_TABLE]
    (pre_migrate,) = [b for b in list_backups(store) if b.kind == "pre-migrate"]
    with tarfile.open(pre_migrate.path) as tar:
        assert f"{layout.DATA_DIR}/{leftover.name}" in tar.getnames()
    touch_meta(store, "next commit")
    assert not leftover.exists()
    report = doctor(store)
    assert report.ok and report.prospects == 3
    assert not {"leftovers", "stale-files"} & {f.code for f in report.findings}
