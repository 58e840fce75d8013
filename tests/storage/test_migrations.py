"""Schema versions: an older store is migrated after a backup; a newer one is refused untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from socialcrm import atomic_files as atomic
from socialcrm.errors import SchemaVersionError, StoreError
from socialcrm.repository import Query
from socialcrm.storage import layout, open_repository
from socialcrm.storage.archives import archive_members
from socialcrm.storage.backups import list_backups
from socialcrm.storage.doctor import doctor

from .helpers import snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def install(fixture: str, path: Path) -> Path:
    """Copy a fixture store with the modes socialcrm gives its files."""
    shutil.copytree(FIXTURES / fixture, path)
    path.chmod(0o700)
    for child in path.iterdir():
        child.chmod(0o600)
    return path


@pytest.fixture
def v1_store(tmp_path: Path) -> Path:
    return install("schema1", tmp_path / "old")


def test_older_schema_is_migrated_after_a_backup(v1_store: Path) -> None:
    original = (v1_store / layout.MANIFEST_NAME).read_bytes()
    report = doctor(v1_store)
    assert [f.code for f in report.problems] == ["schema-older"]
    repo = open_repository(v1_store)
    # a pre-migrate backup holding the old file byte for byte
    backups = list_backups(v1_store)
    assert [b.kind for b in backups] == ["pre-migrate"]
    with backups[0].path.open("rb") as fh:
        members = list(archive_members(backups[0].path, fh))
    assert members == [(layout.MANIFEST_NAME, original)]
    # everything is there, indexes included
    zoe = repo.get("01JV0000000000000000000001")
    assert zoe is not None and zoe.name == "Zoé Durand"
    assert repo.find_by_email("default", "zoe.durand@EXAMPLE.fr") == [zoe]
    assert repo.find_by_identity("default", "linkedin:zoe-durand") == zoe
    assert [e.id[-2:] for e in repo.events(zoe.id)] == ["E1", "E2"]
    assert [p.name for p in repo.query(Query())] == ["Zoé Durand", "王小明"]
    assert [p.id[-1] for p in repo.query(Query(pipeline="beta"))] == ["3"]
    assert [e.pipeline for e in repo.events("01JV0000000000000000000003")] == ["beta"]
    assert repo.get_meta("current_pipeline") == "default"
    beta = repo.get_pipeline("beta")
    assert beta is not None and beta.settings == {"limits": {"contact": 14}}
    repo.close()
    report = doctor(v1_store)
    assert report.ok and report.schema == layout.SCHEMA_VERSION
    assert report.prospects == 3 and report.events == 5


def test_migration_interrupted_before_commit_leaves_old_file(
    v1_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = (v1_store / layout.MANIFEST_NAME).read_bytes()
    real_replace = atomic.os.replace

    def fail_on_manifest(src: str, dst: str) -> None:
        if str(dst).endswith(layout.MANIFEST_NAME):
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", fail_on_manifest)
    with pytest.raises(StoreError, match="nothing was changed"):
        open_repository(v1_store)
    monkeypatch.undo()
    assert (v1_store / layout.MANIFEST_NAME).read_bytes() == original
    repo = open_repository(v1_store)  # tries again, and succeeds
    assert repo.count("default") == 2


def test_newer_schema_is_refused_and_untouched(tmp_path: Path) -> None:
    path = install("schema99", tmp_path / "future")
    before = snapshot(path)
    with pytest.raises(SchemaVersionError) as info:
        open_repository(path)
    assert info.value.found == 99
    assert info.value.supported == layout.SCHEMA_VERSION
    assert "upgrade socialcrm" in str(info.value)
    assert snapshot(path) == before
    assert not (path / layout.BACKUP_DIR).exists()
    report = doctor(path)
    assert [f.code for f in report.problems] == ["schema-newer"]
    assert snapshot(path) == before


def test_migrate_false_refuses_older(v1_store: Path) -> None:
    from socialcrm.storage.tinydb import TinyDBRepository

    before = snapshot(v1_store)
    with pytest.raises(SchemaVersionError):
        TinyDBRepository(v1_store, migrate=False).open()
    assert snapshot(v1_store) == before
