"""``python -m socialcrm``; ``--dry-run`` writes nothing; completion of references, stages,
networks and pipelines (the callbacks, and the shell protocol of the installed script)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer

from socialcrm.cli import completion
from tests.cli.conftest import Run
from tests.cli.test_console_script import SCRIPT, cli


def _store_bytes(db: Path) -> dict[str, bytes]:
    return {str(p.relative_to(db)): p.read_bytes() for p in sorted(db.rglob("*")) if p.is_file()}


def test_python_m_socialcrm_is_the_command(env: dict[str, str]) -> None:
    added = cli(env, "add", "Jane Doe", "--email", "jane@acme.example")
    assert added.returncode == 0, added.stderr
    module = subprocess.run(
        [sys.executable, "-m", "socialcrm", "list", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert module.returncode == 0, module.stderr
    assert module.stdout == cli(env, "list", "--format", "json").stdout
    assert json.loads(module.stdout)[0]["name"] == "Jane Doe"
    missing = subprocess.run(
        [sys.executable, "-m", "socialcrm", "show", "nobody"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 3 and missing.stderr.startswith("error: no prospect matches")


def test_rm_dry_run_writes_nothing(run: Run, db: Path, jane: str) -> None:
    run("note", jane, "met at the fair")
    before = _store_bytes(db)
    result = run("rm", jane, "--dry-run")
    assert result.stdout == (
        f"would delete Jane Doe ({jane}) and its 2 event(s); nothing written (dry run)\n"
    )
    assert _store_bytes(db) == before
    assert json.loads(run("rm", jane, "--dry-run", "--format", "json").stdout)["id"] == jane
    assert _store_bytes(db) == before
    run("rm", jane, "--yes")
    assert _store_bytes(db) != before


def test_merge_dry_run_shows_the_merged_prospect_and_writes_nothing(
    run: Run, db: Path, jane: str
) -> None:
    other = run("add", "J. Doe", "--email", "jd@acme.example", "--tag", "met").stdout.strip()
    before = _store_bytes(db)
    result = run("merge", jane, other, "--dry-run", "--format", "json")
    merged = json.loads(result.stdout)
    assert merged["id"] == jane and "jd@acme.example" in merged["emails"]
    assert "would merge J. Doe" in run("merge", jane, other, "--dry-run").stdout
    assert _store_bytes(db) == before
    same = run("merge", jane, jane, "--dry-run", code=4)
    assert "are the same prospect" in same.stderr


def test_pipeline_delete_dry_run_writes_nothing(run: Run, db: Path) -> None:
    run("pipeline", "create", "old-offer")
    run("--pipeline", "old-offer", "add", "Ann Lee")
    before = _store_bytes(db)
    result = run("pipeline", "delete", "old-offer", "--dry-run")
    assert result.stdout == (
        "would delete pipeline 'old-offer' and 1 prospect(s); nothing written (dry run)\n"
    )
    assert json.loads(
        run("pipeline", "delete", "old-offer", "--dry-run", "--format", "json").stdout
    ) == {"pipeline": "old-offer", "prospects": 1, "dry_run": True}
    assert _store_bytes(db) == before


def _ctx(app: typer.Typer, *args: str) -> click.Context:
    root = typer.main.get_command(app)
    return root.make_context("socialcrm", list(args), resilient_parsing=True)


def test_the_completion_callbacks(app: typer.Typer, run: Run, db: Path, jane: str) -> None:
    run("pipeline", "create", "agencies")
    ctx = _ctx(app, "--db", str(db))
    assert completion.complete_prospect(ctx, "Ja") == [("Jane Doe", jane)]
    assert completion.complete_prospect(ctx, jane[:6]) == [(jane, "Jane Doe")]
    assert completion.complete_prospect(ctx, "jane@") == [("jane@acme.example", "Jane Doe")]
    assert completion.complete_prospect(ctx, "Zed") == []
    assert completion.complete_stage(ctx, "co") == ["contact", "convert"]
    assert completion.complete_pipeline(ctx, "") == ["agencies", "default"]
    assert ("linkedin", "LinkedIn") in completion.complete_network(ctx, "l")
    nowhere = _ctx(app, "--db", str(db.parent / "no-store-here"))
    assert completion.complete_prospect(nowhere, "") == []
    assert not (db.parent / "no-store-here").exists()  # completing never creates a store


@pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")
def test_a_real_shell_completion_through_the_environment_protocol(
    env: dict[str, str], tmp_path: Path
) -> None:
    added = cli(env, "add", "Karim Benali")
    assert added.returncode == 0, added.stderr
    store = env["SOCIALCRM_DB"]

    def complete(words: str) -> list[str]:
        shell = dict(env, _SOCIALCRM_COMPLETE="complete_bash", COMP_WORDS=words)
        shell["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        done = subprocess.run(
            [str(SCRIPT)], env=shell, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    assert complete(f"socialcrm --db {store} show Kar") == ["Karim Benali"]
    assert complete(f"socialcrm --db {store} move Karim co") == ["contact", "convert"]
    assert complete(f"socialcrm --db {store} pipeline use ") == ["default"]
    assert "linkedin" in complete("socialcrm profile set l")
