"""The host application: socialcrm's pipeline on the host's SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from host_crm import HostCRM
from host_crm.forum import ForumNetwork

from socialcrm import (
    DuplicateIdentityError,
    EventKind,
    InvalidURLError,
    Stage,
    Status,
    TransitionRefusedError,
)
from socialcrm.testing import FrozenClock

EXAMPLE_DIR = Path(__file__).resolve().parents[1]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def host(tmp_path: Path, clock: FrozenClock) -> Iterator[HostCRM]:
    app = HostCRM(tmp_path / "host.db", clock=clock, actor="rep1")
    yield app
    app.close()


def _to_convert(host: HostCRM, clock: FrozenClock, name: str = "Ana Lima") -> str:
    """Work a prospect through every stage, meeting each exit criterion."""
    crm = host.crm
    handle = name.lower().replace(" ", "-")
    p = crm.add(name, urls=[f"forum.example.com/u/{handle}"], emails=[f"{handle}@x.example"])
    crm.assess(p.id, qualified=True)
    clock.advance(days=1)
    crm.advance(p.id)
    crm.advance(p.id)
    crm.set_point_of_interest(p.id, "asked about invoices")
    clock.advance(days=2)
    crm.advance(p.id)
    crm.log_message(p.id, "Want a demo?", channel="pm")
    crm.log_message(p.id, "Yes", received=True)
    clock.advance(days=3)
    crm.advance(p.id)
    return p.id


def test_forum_adapter_canonicalises_profiles() -> None:
    forum = ForumNetwork()
    a = forum.parse("https://FORUM.example.com/u/Ana-Lima/")
    b = forum.parse("@ana-lima")
    assert a == b
    assert a.key == "forum:ana-lima"
    assert a.url == "https://forum.example.com/u/ana-lima"
    for bad in ("https://evil.example/u/ana", "https://forum.example.com/t/123", "ana lima"):
        with pytest.raises(InvalidURLError):
            forum.parse(bad)


def test_won_prospect_becomes_host_customer(host: HostCRM, clock: FrozenClock) -> None:
    pid = _to_convert(host, clock)
    assert host.customers() == []
    won = host.crm.win(pid)
    assert won.status is Status.WON
    [customer] = host.customers()
    assert (customer.prospect_id, customer.name, customer.email) == (
        pid,
        "Ana Lima",
        "ana-lima@x.example",
    )
    assert customer.since == clock.now
    assert host.failures == []


def test_reopened_sale_leaves_customers(host: HostCRM, clock: FrozenClock) -> None:
    pid = _to_convert(host, clock)
    host.crm.win(pid)
    reopened = host.crm.reopen(pid)
    assert (reopened.status, reopened.stage) == (Status.OPEN, Stage.CONVERT)
    assert host.customers() == []


def test_lost_prospect_is_not_a_customer(host: HostCRM, clock: FrozenClock) -> None:
    pid = _to_convert(host, clock)
    host.crm.lose(pid, "chose a competitor")
    assert host.customers() == []


def test_exit_criteria_apply_in_the_host(host: HostCRM) -> None:
    p = host.crm.add("Bo Chen")
    with pytest.raises(TransitionRefusedError) as info:
        host.crm.advance(p.id)
    assert [problem.rule for problem in info.value.problems] == ["profile.has-identity"]
    assert host.crm.get(p.id).stage is Stage.PROFILE


def test_identity_unique_in_host_pipeline(host: HostCRM) -> None:
    host.crm.add("Ana Lima", urls=["https://forum.example.com/u/ana"])
    with pytest.raises(DuplicateIdentityError):
        host.crm.add("Ana L.", urls=["forum.example.com/u/ANA"])  # same, canonicalised
    assert host.crm.repository.count("default") == 1
    host.crm.create_pipeline("offer-2")
    host.crm.use_pipeline("offer-2")
    host.crm.add("Ana L.", urls=["forum.example.com/u/ANA"])  # another pipeline: allowed
    assert host.crm.repository.count("offer-2") == 1


def test_failing_sync_keeps_the_sale(host: HostCRM, clock: FrozenClock) -> None:
    """If the host's table is gone, the win is still recorded and the failure reported."""
    pid = _to_convert(host, clock)
    host.repository.connection.execute("DROP TABLE customers")
    host.crm.win(pid)
    assert host.crm.get(pid).status is Status.WON
    assert host.crm.history(pid)[-1].kind is EventKind.STATUS_CHANGED
    [failure] = host.failures
    assert (failure.plugin, failure.hook) == ("host-crm-sync", "on_event")
    assert "customers" in failure.error


def test_everything_survives_reopening_the_host(tmp_path: Path, clock: FrozenClock) -> None:
    path = tmp_path / "host.db"
    with HostCRM(path, clock=clock) as first:
        pid = _to_convert(first, clock)
        first.crm.win(pid)
        history = first.crm.history(pid)
        spans = first.crm.stage_history(pid)
    with HostCRM(path, clock=clock) as again:
        assert again.crm.history(pid) == history
        assert again.crm.stage_history(pid) == spans
        assert [s.stage for s in spans] == list(Stage)
        assert again.crm.resolve("https://forum.example.com/u/ana-lima").id == pid
        assert [c.prospect_id for c in again.customers()] == [pid]
        assert [p.id for p in again.crm.board().won] == [pid]


def test_demo_runs_as_a_program(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE_DIR)}
    db = tmp_path / "demo.db"
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "host_crm", str(db)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
    assert "won        2" in result.stdout
    assert result.stdout.count("Ana Lima (Lima Ltda)") == 2
    assert result.stderr == ""


def test_host_import_stays_light() -> None:
    """Embedding socialcrm pulls in neither the CLI stack nor TinyDB."""
    code = (
        "import sys, host_crm; "
        "heavy = {'typer', 'click', 'rich', 'tinydb'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE_DIR)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
