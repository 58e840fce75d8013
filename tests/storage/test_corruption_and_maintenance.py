"""Damaged files are reported, never repaired silently; doctor explains; restore recovers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.errors import StoreCorruptError, StoreError
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import backup, list_backups, restore
from socialcrm.storage.doctor import doctor
from socialcrm.storage.files import digest
from socialcrm.storage.locking import StoreLock
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import make_event

from .helpers import dump_state, snapshot


def manifest(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    data: dict[str, dict[str, dict[str, object]]] = json.loads(
        (path / layout.MANIFEST_NAME).read_text()
    )
    return data


def data_file(path: Path, logical: str) -> Path:
    return path / str(manifest(path)["files"][logical]["path"])


def shard_of_prospect(path: Path, pid: str) -> str:
    header = manifest(path)["store"]["1"]
    return layout.prospect_file(pid, "profile", int(str(header["prospect_shards"])))


def garble(file: Path) -> None:
    raw = bytearray(file.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 4] = b"\x00#!\xff"
    file.write_bytes(bytes(raw))


def truncate(file: Path) -> None:
    raw = file.read_bytes()
    file.write_bytes(raw[: len(raw) // 3])


def cli(path: Path, *args: str) -> tuple[int, str, str]:
    app = make_app(get_plugin_manager(entrypoints=False))
    result = CliRunner().invoke(app, ["--db", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


DAMAGE: dict[str, Callable[[Path], None]] = {"garbled": garble, "truncated": truncate}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_summary_file(healthy: Path, how: str) -> None:
    """The summaries' files are checked like the others: today, board and list refuse."""
    pid = "01P00004"
    victim = data_file(healthy, layout.summary_file(shard_of_prospect(healthy, pid)))
    DAMAGE[how](victim)
    before = snapshot(healthy)
    for args in (["today"], ["board"], ["list"], ["note", pid, "hello"]):
        code, _out, err = cli(healthy, *args)
        assert code == 6, (args, err)
        assert str(victim) in err and err.count("\n") == 1
    assert snapshot(healthy) == before
    report = doctor(healthy)
    assert [f.path for f in report.problems if f.level == "error"] == [str(victim)]


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_data_file(healthy: Path, how: str) -> None:
    good = dump_state(healthy)
    backup(healthy)
    pid = "01P00004"
    victim = data_file(healthy, shard_of_prospect(healthy, pid))
    DAMAGE[how](victim)
    before = snapshot(healthy)

    repo = open_repository(healthy)
    with pytest.raises(StoreCorruptError) as info:
        repo.get(pid)
    assert info.value.path == str(victim)
    assert "doctor" in str(info.value) and "restore" in str(info.value)
    with pytest.raises(StoreCorruptError):  # a write needing that file is refused too
        repo.delete(pid)
    repo.close()
    assert snapshot(healthy) == before

    # every command touching the file exits 6 with one clear line, file unchanged
    # (the list table reads the summaries, not the records: see the next test)
    for args in (["show", pid], ["list", "--format", "json"], ["note", pid, "hello"]):
        code, _out, err = cli(healthy, *args)
        assert code == 6, (args, err)
        assert str(victim) in err and err.count("\n") == 1
    assert snapshot(healthy) == before

    report = doctor(healthy)
    assert not report.ok
    bad = [f for f in report.problems if f.path == str(victim)]
    assert bad and bad[0].level == "error" and "restore" in (bad[0].fix or "")
    code, out, _ = cli(healthy, "doctor")
    assert code == 6 and str(victim) in out and "fix:" in out
    code, out, _ = cli(healthy, "doctor", "--format", "json")
    assert code == 6 and json.loads(out)["ok"] is False

    with pytest.raises(StoreCorruptError):  # never back up a damaged store
        backup(healthy)
    assert [b.kind for b in list_backups(healthy)] == ["backup"]

    code, out, err = cli(healthy, "restore", "--yes")
    assert code == 0, err
    assert dump_state(healthy) == good
    assert doctor(healthy).ok
    safety = [b for b in list_backups(healthy) if b.kind == "pre-restore"]
    assert len(safety) == 1  # the damaged files were kept, just in case


@pytest.mark.parametrize("how", list(DAMAGE))
def test_damaged_manifest(healthy: Path, how: str) -> None:
    good = dump_state(healthy)
    backup(healthy)
    DAMAGE[how](healthy / layout.MANIFEST_NAME)
    before = snapshot(healthy)
    with pytest.raises(StoreCorruptError) as info:
        open_repository(healthy)
    assert info.value.path == str(healthy / layout.MANIFEST_NAME)
    code, _, err = cli(healthy, "list")
    assert code == 6 and layout.MANIFEST_NAME in err
    assert snapshot(healthy) == before
    assert [f.code for f in doctor(healthy).problems] == ["corrupt"]
    result = restore(healthy)
    assert result.safety_copy is not None
    assert dump_state(healthy) == good


def test_missing_data_file(healthy: Path) -> None:
    victim = data_file(healthy, layout.events_file("01P00002", 256))
    victim.unlink()
    repo = open_repository(healthy)
    with pytest.raises(StoreCorruptError, match="missing"):
        repo.events("01P00002")
    assert [f.code for f in doctor(healthy).problems] == ["missing-file"]


