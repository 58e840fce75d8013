"""The console script on a PostgreSQL store (``SOCIALCRM_DB=postgresql://…``), end to end."""

from __future__ import annotations

import json

from sqlalchemy.engine import make_url

from .cli import clean_env, ok, run

SECRET = "s3cr3t-Pa55"


def _with_password(url: str) -> str:
    """``url`` carrying a password (trust auth ignores it: the server never asks)."""
    return make_url(url).set(password=SECRET).render_as_string(hide_password=False)


def test_a_rep_day_on_postgresql(pg_url: str) -> None:
    env = clean_env(SOCIALCRM_DB=pg_url)
    added = json.loads(
        ok(
            env,
            "add",
            "Léa Martin",
            "--url",
            "https://www.linkedin.com/in/lea-martin",
            "--email",
            "lea@acme.example",
            "--company",
            "Acme",
            "--format",
            "json",
        )
    )
    ok(env, "add", "Bob Stone", "--url", "https://x.com/bobstone")
    listed = json.loads(ok(env, "list", "--format", "json"))
    assert sorted(p["name"] for p in listed) == ["Bob Stone", "Léa Martin"]
    ok(env, "move", "linkedin:lea-martin", "identify")
    ok(env, "note", "lea@acme.example", "Met at the fair")
    shown = json.loads(ok(env, "show", added["id"][:10], "--format", "json"))
    assert shown["stage"] == "identify"
    kinds = [e["kind"] for e in shown["history"]]
    assert kinds[0] == "created" and "stage_changed" in kinds and kinds[-1] == "note"
    duplicate = run(env, "add", "Léa again", "--url", "https://www.linkedin.com/in/lea-martin")
    assert duplicate.returncode == 4 and "already belongs" in duplicate.stderr
    export = json.loads(ok(env, "export", "--format", "json"))
    assert sorted(len(p["events"]) for p in export["prospects"]) == [1, 3]


def test_the_password_is_never_printed(pg_url: str) -> None:
    url = _with_password(pg_url)
    env = clean_env(SOCIALCRM_DB=url)
    outputs = [
        run(env, "--help"),
        run(env, "init"),
        run(env, "doctor"),
        run(env, "db", "current"),
        run(env, "backup"),  # refused: a database is backed up with its own tools
        run(env, "--db", url.replace("/socialcrm_test", "/missing_db"), "list"),
        run(env, "--db", url.replace(":5432", ":1"), "list"),
        run(env, "--db", url.replace("postgresql", "mysql"), "list"),
        run(env, "demo"),  # suggests commands with --db, and shows today's agenda
    ]
    for result in outputs:
        assert SECRET not in result.stdout + result.stderr, result.args
    assert "***" in outputs[1].stdout  # "store ready: postgresql://postgres:***@…"
    assert "--db 'postgresql://postgres:***@" in outputs[8].stdout
    assert outputs[4].returncode == 6 and "pg_dump" in outputs[4].stderr
    for unreachable in outputs[5:7]:  # one line, exit 6
        assert unreachable.returncode == 6, unreachable.stderr
        assert unreachable.stderr.startswith("error: cannot use the database postgresql://")
        assert len(unreachable.stderr.strip().splitlines()) == 1
    assert "unsupported database 'mysql'" in outputs[7].stderr


def test_db_commands(pg_database: object, pg_url: str, tmp_path: object) -> None:
    env = clean_env(SOCIALCRM_DB=pg_url)
    status = json.loads(ok(env, "db", "current", "--format", "json"))
    assert status["state"] == "current" and status["up_to_date"]
    again = json.loads(ok(env, "db", "upgrade", "--format", "json"))
    assert again["changed"] is False
    directory = run(clean_env(), "--db", str(tmp_path), "db", "upgrade")
    assert directory.returncode == 2 and "store directory" in directory.stderr
