"""Atomic file replacement and file modes (0600 files, 0700 directories) under any umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm import atomic_files as atomic
from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import backup

from .helpers import populate


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_write_atomic_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    atomic.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_write_atomic_failure_keeps_old_bytes_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old content")

    def boom(*_args: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, step, boom)
    with pytest.raises(OSError, match="No space"):
        atomic.write_atomic(target, b"new content")
    monkeypatch.undo()
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_directory_refusing_the_temporary_file_is_named_not_the_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "missing" / "report.html"
    with pytest.raises(FileNotFoundError) as caught:
        atomic.write_atomic(target, b"x")
    assert caught.value.filename == str(target.parent)  # not ".report.html.<pid>.tmp"
    assert not target.parent.exists()


def test_modes_under_permissive_umask(store_path: Path, permissive_umask: None) -> None:
    repository = open_repository(store_path / "nested" / "deeper")
    crm = CRM(repository, get_plugin_manager(entrypoints=False))
    crm.add("Zoé Durand", emails=["z@example.org"], note="met at a fair")
    crm.close()
    root = store_path / "nested" / "deeper"
    assert mode(store_path) == 0o700
    assert mode(store_path / "nested") == 0o700
    assert mode(root) == 0o700
    assert mode(root / layout.DATA_DIR) == 0o700
    assert mode(root / layout.MANIFEST_NAME) == 0o600
    assert mode(root / layout.LOCK_NAME) == 0o600
    data_files = list((root / layout.DATA_DIR).iterdir())
    assert data_files
    assert {mode(p) for p in data_files} == {0o600}
    archive = backup(root)
    assert mode(archive.parent) == 0o700
    assert mode(archive) == 0o600


def test_existing_directory_is_not_chmodded_but_new_files_are_private(
    tmp_path: Path, permissive_umask: None
) -> None:
    """A directory the user made (e.g. a synced folder) keeps its mode; our files are 0600."""
    mine = tmp_path / "shared"
    mine.mkdir(mode=0o755)
    os.chmod(mine, 0o755)  # noqa: PTH101
    repo = open_repository(mine)
    populate(repo, 2)
    repo.close()
    assert mode(mine) == 0o755
    assert mode(mine / layout.MANIFEST_NAME) == 0o600


def test_data_files_open_with_plain_tinydb(store_path: Path, permissive_umask: None) -> None:
    """Each data file is a TinyDB database: inspectable with TinyDB and our storage."""
    from tinydb import TinyDB

    from socialcrm.storage.tinydb import OrjsonStorage, StoreDB

    repo = open_repository(store_path)
    populate(repo, 3)
    repo.close()
    listed = []
    for ids_file in (store_path / layout.DATA_DIR).glob("i-*.json"):
        db = StoreDB(ids_file, storage=OrjsonStorage)
        listed += [pid for doc in db.table("pipelines").all() for pid in doc["ids"]]
        db.close()
    assert sorted(listed) == ["01P00000", "01P00001", "01P00002"]
    scratch = store_path.parent / "scratch.json"
    other = TinyDB(scratch, storage=OrjsonStorage)
    other.insert({"name": "Zoé"})
    assert mode(scratch) == 0o600
    assert TinyDB(scratch, storage=OrjsonStorage).all() == [{"name": "Zoé"}]
