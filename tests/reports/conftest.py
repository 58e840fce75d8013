"""A hand-built pipeline in a real directory store, with a frozen clock (docs/reports.md).

Day 0 is Monday 2 March 2026, 09:00 UTC; *now* is day 14.  The four people
and what happens to them (``force`` moves skip the exit criteria):

* **Ann** (linkedin): identify d1, notoriety d3, message sent d4, reply d6,
  contact d7, convert d10, won d12;
* **Bob** (x, source "webinar", tag "vip"): identify d2, lost "no budget" d5,
  reopened d8, moved back to profile d9;
* **Cid** (facebook): forced straight to contact d2, message sent d4, lost "timing" d6;
* **Dee** (linkedin) and **Dee Two** (x, added d2, identify d3, wrote first d4):
  Dee answers d5, Dee Two merged into Dee d6, Dee to identify d11.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcrm import CRM
from socialcrm.dedupe import merge
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SCRIPT = Path(sys.executable).with_name("socialcrm")


def cli(store: Path, *args: str, code: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script on ``store`` (no SOCIALCRM_* variable, no colour)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    clean.update({"NO_COLOR": "1", **env})
    done = subprocess.run(
        [str(SCRIPT), "--db", str(store), *args], capture_output=True, text=True, env=clean
    )
    assert done.returncode == code, (done.stdout, done.stderr)
    return done


def day(n: float) -> datetime:
    return START + timedelta(days=n)


class Pipeline:
    def __init__(self, crm: CRM, clock: FrozenClock, store: Path) -> None:
        self.crm, self.clock, self.store = crm, clock, store

    def at(self, n: float) -> CRM:
        self.clock.now = day(n)
        return self.crm


def open_crm(store: Path, clock: FrozenClock) -> CRM:
    return CRM(open_repository(store), get_plugin_manager(), clock=clock, actor="tester")


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Pipeline]:
    clock = FrozenClock(START)
    crm = open_crm(tmp_path / "store", clock)
    crm.init()
    yield Pipeline(crm, clock, tmp_path / "store")
    crm.close()


def build(p: Pipeline) -> None:
    li = "https://www.linkedin.com/in/"
    p.at(0).add("Ann", urls=[li + "ann"])
    p.at(0).add("Bob", urls=["https://x.com/bob"], source="webinar", tags=["vip"])
    p.at(0).add("Dee", urls=[li + "dee"])
    p.at(1).advance("Ann", force=True, reason="t")
    p.at(1).add("Cid", urls=["https://www.facebook.com/cid.example"])
    p.at(2).advance("Bob", force=True, reason="t")
    p.at(2).move("Cid", "contact", force=True, reason="t")
    p.at(2).add("Dee Two", urls=["https://x.com/deetwo"])
    p.at(3).advance("Ann", force=True, reason="t")
    p.at(3).advance("Dee Two", force=True, reason="t")
    p.at(4).log_message("Ann", "hello Ann", network="linkedin")
    p.at(4).log_message("Cid", "hello Cid", network="facebook")
    p.at(4).log_message("Dee Two", "hi, we should talk", received=True, network="x")
    p.at(5).log_message("Dee", "glad you wrote", network="linkedin")
    p.at(5).lose("Bob", "no budget")
    p.at(6).log_message("Ann", "tell me more", received=True, network="linkedin")
    p.at(6).lose("Cid", "timing")
    merge(p.at(6), "Dee", "Dee Two")
    p.at(7).move("Ann", "contact", force=True, reason="t")
    p.at(8).reopen("Bob")
    p.at(9).move("Bob", "profile", reason="back to research")
    p.at(10).move("Ann", "convert", force=True, reason="t")
    p.at(11).advance("Dee", force=True, reason="t")
    p.at(12).win("Ann", force=True)
    p.at(14)


@pytest.fixture
def pipeline(empty: Pipeline) -> Pipeline:
    build(empty)
    return empty
