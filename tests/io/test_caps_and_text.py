"""Imports: a row over a per-prospect cap is an invalid row; control characters are removed."""

from __future__ import annotations

import json
from pathlib import Path

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.text import is_safe
from tests.io.helpers import store_snapshot


def _csv(tmp_path: Path, body: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_row_over_a_cap_is_invalid_and_the_others_are_written(store: CRM, tmp_path: Path) -> None:
    many = ";".join(f"zoe{i}@acme.example" for i in range(25))
    path = _csv(
        tmp_path,
        "Name,Email,Notes\n"
        f"Zoé Durand,{many},\n"
        f"Ann Lee,ann@acme.example,{'x' * 20_001}\n"
        "Bob Stone,bob@acme.example,fine\n",
    )
    report = import_file(store, path)
    assert [(r.row, r.field) for r in report.invalid] == [(2, "emails"), (3, "notes")]
    assert report.invalid[0].reason == "emails holds 25 values, over the cap of 20"
    assert report.invalid[1].reason == "notes is longer than the cap of 20,000 characters (20,001)"
    assert [p.name for p in store.query()] == ["Bob Stone"]


def test_strict_import_with_a_row_over_a_cap_writes_nothing(
    store: CRM, store_path: Path, tmp_path: Path
) -> None:
    store.init()
    before = store_snapshot(store_path)
    tags = ";".join(f"t{i}" for i in range(101))
    path = _csv(tmp_path, f"Name,Tags\nBob Stone,ok\nZoé Durand,{tags}\n")
    report = import_file(store, path, strict=True)
    assert [(r.row, r.field) for r in report.invalid] == [(3, "tags")]
    assert not report.written
    assert store_snapshot(store_path) == before


def test_a_backup_entry_with_an_event_over_a_cap_is_invalid_and_stages_nothing(
    store: CRM, tmp_path: Path
) -> None:
    jane = store.add("Jane Doe", emails=["jane@acme.example"])
    store.add_note(jane.id, "short")
    backup = tmp_path / "backup.json"
    export_prospects(store, store.exporters()["json"], backup)
    data = backup.read_text(encoding="utf-8").replace('"short"', json.dumps("x" * 20_001))
    store.delete(jane.id)
    backup.write_text(data, encoding="utf-8")
    report = import_file(store, backup)
    assert [(r.field, r.reason) for r in report.invalid] == [
        ("text", "text is longer than the cap of 20,000 characters (20,001)")
    ]
    assert store.query() == []  # the prospect is not written without its events


def test_control_characters_in_a_file_are_removed_not_refused(store: CRM, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Name,Company,Notes,Tags\n"
        '"\x1b]0;pwn\x07Evil",Acme\u202e Corp,"line 1\r\nline 2\x1b[31m",a\x07b\n',
        name="\x1b]0;x\x07.csv",
    )
    report = import_file(store, path)
    assert report.counts()["created"] == 1
    [p] = store.query()
    assert (p.name, p.company, p.notes, p.tags) == (
        "]0;pwnEvil",
        "Acme Corp",
        "line 1\nline 2[31m",
        ("ab",),
    )
    imported = [e.payload for e in store.history(p.id) if e.kind.value == "imported"]
    assert imported and all(is_safe(i.file or "") for i in imported)  # the hostile file name