def test_valid_json_with_matching_checksum_but_invalid_document(healthy: Path) -> None:
    """A hand-edited file with a fixed-up checksum still fails loudly, naming the file."""
    pid = "01P00007"
    logical = shard_of_prospect(healthy, pid)
    victim = data_file(healthy, logical)
    content = json.loads(victim.read_text())
    content["prospects"][pid]["status"] = "maybe"
    raw = json.dumps(content).encode()
    victim.write_bytes(raw)
    m = manifest(healthy)
    m["files"][logical].update(size=len(raw), crc32=digest(raw))
    (healthy / layout.MANIFEST_NAME).write_text(json.dumps(m))
    repo = open_repository(healthy)
    with pytest.raises(StoreCorruptError) as info:
        repo.get(pid)
    assert info.value.path == str(victim)
    assert [f.code for f in doctor(healthy).problems] == ["bad-prospect"]


def test_backup_rotation_and_listing(healthy: Path) -> None:
    made = [backup(healthy, keep=3) for _ in range(5)]
    kept = list_backups(healthy)
    assert [b.path for b in kept] == made[-3:]
    assert all(b.kind == "backup" and b.size > 0 for b in kept)
    with pytest.raises(StoreError):
        backup(healthy, keep=0)


def test_restore_specific_backup_and_undo(healthy: Path) -> None:
    first_state = dump_state(healthy)
    first = backup(healthy)
    repo = open_repository(healthy)
    repo.delete("01P00001")
    second_state = dump_state(healthy)
    repo.close()
    backup(healthy)
    result = restore(healthy, first.name)  # a name inside backups/ is enough
    assert result.restored == first
    assert dump_state(healthy) == first_state
    assert result.safety_copy is not None
    restore(healthy, result.safety_copy)  # undo the restore
    assert dump_state(healthy) == second_state
    with pytest.raises(StoreError, match="no backup file"):
        restore(healthy, "nope.tar.gz")


def test_restore_without_backups_says_so(healthy: Path) -> None:
    before = snapshot(healthy)
    with pytest.raises(StoreError, match="no backup"):
        restore(healthy)
    code, _, err = cli(healthy, "restore", "--yes")
    assert code == 6 and "no backup" in err
    assert snapshot(healthy) == before


def test_restore_refuses_damaged_backup(healthy: Path) -> None:
    archive = backup(healthy)
    truncate(archive)
    before = snapshot(healthy)
    with pytest.raises(StoreCorruptError) as info:
        restore(healthy)
    assert info.value.path == str(archive)
    assert snapshot(healthy) == before


def test_doctor_findings(healthy: Path) -> None:
    report = doctor(healthy)
    assert report.ok and report.prospects == 12 and report.events == 24
    assert report.findings[0].code == "healthy"
    # orphan events, readable permissions and a held lock are all reported
    repo = TinyDBRepository(healthy)
    repo.append_event(make_event("EORPHAN", "01GHOST"))
    repo.close()
    (healthy / layout.MANIFEST_NAME).chmod(0o644)
    with StoreLock(healthy / layout.LOCK_NAME, store_path=healthy, timeout=1):
        report = doctor(healthy)
    codes = {f.code for f in report.problems}
    assert codes == {"orphan-events", "permissions", "locked"}
    assert all(f.fix for f in report.problems)
    assert not doctor(healthy / "nowhere").ok


def test_cli_backup_and_restore_list(healthy: Path) -> None:
    code, out, _ = cli(healthy, "backup", "--keep", "2")
    assert code == 0 and Path(out.strip()).is_file()
    code, out, _ = cli(healthy, "restore", "--list", "--format", "json")
    assert code == 0 and [b["kind"] for b in json.loads(out)] == ["backup"]
    code, _, err = cli(healthy, "restore")  # no terminal, no --yes
    assert code == 4 and "--yes" in err
    code, out, _ = cli(healthy, "doctor")
    assert code == 0 and "healthy" in out


def test_restore_into_a_new_directory(healthy: Path, tmp_path: Path) -> None:
    archive = backup(healthy)
    elsewhere = tmp_path / "elsewhere" / "store"
    result = restore(elsewhere, archive)
    assert result.safety_copy is None  # nothing was there to save
    assert dump_state(elsewhere) == dump_state(healthy)
    assert doctor(elsewhere).ok


def test_leftovers_of_a_killed_commit_are_harmless_and_swept(healthy: Path) -> None:
    """What a kill between writing new files and the manifest swap leaves behind."""
    good = dump_state(healthy)
    gen = int(str(manifest(healthy)["store"]["1"]["generation"]))
    orphan = healthy / layout.data_file_name("p-profile-00", gen + 1)
    orphan.write_bytes(b'{"prospects": {"01HALF": {"v": 1}}}')
    (healthy / f".{layout.MANIFEST_NAME}.999.tmp").write_bytes(b'{"half')
    (healthy / layout.DATA_DIR / ".e-00.000009.json.999.tmp").write_bytes(b"half")
    assert dump_state(healthy) == good
    report = doctor(healthy)
    assert report.ok
    assert [f.code for f in report.findings if f.code == "leftovers"] == ["leftovers"]
    repo = open_repository(healthy)
    repo.set_meta("touched", True)  # any commit sweeps them
    repo.close()
    assert not orphan.exists()
    assert not list(healthy.glob("*.tmp")) and not list(healthy.glob(".*.tmp"))
    assert not list((healthy / layout.DATA_DIR).glob(".*.tmp"))
    assert "leftovers" not in {f.code for f in doctor(healthy).findings}


def test_manifest_pointing_outside_the_store_is_refused(healthy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"prospects": {}}')
    m = manifest(healthy)
    logical = shard_of_prospect(healthy, "01P00003")
    m["files"][logical]["path"] = "data/../../secret.json"
    (healthy / layout.MANIFEST_NAME).write_text(json.dumps(m))
    repo = open_repository(healthy)
    with pytest.raises(StoreCorruptError, match="bad file entry"):
        repo.get("01P00003")
    assert [f.code for f in doctor(healthy).problems] == ["corrupt"]
