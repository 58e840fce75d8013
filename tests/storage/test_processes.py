"""Real processes: SIGKILL at random moments, and several writers at once.

Every process goes through the CRM facade over the TinyDB store, as the CLI
and cron jobs do.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.models import StageChanged
from socialcrm.plugins import get_plugin_manager
from socialcrm.repository import Query
from socialcrm.stages import Stage
from socialcrm.storage import open_repository
from socialcrm.storage.doctor import doctor

WORKER = Path(__file__).with_name("worker.py")
KILL_ROUNDS = 30


def spawn(store: Path, *args: str, spilling: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(store), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "WORKER_SPILL": "1" if spilling else "0"},
    )


def assert_healthy(store: Path) -> None:
    report = doctor(store)
    assert report.ok, [f.to_dict() for f in report.problems]


@pytest.mark.slow
@pytest.mark.parametrize("spilling", [False, True], ids=["in-memory", "spilling"])
def test_sigkill_at_random_moments_never_loses_an_acknowledged_write(
    tmp_path: Path, spilling: bool
) -> None:
    """``spilling``: the writer's transactions write their files before committing
    (test_spill.py), so kills also land between those writes and the commit."""
    store = tmp_path / "store"
    rng = random.Random(20260301)
    added: set[str] = set()
    noted: set[str] = set()
    for round_ in range(KILL_ROUNDS):
        proc = spawn(store, "loop", f"R{round_}", spilling=spilling)
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.strip() == "ready", proc.stderr.read() if proc.stderr else first
        # once the writer is in its loop (first write acknowledged), kill it at a random moment
        acknowledged = proc.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        rest = acknowledged + proc.stdout.read()
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        for line in rest.splitlines():
            kind, _, pid = line.partition(" ")
            (added if kind == "add" else noted).add(pid)
        # after every kill: the store opens, and every acknowledged write is there
        repo = open_repository(store)
        for pid in added:
            assert repo.get(pid) is not None, f"round {round_}: acknowledged add {pid} lost"
        for pid in noted:
            kinds = [e.kind.value for e in repo.events(pid)]
            assert kinds.count("note") >= 1, f"round {round_}: acknowledged note on {pid} lost"
        repo.close()
    assert len(added) >= KILL_ROUNDS  # at least one acknowledged write per round
    assert_healthy(store)


@pytest.mark.slow
def test_four_processes_adding_at_once_end_with_every_prospect(tmp_path: Path) -> None:
    store = tmp_path / "store"
    open_repository(store).close()
    procs = [spawn(store, "add", f"W{n}", "100") for n in range(4)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.count("add ") == 100
    crm = CRM(open_repository(store), get_plugin_manager(entrypoints=False))
    everyone = crm.repository.query(Query())
    assert len(everyone) == 400
    assert len({p.name for p in everyone}) == 400
    assert crm.repository.count("default") == 400
    assert all(len(crm.repository.events(p.id)) == 1 for p in everyone[:50])
    crm.close()
    assert_healthy(store)


@pytest.mark.slow
def test_two_processes_on_one_prospect_never_lose_an_event(tmp_path: Path) -> None:
    store = tmp_path / "store"
    crm = CRM(open_repository(store), get_plugin_manager(entrypoints=False))
    pid = crm.add("Shared Prospect").id
    crm.close()
    n = 40
    movers = spawn(store, "move", pid, str(n))
    loggers = spawn(store, "note", pid, str(n))
    for proc in (movers, loggers):
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    repo = open_repository(store)
    events = repo.events(pid)
    kinds = [e.kind.value for e in events]
    assert kinds.count("created") == 1
    assert kinds.count("stage_changed") == n
    assert kinds.count("note") == n
    # each move started from the stage the previous one ended in: no lost update
    stage = Stage.PROFILE
    for e in events:
        if isinstance(e.payload, StageChanged):
            assert e.payload.from_stage is stage
            stage = e.payload.to_stage
    final = repo.get(pid)
    assert final is not None and final.stage is stage
    repo.close()
    assert_healthy(store)
