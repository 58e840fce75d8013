"""``socialcrm doctor | backup | restore`` through the real CLI app (CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from socialcrm.cli import make_app
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import list_backups

from .helpers import dump_state, populate


def invoke(*args: str) -> Result:
    app = make_app(get_plugin_manager(entrypoints=False))
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def store(store_path: Path) -> Path:
    repo = open_repository(store_path)
    populate(repo, 4)
    repo.close()
    return store_path


def test_doctor_healthy_text_and_json(store: Path) -> None:
    result = invoke("--db", str(store), "doctor")
    assert result.exit_code == 0, result.stderr
    assert "healthy" in result.stdout and "4 prospect(s), 8 event(s)" in result.stdout
    result = invoke("doctor", "--db", str(store), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["schema"] == layout.SCHEMA_VERSION
    assert {f["code"] for f in report["findings"]} >= {"healthy", "no-backup"}


def test_doctor_problem_exits_6_with_fix(store: Path) -> None:
    (store / layout.MANIFEST_NAME).chmod(0o644)
    result = invoke("--db", str(store), "doctor")
    assert result.exit_code == 6
    assert "permissions" in result.stdout and "fix: chmod 600" in result.stdout
    assert "1 problem(s) found" in result.stdout


def test_doctor_without_store(tmp_path: Path) -> None:
    result = invoke("--db", str(tmp_path / "none"), "doctor")
    assert result.exit_code == 6 and "no store here" in result.stdout


def test_backup_rotates(store: Path) -> None:
    paths = []
    for _ in range(3):
        result = invoke("--db", str(store), "backup", "--keep", "2")
        assert result.exit_code == 0, result.stderr
        paths.append(Path(result.stdout.strip()))
    assert [b.path for b in list_backups(store)] == paths[1:]
    result = invoke("--db", str(store), "backup", "--keep", "0")
    assert result.exit_code == 2  # usage error: --keep must be >= 1
    result = invoke("--db", str(store), "backup", "--format", "json")
    assert json.loads(result.stdout)["size"] > 0


def test_restore_yes_list_and_confirmation(store: Path) -> None:
    before = dump_state(store)
    assert invoke("--db", str(store), "backup").exit_code == 0
    repo = open_repository(store)
    repo.delete("01P00000")
    repo.close()
    result = invoke("--db", str(store), "restore")  # not a terminal: needs --yes
    assert result.exit_code == 4 and "--yes" in result.stderr
    result = invoke("--db", str(store), "restore", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "restored backup-" in result.stdout and "pre-restore-" in result.stdout
    assert dump_state(store) == before
    result = invoke("--db", str(store), "restore", "--list")
    assert result.exit_code == 0
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["backup", "pre-restore"]


def test_help_has_examples() -> None:
    for command in ("doctor", "backup", "restore"):
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert f"socialcrm {command}" in result.stdout
