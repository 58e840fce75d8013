"""The playbook's CLI commands, end to end on a real TinyDB store."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from socialcrm import CRM
from socialcrm.cli import make_app
from socialcrm.plugins import SocialPluginManager, get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .conftest import TestNetPlugin

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SOCIALCRM_DB", "SOCIALCRM_PIPELINE", "SOCIALCRM_DISABLE_PLUGINS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pm() -> SocialPluginManager:
    return get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def run(pm: SocialPluginManager, db: Path) -> Iterator[Run]:
    app: typer.Typer = make_app(pm)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None, **kw: Any) -> Result:
        result = runner.invoke(app, ["--db", str(db), *args], input=input, **kw)
        assert result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        return result

    yield invoke


def _json(result: Result) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def jane(run: Run) -> str:
    return str(
        run(
            "add",
            "Jane Doe",
            "--url",
            "https://testnet.example/jane",
            "--company",
            "Acme",
            "--title",
            "CTO",
            "--sector",
            "software",
        ).stdout.strip()
    )


def test_every_command_has_help_with_an_example(run: Run) -> None:
    for args in (
        ["profile", "check"],
        ["profile", "set"],
        ["icp", "show"],
        ["icp", "set"],
        ["icp", "edit"],
        ["score"],
        ["warmth"],
        ["post", "log"],
        ["post", "list"],
        ["template", "set"],
        ["sequence", "create"],
        ["sequence", "enroll"],
        ["next"],
        ["today"],
        ["stage-limit"],
    ):
        assert "Example:" in run(*args, "--help").stdout, args


def test_profile_set_check_and_refusal(run: Run, jane: str) -> None:
    run("profile", "set", "testnet", "photo=yes")
    report = _json(run("profile", "check", "--format", "json"))
    assert report[0]["network"] == "testnet" and not report[0]["ok"]
    assert [i["id"] for i in report[0]["items"] if not i["ok"]] == ["headline"]
    refused = run("advance", jane, code=5)
    assert "your own TestNet profile fails its checklist" in refused.stderr
    assert "profile.seller-checklist" in refused.stderr
    bad = run("profile", "set", "testnet", "banner=yes", code=4)
    assert "no profile checklist item 'banner'" in bad.stderr
    run("profile", "set", "testnet", "headline=I help SaaS teams hire")
    assert "complete" in run("profile", "check").stdout
    run("advance", jane)


ICP = """threshold = 50
[[criteria]]
field = "title"
weight = 30
values = ["cto"]
[[criteria]]
field = "sector"
weight = 30
values = ["software"]
"""


def test_icp_set_show_score_and_rule(run: Run, jane: str, tmp_path: Path) -> None:
    run("icp", "show", code=3)
    (tmp_path / "icp.toml").write_text(ICP)
    assert "1 prospect(s) re-scored" in run("icp", "set", str(tmp_path / "icp.toml")).stdout
    shown = run("icp", "show").stdout
    assert shown.startswith("# Ideal customer profile") and 'field = "title"' in shown
    scored = _json(run("score", jane, "--format", "json"))
    assert (scored["score"], scored["threshold"], scored["qualified"]) == (60, 50, True)
    assert [c["points"] for c in scored["contributions"]] == [30, 30]
    table = run("score", jane).stdout
    assert "title 'CTO' matches 'cto'" in table and "score 60 / threshold 50: qualifies" in table
    run("advance", jane, "--force")
    run("edit", jane, "--set", "title=Buyer")
    refused = run("advance", jane, code=5)
    assert "ICP score 30 is below the threshold 50" in refused.stderr
    assert "qualifies prospects by their ICP score" in run("qualify", jane, code=4).stderr


def test_invalid_icp_file_saves_nothing(run: Run, tmp_path: Path) -> None:
    (tmp_path / "icp.toml").write_text("threshold = 5\n[[criteria]]\nfield='colour'\nweight=1\n")
    result = run("icp", "set", str(tmp_path / "icp.toml"), code=4)
    assert "unknown field 'colour'" in result.stderr and "icp.toml" in result.stderr
    run("icp", "show", code=3)
    run("icp", "set", str(tmp_path / "missing.toml"), code=4)
    run("icp", "set", "-", input=ICP)
    assert _json(run("icp", "show", "--format", "json"))["threshold"] == 50


def test_icp_edit_uses_the_editor(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('threshold = 50', 'threshold = 42'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    run("icp", "edit")  # starts from the example ICP
    assert _json(run("icp", "show", "--format", "json"))["threshold"] == 42
    script.write_text(
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('threshold = \"high\"')\n"
    )
    result = run("icp", "edit", code=4)
    assert "numeric threshold" in result.stderr and "not saved" in result.stderr
    assert _json(run("icp", "show", "--format", "json"))["threshold"] == 42


def test_posts_and_target(run: Run) -> None:
    logged = _json(
        run("post", "log", "testnet", "--views", "1000", "--reactions", "20", "--format", "json")
    )
    assert logged["rate"] == 0.02 and logged["below_target"] is True
    assert (
        "below your target"
        in run("post", "log", "testnet", "--views", "100", "--reactions", "3").stdout
    )
    listed = _json(run("post", "list", "--format", "json"))
    assert (listed["views"], listed["reactions"], listed["target"]) == (1100, 23, 0.04)
    run("post", "target", "2%")
    assert run("post", "target").stdout.strip() == "2.0 %"
    assert _json(run("post", "list", "--format", "json"))["below_target"] is False
    run("post", "log", "testnet", "--views", "1", "--reactions", "5", code=4)
    run("post", "log", "nowhere", "--views", "1", "--reactions", "0", code=3)


def test_templates_refuse_unknown_variables_and_long_messages(run: Run, jane: str) -> None:
    run("template", "set", "hello", "Hi {first_name} from {company}")
    assert run("template", "show", "hello", "--for", jane).stdout.strip() == "Hi Jane from Acme"
    run("template", "set", "typo", "Hi {frist_name}")
    bad = run("template", "show", "typo", "--for", jane, code=4)
    assert "unknown variable {frist_name}" in bad.stderr
    run("template", "set", "long", "Hi {first_name} " + "x" * 60)
    long = run("template", "show", "long", "--for", jane, "--channel", "testnet.note", code=4)
    assert "message is 68 characters, 18 over the 50-character limit" in long.stderr
    assert _json(run("template", "list", "--format", "json"))["hello"].startswith("Hi")


def _sequence(run: Run) -> None:
    run("profile", "set", "testnet", "photo=yes", "headline=yes")
    run("template", "set", "hello", "Hi {first_name}!")
    run("template", "set", "nudge", "Any thoughts, {first_name}?")
    run(
        "sequence",
        "create",
        "intro",
        "--step",
        "0:testnet.note:hello",
        "--step",
        "2:testnet.dm:nudge",
        "--description",
        "two touches",
    )


def test_sequence_next_sent_and_reply(run: Run, jane: str) -> None:
    _sequence(run)
    assert _json(run("sequence", "list", "--format", "json"))[0]["name"] == "intro"
    run("sequence", "enroll", jane, "intro")
    run("sequence", "enroll", jane, "intro", code=4)
    first = run("next", jane)
    assert first.stdout.strip() == "Hi Jane!"
    assert "step 1/2 of 'intro'" in first.stderr and "due now" in first.stderr
    sent = run("next", jane, "--sent").stdout
    assert "step 1/2 of 'intro' recorded as sent" in sent and "next step due" in sent
    second = _json(run("next", jane, "--format", "json"))
    assert (second["step"], second["due"], second["text"]) == (2, False, "Any thoughts, Jane?")
    shown = _json(run("sequence", "show", "intro", "--format", "json"))
    assert shown["prospects"][0]["steps_done"] == 1
    run("message", jane, "--received", "Sounds good, call me")
    stopped = run("next", jane, code=4)
    assert "no follow-up after a reply" in stopped.stderr
    agenda = _json(run("today", "--format", "json"))
    assert [(i["kind"], i["prospect_id"]) for i in agenda] == [("reply", jane)]
    assert "next" not in agenda[0]["command"]
    run("sequence", "unenroll", jane, code=4)


def test_today_lists_overdue_steps_and_waiting_prospects(run: Run, db: Path, pm: Any) -> None:
    _sequence(run)
    past = FrozenClock(datetime.now(UTC) - timedelta(days=30))
    crm = CRM(open_repository(db), pm, clock=past)
    old = crm.add("Old Timer", urls=["https://testnet.example/old"]).id
    past.advance(days=20)
    late = crm.add("Late Lou", urls=["https://testnet.example/lou"]).id
    from socialcrm.playbook.sequences import enroll

    enroll(crm, late, "intro")
    crm.close()
    agenda = _json(run("today", "--format", "json"))
    assert [(i["kind"], i["prospect_id"]) for i in agenda] == [("step", late), ("waiting", old)]
    assert agenda[0]["command"] == f"socialcrm next {late}" and agenda[0]["days"] >= 9
    assert agenda[1]["command"] == f"socialcrm advance {old}"
    table = run("today").stdout
    assert "Late Lou" in table and f"advance {old}" in table
    assert "socialcrm --db " in table  # suggested commands act on the store shown
    csv = run("today", "--format", "csv").stdout.splitlines()
    assert csv[0] == "kind,prospect_id,name,stage,what,command" and len(csv) == 3
    run("stage-limit", "profile", "60")
    assert _json(run("stage-limit", "--format", "json"))["profile"] == 60
    assert [i["kind"] for i in _json(run("today", "--format", "json"))] == ["step"]
    run("stage-limit", "profile", code=4)


def test_today_table_shows_the_most_urgent_and_says_how_many_more(
    run: Run, db: Path, pm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialcrm.cli.playbook import agenda

    monkeypatch.setattr(agenda, "TODAY_TABLE_LIMIT", 2)
    past = FrozenClock(datetime.now(UTC) - timedelta(days=30))
    crm = CRM(open_repository(db), pm, clock=past)
    people = [crm.add(f"Waiting {n}", urls=[f"https://testnet.example/w{n}"]).id for n in range(5)]
    crm.close()
    every = _json(run("today", "--format", "json"))  # JSON and CSV: every item
    assert sorted(i["prospect_id"] for i in every) == sorted(people)
    assert len(run("today", "--format", "csv").stdout.splitlines()) == 6
    table = run("today").stdout
    shown = [i["prospect_id"] for i in every[:2]]
    assert all(pid in table for pid in shown)
    assert not any(i["prospect_id"] in table for i in every[2:])
    assert "… and 3 more (of 5): 'socialcrm today --limit 0' lists them all" in table
    everything = run("today", "--limit", "0").stdout
    assert all(pid in everything for pid in people) and "more (of" not in everything
    assert [i["prospect_id"] for i in _json(run("today", "--limit", "1", "--format", "json"))] == (
        shown[:1]
    )
    run("today", "--limit", "-1", code=2)


def test_won_needs_a_way_to_reach_them(run: Run, jane: str) -> None:
    run("move", jane, "convert", "--force")
    refused = run("won", jane, code=5)
    assert "no e-mail or phone" in refused.stderr
    run("edit", jane, "--add-email", "jane@acme.example")
    run("won", jane)


def test_warmth(run: Run, jane: str) -> None:
    run("engage", jane, "comment")
    result = _json(run("warmth", jane, "--format", "json"))
    assert result["level"] == "warm" and result["signals"][0]["kind"] == "comment"
    assert 2.9 < result["warmth"] <= 3
