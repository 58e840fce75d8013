"""The demo: a realistic sample pipeline, built through the facade, never over real data."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.crm import CRM
from socialcrm.demo import PEOPLE, build_demo, store_kind
from socialcrm.errors import SocialCRMError
from socialcrm.models import EventKind, StageChanged
from socialcrm.plugins import SocialPluginManager, get_plugin_manager
from socialcrm.repository import MemoryRepository
from tests.cli.conftest import Run

NETWORK_PLUGINS = (
    "socialcrm_linkedin",
    "socialcrm_x",
    "socialcrm_facebook",
    "socialcrm_instagram",
    "socialcrm_youtube",
)
EXPECTED_COUNTS = {"profile": 3, "identify": 3, "notoriety": 4, "contact": 3, "convert": 2}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_demo_builds_every_stage_and_outcome(run: Run) -> None:
    out = run("demo").stdout
    assert "27 invented prospects" in out
    assert "What to do today" in out and "Karim Benali" in out
    board = json.loads(run("board", "--format", "json").stdout)
    assert board["counts"] == EXPECTED_COUNTS
    assert len(board["won"]) == 5 and len(board["lost"]) == 5
    agencies = json.loads(run("board", "--pipeline", "agencies", "--format", "json").stdout)
    assert agencies["total"] == 2


def test_demo_json_output(run: Run, db: Path) -> None:
    data = json.loads(run("demo", "--format", "json").stdout)
    assert data["db"] == str(db)
    assert data["prospects"] == len(PEOPLE)
    assert data["board"]["counts"] == EXPECTED_COUNTS
    assert data["today"][0]["name"] == "Karim Benali"
    assert data["today"][0]["kind"] == "reply"


def test_demo_refuses_a_store_with_real_data(run: Run) -> None:
    run("add", "Real Customer")
    result = run("demo", code=4)
    assert "--db" in result.stderr
    names = [p["name"] for p in json.loads(run("list", "--format", "json").stdout)]
    assert names == ["Real Customer"]


def test_demo_rebuilds_its_own_store(run: Run) -> None:
    run("demo")
    run("note", "Karim Benali", "playing with the demo")
    run("demo")
    everyone = json.loads(run("list", "--format", "json").stdout)
    assert len(everyone) == 25  # the default pipeline, rebuilt: no duplicates
    events = json.loads(run("history", "Karim Benali", "--format", "json").stdout)
    assert "playing with the demo" not in json.dumps(events)


def test_demo_uses_the_default_store_only_when_empty(
    app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.stderr
    assert str(tmp_path / "data") in first.stdout
    runner.invoke(app, ["pipeline", "use", "default"])
    other = tmp_path / "mine"
    assert runner.invoke(app, ["--db", str(other), "add", "Real Customer"]).exit_code == 0
    monkeypatch.setenv("SOCIALCRM_DB", str(other))
    refused = runner.invoke(app, ["demo"])
    assert refused.exit_code == 4
    assert "socialcrm demo --db" in refused.stderr


def test_demo_is_quiet_when_piped(run: Run) -> None:
    result = run("demo")
    assert result.stderr == ""  # no progress bar, no status lines


# -- the library ---------------------------------------------------------------------------


def _build(pm: SocialPluginManager) -> CRM:
    repo = MemoryRepository()
    build_demo(repo, pm, now=NOW)
    return CRM(repo, pm, clock=lambda: NOW)


def test_build_demo_follows_the_rules(pm: SocialPluginManager) -> None:
    crm = _build(pm)
    for prospect in crm.query():
        for event in crm.repository.events(prospect.id):
            assert event.at <= NOW
            if isinstance(event.payload, StageChanged):
                assert not event.payload.forced  # every move met its exit criteria
    won = crm.query(status="won")
    assert won and all(p.emails for p in won)


def test_build_demo_refuses_real_data(pm: SocialPluginManager) -> None:
    repo = MemoryRepository()
    CRM(repo, pm).add("Real Customer")
    assert store_kind(repo) == "data"
    with pytest.raises(SocialCRMError, match="already holds prospects"):
        build_demo(repo, pm, now=NOW)


def test_build_demo_needs_a_network(tmp_path: Path) -> None:
    bare = get_plugin_manager(entrypoints=False)
    with pytest.raises(SocialCRMError, match="network plugin"):
        build_demo(MemoryRepository(), bare, now=NOW)


def test_the_demo_agenda_has_a_reply_and_late_prospects(pm: SocialPluginManager) -> None:
    from socialcrm.playbook.agenda import today

    crm = _build(pm)
    items = today(crm, now=NOW)
    assert items[0].kind == "reply" and items[0].name == "Karim Benali"
    last = crm.repository.events(items[0].prospect_id)[-1]
    assert last.kind is EventKind.MESSAGE_RECEIVED
    assert any(i.kind == "waiting" for i in items)


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in NETWORK_PLUGINS),
    reason="the five network plugins are not installed",
)
def test_demo_with_the_five_network_plugins(tmp_path: Path) -> None:
    app = make_app(get_plugin_manager())
    runner = CliRunner()
    db = str(tmp_path / "demo")
    result = runner.invoke(app, ["--db", db, "demo"])
    assert result.exit_code == 0, result.stderr
    for network in ("linkedin", "x", "facebook", "instagram", "youtube"):
        listed = runner.invoke(app, ["--db", db, "list", "--network", network, "--format", "json"])
        assert json.loads(listed.stdout), network
    shown = runner.invoke(app, ["--db", db, "show", "https://www.youtube.com/@closersacademy"])
    assert shown.exit_code == 0 and "Marcus Johnson" in shown.stdout
