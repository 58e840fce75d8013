"""A directory that must not be used as a store is refused, byte for byte untouched.

* a store whose manifest (``store.json``) is gone but whose data files or
  backups remain: every command but ``doctor`` and ``restore`` refuses it
  (exit 6, one line naming both); before, ``list`` showed an empty store,
  wrote a fresh manifest and its sweep deleted every data file;
* a non-empty directory that is not a store (``--db ~/Documents``): refused by
  every command, not even a lock file is created in it;
* an empty directory, or a new path, is a new store.

Each runs the installed console script and compares every byte of the
directory before and after.
"""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from socialcrm.errors import StoreError
from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import backup, list_backups, restore
from socialcrm.storage.doctor import doctor

from .console import SCRIPT, one_error_line, run, tree
from .helpers import dump_state, populate, run_python, written_store

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")

#: Commands that open the store (read or write), with the arguments they need.
OPENING: list[tuple[str, ...]] = [
    ("list",),
    ("board",),
    ("show", "01P00001"),
    ("add", "Someone New"),
    ("init",),
    ("note", "01P00001", "hello"),
    ("move", "01P00001", "identify", "--force"),
    ("export", "--format", "json"),
    ("backup",),
]


@pytest.fixture
def orphaned(tmp_path: Path) -> Path:
    """A store of 4 prospects (several commits) whose manifest was deleted."""
    store = written_store(tmp_path / "store")
    repo = open_repository(store)
    populate(repo, 2, prefix="01Q")  # a second commit: files of two generations
    repo.close()
    (store / layout.MANIFEST_NAME).unlink()
    return store


@pytest.mark.parametrize("args", OPENING, ids=lambda a: a[0])
def test_a_store_without_its_manifest_is_refused_untouched(
    orphaned: Path, args: tuple[str, ...]
) -> None:
    before = tree(orphaned)
    result = run(orphaned, *args)
    assert result.returncode == 6, (result.stdout, result.stderr)
    line = one_error_line(result)
    assert "no store.json" in line and str(orphaned) in line
    assert "'socialcrm doctor'" in line and "'socialcrm restore" in line
    assert tree(orphaned) == before


def test_importing_into_a_store_without_its_manifest_is_refused(
    orphaned: Path, tmp_path: Path
) -> None:
    csv = tmp_path / "people.csv"
    csv.write_text("name,email\nAda Lovelace,ada@example.org\n", encoding="utf-8")
    before = tree(orphaned)
    result = run(orphaned, "import", str(csv))
    assert result.returncode == 6
    assert "no store.json" in one_error_line(result)
    assert tree(orphaned) == before


def test_doctor_explains_a_store_without_its_manifest(orphaned: Path) -> None:
    before = tree(orphaned)
    result = run(orphaned, "doctor")
    assert result.returncode == 6
    assert "error   no-manifest:" in result.stdout
    # no backup here: the advice does not send the user to a restore that would fail
    assert "there is no backup in" in result.stdout
    assert "restore FILE --yes" in result.stdout
    result = run(orphaned, "doctor", "--format", "json")
    report = json.loads(result.stdout)
    assert [f["code"] for f in report["findings"] if f["level"] == "error"] == ["no-manifest"]
    result = run(orphaned, "restore", "--list")
    assert result.returncode == 0
    assert tree(orphaned) == before
    (orphaned / layout.LOCK_NAME).unlink()  # doctor does not even create a lock file
    before = tree(orphaned)
    assert run(orphaned, "doctor").returncode == 6
    assert tree(orphaned) == before


