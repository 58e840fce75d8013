"""The import, export, formats, dupes and merge commands through the real app and store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from socialcrm.cli import make_app
from socialcrm.plugins import get_plugin_manager

from .helpers import FIXTURES, store_snapshot

MAP = "Full name=name,Mail=email,Firm=company,Profile=url,Phone=phone,Labels=tags"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SOCIALCRM_DB", raising=False)
    monkeypatch.delenv("SOCIALCRM_PIPELINE", raising=False)
    app = make_app(get_plugin_manager())
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, ["--db", str(tmp_path / "store"), *args])

    return invoke


def test_import_report_and_idempotence(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = run("import", str(FIXTURES / "mapped.csv"), "--map", MAP, "--tag", "fair")
    assert first.exit_code == 0, first.output
    assert "3 created, 0 updated, 0 attached, 1 skipped, 1 invalid" in first.stdout
    assert "written in one transaction (6 events)" in first.stdout
    assert "not-an-email" in first.stdout
    assert "1 invalid row(s) were left out" in first.stderr
    assert "rows read" not in first.stderr  # no progress bar when not on a terminal
    before = store_snapshot(tmp_path / "store")
    again = run("import", str(FIXTURES / "mapped.csv"), "--map", MAP, "--report", "json")
    assert again.exit_code == 0
    report = json.loads(again.stdout)
    assert report["counts"] == {
        "created": 0,
        "updated": 0,
        "attached": 0,
        "skipped": 4,
        "invalid": 1,
    }
    assert report["rows"][0]["reason"].startswith("already known as")
    assert store_snapshot(tmp_path / "store") == before


def test_dry_run_and_strict_write_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("list")  # creates the store
    before = store_snapshot(tmp_path / "store")
    dry = run("import", str(FIXTURES / "mapped.csv"), "--map", MAP, "--dry-run")
    assert dry.exit_code == 0 and "dry run: nothing written" in dry.stdout
    strict = run("import", str(FIXTURES / "mapped.csv"), "--map", MAP, "--strict")
    assert strict.exit_code == 4
    assert "nothing was written" in strict.stderr
    assert store_snapshot(tmp_path / "store") == before


def test_import_errors_are_one_line_with_exit_4(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01\x02binary")
    result = run("import", str(junk))
    assert result.exit_code == 4
    assert result.stderr.strip().startswith(f"error: {junk}, row 1: this is a binary file")
    assert len(result.stderr.strip().splitlines()) == 1
    bad_map = run("import", str(FIXTURES / "mapped.csv"), "--map", "Mail=mail")
    assert bad_map.exit_code == 4 and "unknown field 'mail'" in bad_map.stderr


def test_export_formats_to_private_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(FIXTURES / "contacts3.vcf"))
    out = tmp_path / "hubspot.csv"
    result = run("export", "--format", "hubspot", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    assert (
        out.read_text(encoding="utf-8")
        .splitlines()[0]
        .startswith("First Name,Last Name,Email,Company Name,Job Title,Phone Number")
    )
    backup = run("export")
    doc = json.loads(backup.stdout)
    assert doc["format"] == "socialcrm" and len(doc["prospects"]) == 2
    staged = run("export", "--format", "csv", "--stage", "contact")
    assert staged.stdout.count("\n") == 1  # the header only
    unknown = run("export", "--format", "xlsx")
    assert unknown.exit_code == 4 and "unknown export format" in unknown.stderr
    listed = run("formats", "--format", "json")
    names = {(f["direction"], f["name"]) for f in json.loads(listed.stdout)}
    assert {("import", "linkedin-connections"), ("export", "twenty")} <= names


def test_dupes_then_merge(run) -> None:  # type: ignore[no-untyped-def]
    run("add", "Zoé Martin", "--email", "zoe@example.com", "--company", "Acme")
    refused = run("add", "Zoe Martin", "--email", "ZOE@example.com", "--url", "x:zoemartin")
    assert refused.exit_code == 4  # names Zoé Martin; a shared mailbox must be said
    run("add", "Zoe Martin", "-e", "ZOE@example.com", "-u", "x:zoemartin", "--allow-shared-email")
    listed = run("dupes", "--format", "json")
    assert listed.exit_code == 0, listed.output
    (pair,) = json.loads(listed.stdout)
    assert pair["reasons"] == ["same e-mail zoe@example.com"]
    keep, other = pair["keep"]["id"], pair["other"]["id"]
    merged = run("merge", keep, other, "--format", "json")
    assert merged.exit_code == 0, merged.output
    assert run("dupes").stdout.strip() == "no likely duplicates"
    shown = run("show", keep, "--format", "json")
    assert "https://x.com/zoemartin" in shown.stdout
    missing = run("merge", keep, "nobody-here")
    assert missing.exit_code == 3
