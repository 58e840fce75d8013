"""A team's CLI session, end to end, on each store: TinyDB, SQLite and PostgreSQL.

The installed console script, run as two reps (``SOCIALCRM_USER``) on one
store: adding, editing, notes, messages, moves, the views (``list``, ``board``,
``today``) by owner, ``assign``, ``rm`` and the JSON export, which carries
every prospect's owner and every event's actor. The PostgreSQL store is the
session's own database (``conftest.py``), emptied for each test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .cli import clean_env, ok, run

STORES = ("tinydb", "sqlite", "postgresql")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store of each kind: a directory, or a database URL."""
    if request.param == "tinydb":
        return str(tmp_path / "store")
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


def _json(env: dict[str, str], *args: str) -> Any:
    return json.loads(ok(env, *args, "--format", "json"))


def test_a_team_session(store: str, tmp_path: Path) -> None:
    lea = clean_env(SOCIALCRM_DB=store, SOCIALCRM_USER="lea")
    max_ = clean_env(SOCIALCRM_DB=store, SOCIALCRM_USER="max")
    ok(lea, "init")

    jane = _json(lea, "add", "Jane Doe", "--url", "https://www.linkedin.com/in/janedoe")
    assert jane["owner"] == "lea"
    bob = _json(lea, "add", "Bob Stone", "--url", "linkedin:bobstone", "--owner", "max")
    assert bob["owner"] == "max"
    carl = _json(max_, "add", "Carl Weiss", "--email", "carl@initech.example")
    assert carl["owner"] == "max"

    # identity uniqueness per pipeline: the second rep is told whose prospect it is
    twice = run(max_, "add", "Jane D.", "--url", "https://www.linkedin.com/in/janedoe")
    assert twice.returncode == 4, twice.stderr
    assert "already belongs" in twice.stderr and "owned by lea" in twice.stderr
    assert len(twice.stderr.strip().splitlines()) <= 2 and "Traceback" not in twice.stderr

    ok(lea, "edit", "Jane Doe", "--set", "company=Acme", "--add-tag", "fintech")
    ok(lea, "note", "linkedin:janedoe", "Met at the fair")
    ok(lea, "message", jane["id"], "Hello Jane", "--sent")
    ok(lea, "advance", "Jane Doe")
    ok(max_, "note", "Bob Stone", "Called him")

    names = sorted(p["name"] for p in _json(lea, "list"))
    assert names == ["Bob Stone", "Carl Weiss", "Jane Doe"]
    assert [p["name"] for p in _json(lea, "list", "--mine")] == ["Jane Doe"]
    assert [p["name"] for p in _json(lea, "list", "--owner", "max", "--sort", "name")] == [
        "Bob Stone",
        "Carl Weiss",
    ]
    both = run(lea, "list", "--mine", "--owner", "max")
    assert both.returncode != 0 and "not both" in both.stderr

    board = _json(lea, "board", "--owner", "max")
    on_board = [p["name"] for stage in board["stages"].values() for p in stage]
    assert sorted(on_board) == ["Bob Stone", "Carl Weiss"]

    today_all = {i["name"]: i for i in _json(lea, "today", "--all")}
    today_lea = _json(lea, "today")
    assert {i["owner"] for i in today_lea} <= {"lea"}
    assert {i["name"] for i in today_lea} <= {"Jane Doe"}
    assert {i["name"] for i in _json(max_, "today")} <= {"Bob Stone", "Carl Weiss"}
    assert set(today_all) <= {"Jane Doe", "Bob Stone", "Carl Weiss"}

    assigned = _json(max_, "assign", "Bob Stone", "lea")
    assert assigned["owner"] == "lea"
    assert sorted(p["name"] for p in _json(lea, "list", "--mine")) == ["Bob Stone", "Jane Doe"]
    history = _json(lea, "show", "Bob Stone")["history"]
    edit = history[-1]
    assert edit["kind"] == "edited" and edit["actor"] == "max"
    assert edit["data"]["changes"]["owner"] == ["max", "lea"]

    ok(lea, "rm", "Carl Weiss", "--yes")
    export = json.loads(ok(lea, "export", "--format", "json"))
    people = {p["prospect"]["name"]: p for p in export["prospects"]}
    assert sorted(people) == ["Bob Stone", "Jane Doe"]
    assert {name: p["prospect"]["owner"] for name, p in people.items()} == {
        "Bob Stone": "lea",
        "Jane Doe": "lea",
    }
    actors = {
        name: [(e["payload"]["kind"], e["actor"]) for e in person["events"]]
        for name, person in people.items()
    }
    assert actors["Jane Doe"] == [
        ("created", "lea"),
        ("edited", "lea"),
        ("note", "lea"),
        ("message_sent", "lea"),
        ("stage_changed", "lea"),
    ]
    assert actors["Bob Stone"] == [("created", "lea"), ("note", "max"), ("edited", "max")]

    # the JSON export imported elsewhere (by someone else) keeps owners and actors
    dump = tmp_path / "export.json"
    dump.write_text(json.dumps(export), encoding="utf-8")
    other = clean_env(SOCIALCRM_DB=str(tmp_path / "elsewhere"), SOCIALCRM_USER="zoe")
    ok(other, "import", str(dump))
    again = json.loads(ok(other, "export", "--format", "json"))
    assert {p["prospect"]["name"]: p["prospect"]["owner"] for p in again["prospects"]} == {
        "Bob Stone": "lea",
        "Jane Doe": "lea",
    }
    moved = {
        p["prospect"]["name"]: [(e["payload"]["kind"], e["actor"]) for e in p["events"]]
        for p in again["prospects"]
    }
    assert moved == actors


def test_the_older_variable_still_names_the_rep(store: str) -> None:
    env = clean_env(SOCIALCRM_DB=store, SOCIALCRM_ACTOR="old-name")
    added = _json(env, "add", "Jane Doe")
    assert added["owner"] == "old-name"
    # SOCIALCRM_USER wins over it
    env["SOCIALCRM_USER"] = "lea"
    assert _json(env, "add", "Bob Stone")["owner"] == "lea"
    assert [p["name"] for p in _json(env, "list", "--owner", "old-name")] == ["Jane Doe"]