def test_restore_brings_back_a_store_whose_manifest_was_lost(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    good = dump_state(store)
    backup(store)
    repo = open_repository(store)
    populate(repo, 2, prefix="01Q")  # written after the backup
    repo.close()
    lost = {p.name for p in (store / layout.DATA_DIR).iterdir()}
    (store / layout.MANIFEST_NAME).unlink()

    result = run(store, "list")
    assert result.returncode == 6
    assert "'socialcrm restore --yes'" in one_error_line(result)  # a backup is there
    result = run(store, "restore", "--yes")
    assert result.returncode == 0, result.stderr
    assert dump_state(store) == good
    assert doctor(store).ok
    # the files that lost their manifest are kept in the pre-restore backup
    safety = [b for b in list_backups(store) if b.kind == "pre-restore"]
    assert len(safety) == 1
    with tarfile.open(safety[0].path) as tar:
        saved = {Path(name).name for name in tar.getnames()}
    assert lost <= saved


def test_the_library_refuses_a_store_without_its_manifest(orphaned: Path) -> None:
    before = tree(orphaned)
    with pytest.raises(StoreError, match=r"no store\.json"):
        open_repository(orphaned)
    with pytest.raises(StoreError, match=r"no store\.json"):
        backup(orphaned)
    assert tree(orphaned) == before


def test_backups_alone_without_a_manifest_are_refused_too(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    backup(store)
    for child in [store / layout.MANIFEST_NAME, *(store / layout.DATA_DIR).iterdir()]:
        child.unlink()
    before = tree(store)
    result = run(store, "list")
    assert result.returncode == 6 and "no store.json" in one_error_line(result)
    assert tree(store) == before
    assert run(store, "restore", "--yes").returncode == 0
    assert open_repository(store).count("default") == 4


@pytest.mark.parametrize("args", [*OPENING, ("doctor",), ("restore", "--yes")], ids=str)
def test_a_non_empty_directory_is_never_made_a_store(tmp_path: Path, args: tuple[str, ...]) -> None:
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("Dear …", encoding="utf-8")
    (documents / "data").mkdir()  # even one named like a store's
    (documents / "data" / "budget.json").write_text("{}", encoding="utf-8")
    before = tree(documents)
    result = run(documents, *args)
    assert result.returncode == 6, result.stdout
    if args[0] == "doctor":
        assert "error   not-a-store:" in result.stdout
    else:
        line = one_error_line(result)
        assert "is not a socialcrm store and is not empty" in line
        assert "empty or new directory" in line
    assert tree(documents) == before  # not even a lock file


def test_an_empty_directory_or_a_new_path_becomes_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for store in (empty, tmp_path / "new" / "store"):
        result = run(store, "add", "First Prospect")
        assert result.returncode == 0, result.stderr
        result = run(store, "list")
        assert "First Prospect" in result.stdout
    # a store's own leftovers (lock file, empty data/) are not "foreign"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / layout.LOCK_NAME).touch()
    (fresh / layout.DATA_DIR).mkdir()
    assert run(fresh, "add", "Second").returncode == 0


def test_a_first_commit_killed_before_its_swap_leaves_an_empty_store(tmp_path: Path) -> None:
    """A new store's first commit writes its (empty) manifest before any data file:
    killed after writing data files, it leaves an empty store with leftovers, which
    opens (and is swept by the next write), never a store without a manifest."""
    store = tmp_path / "new"
    code = f"""
        import os
        from socialcrm.storage import generations, open_repository
        from socialcrm.testing.contract import make_prospect
        generations._SPILL_BYTES = 0
        repo = open_repository({str(store)!r})
        with repo.transaction():
            for i in range(5):
                repo.put(make_prospect(f"01N{{i:05d}}", f"New {{i}}"))
            os._exit(9)
    """
    assert run_python(code) == 9
    assert list((store / layout.DATA_DIR).iterdir())  # data files were written
    report = doctor(store)
    assert report.ok and report.generation == 0
    assert "leftovers" in {f.code for f in report.findings}
    result = run(store, "add", "After")
    assert result.returncode == 0, result.stderr
    report = doctor(store)
    assert report.ok and report.prospects == 1
    assert "leftovers" not in {f.code for f in report.findings}


def test_restore_refuses_a_foreign_directory_but_fills_an_empty_one(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    archive = backup(store)
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not a socialcrm store"):
        restore(documents, archive)
    assert [p.name for p in documents.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    restore(empty, archive)
    assert dump_state(empty) == dump_state(store)


def test_a_restore_into_a_new_directory_killed_midway_leaves_an_empty_store(
    tmp_path: Path,
) -> None:
    """Like a first commit, a restore into an empty directory gives it its empty
    manifest before the first data file: killed between the data files and the
    manifest swap, it leaves an empty store (whose next write sweeps the files),
    never data files without a manifest."""
    archive = backup(written_store(tmp_path / "store"))
    target = tmp_path / "new"
    code = f"""
        import os
        from socialcrm.storage import backups
        backups.fsync_dir = lambda path: os._exit(9)  # after the data files, before the swap
        backups.restore({str(target)!r}, {str(archive)!r})
    """
    assert run_python(code) == 9
    assert list((target / layout.DATA_DIR).iterdir())
    report = doctor(target)
    assert report.ok and report.generation == 0
    assert run(target, "add", "After").returncode == 0
    report = doctor(target)
    assert report.ok and report.prospects == 1
    assert "leftovers" not in {f.code for f in report.findings}


@pytest.mark.parametrize("created", ["manifest", "manifest and a data file"])
def test_a_store_created_by_another_process_while_listed_is_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, created: str
) -> None:
    """Four processes opening a new store at once: one saw no manifest, then listed
    the directory after another had written it (and a first data file): it is that
    store, not a foreign directory nor one without its manifest (a flaky CI run)."""
    from socialcrm.storage import directory

    store = tmp_path / "store"
    store.mkdir()
    real = directory._entries

    def listing_while_another_commits(path: Path) -> list[os.DirEntry[str]]:
        if path == store and not (store / layout.MANIFEST_NAME).exists():
            (store / layout.MANIFEST_NAME).write_text("{}")
            if created != "manifest":
                (store / layout.DATA_DIR).mkdir()
                (store / layout.DATA_DIR / "p-profile-00.000001.json").write_text("{}")
        return real(path)

    monkeypatch.setattr(directory, "_entries", listing_while_another_commits)
    found = directory.refuse_unless_usable(store)
    assert found.kind is directory.DirectoryKind.STORE
