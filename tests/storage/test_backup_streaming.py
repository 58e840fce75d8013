"""Backups are written and restored one file at a time: a damaged file found half-way
leaves nothing behind, and a backup is judged whole before the store changes."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from socialcrm.errors import StoreCorruptError
from socialcrm.storage import layout
from socialcrm.storage.backups import backup, backup_dir, list_backups, restore
from socialcrm.storage.doctor import doctor

from .helpers import dump_state, snapshot


def _members(archive: Path) -> list[tuple[str, bytes]]:
    with tarfile.open(archive, mode="r:gz") as tar:
        return [(m.name, tar.extractfile(m).read()) for m in tar if m.isfile()]  # type: ignore[union-attr]


def _write(archive: Path, members: list[tuple[str, bytes]]) -> None:
    with tarfile.open(archive, mode="w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_a_damaged_last_file_leaves_no_archive_and_keeps_the_old_backups(healthy: Path) -> None:
    first = backup(healthy)
    listed = json.loads((healthy / layout.MANIFEST_NAME).read_text())["files"]
    last = healthy / list(listed.values())[-1]["path"]  # read after all the others
    raw = bytearray(last.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    last.write_bytes(bytes(raw))
    with pytest.raises(StoreCorruptError) as info:
        backup(healthy, keep=1)
    assert info.value.path == str(last)
    # no half-written archive, no temporary file, and the rotation did not run
    assert sorted(p.name for p in backup_dir(healthy).iterdir()) == [first.name]


def test_restore_reads_any_member_order_and_the_last_copy_of_a_member(
    healthy: Path, tmp_path: Path
) -> None:
    good = dump_state(healthy)
    members = _members(backup(healthy))
    assert members[0][0] == layout.MANIFEST_NAME  # ours: the manifest first
    name = members[1][0]
    reordered = [
        (name, b'{"garbled": '),  # an earlier copy, replaced by the later one
        *members[1:],
        ("data/notes.txt", b"not listed in the manifest: ignored"),
        members[0],  # the manifest last
    ]
    archive = tmp_path / "reordered.tar.gz"
    _write(archive, reordered)
    elsewhere = tmp_path / "elsewhere"
    restore(elsewhere, archive)
    assert dump_state(elsewhere) == good
    assert doctor(elsewhere).ok
    assert not (elsewhere / "data" / "notes.txt").exists()


@pytest.mark.parametrize("where", ["first", "last"])
def test_a_damaged_member_is_refused_before_the_store_changes(
    healthy: Path, tmp_path: Path, where: str
) -> None:
    members = _members(backup(healthy))
    index = 1 if where == "first" else len(members) - 1
    name, data = members[index]
    members[index] = (name, data[:-2] + b"]}")  # same size, other checksum
    archive = tmp_path / "damaged.tar.gz"
    _write(archive, members)
    before = snapshot(healthy)
    with pytest.raises(StoreCorruptError) as info:
        restore(healthy, archive)
    assert info.value.path == str(archive) and name in str(info.value)
    assert snapshot(healthy) == before
    assert [b.kind for b in list_backups(healthy)] == ["backup"]  # no safety copy either


def test_a_backup_without_manifest_is_refused(healthy: Path, tmp_path: Path) -> None:
    members = _members(backup(healthy))[1:]
    archive = tmp_path / "headless.tar.gz"
    _write(archive, members)
    before = snapshot(healthy)
    with pytest.raises(StoreCorruptError, match=f"no {re.escape(layout.MANIFEST_NAME)} inside"):
        restore(healthy, archive)
    assert snapshot(healthy) == before
