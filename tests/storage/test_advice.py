"""What the store tells a user to do is true and does not send them round in circles.

Before: a damaged backup made ``restore`` fail with "run 'socialcrm doctor' then
'socialcrm restore'" — the very command that had just failed — and ``doctor``
advised ``socialcrm restore`` for a damaged file even when there was no backup
to restore (``restore`` then failed: "no backup … to restore").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcrm.storage import layout
from socialcrm.storage.backups import backup, list_backups

from .console import SCRIPT, one_error_line, run, tree
from .helpers import written_store

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")


def truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[:100])


def some_data_file(store: Path) -> Path:
    return sorted((store / layout.DATA_DIR).glob("p-*.json"))[0]


def test_a_damaged_backup_points_at_the_other_backups(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    older = backup(store)
    newest = backup(store)
    truncate(newest)
    before = tree(store)
    result = run(store, "restore", "--yes")  # picks the newest: damaged
    assert result.returncode == 6
    line = one_error_line(result)
    assert str(newest) in line and "unreadable" in line
    assert "the store was not changed" in line
    assert "'socialcrm restore --list'" in line and older.name in line
    assert "then 'socialcrm restore'" not in line  # the old, circular advice
    assert tree(store) == before
    result = run(store, "restore", older.name, "--yes")  # the advice works
    assert result.returncode == 0, result.stderr


def test_the_only_backup_damaged_says_there_is_no_other(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    only = backup(store)
    truncate(only)
    result = run(store, "restore", only.name, "--yes")
    assert result.returncode == 6
    line = one_error_line(result)
    assert f"there is no other backup in {store / layout.BACKUP_DIR}" in line
    assert "'socialcrm restore" not in line


def test_doctor_advises_restore_only_when_there_is_a_backup(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    truncate(some_data_file(store))
    result = run(store, "doctor")
    assert result.returncode == 6
    fixes = [line for line in result.stdout.splitlines() if "fix:" in line]
    damage = [fix for fix in fixes if "backup" in fix and "'socialcrm backup'" not in fix]
    assert damage and all("there is no backup in" in fix for fix in damage), fixes
    assert not any("'socialcrm restore --yes'" in fix for fix in fixes)


def test_doctor_names_the_backup_restore_would_bring_back(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    archive = backup(store)
    victim = some_data_file(store)
    truncate(victim)
    result = run(store, "doctor")
    assert result.returncode == 6
    assert f"run 'socialcrm restore --yes' to bring back the newest backup ({archive.name})" in (
        result.stdout
    )
    assert run(store, "restore", "--yes").returncode == 0  # and it does
    assert run(store, "doctor").returncode == 0


def test_with_only_pre_restore_copies_doctor_names_one(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store")
    archive = backup(store)
    assert run(store, "restore", "--yes").returncode == 0  # makes a pre-restore copy
    archive.unlink()
    (safety,) = list_backups(store)
    truncate(some_data_file(store))
    result = run(store, "doctor")
    assert f"run 'socialcrm restore {safety.path.name} --yes'" in result.stdout
