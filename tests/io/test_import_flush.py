"""An import writes what it planned every ``FLUSH_EVENTS`` events, inside its one
transaction: the result, a strict refusal, a dry run and what plugins are told
are the same as when everything is written at the end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialcrm.crm import CRM
from socialcrm.hookspecs import hookimpl
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.io.importing import engine
from socialcrm.models import Event, Prospect
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .helpers import snapshot

FLUSHES = [pytest.param(1, id="flush-each-row"), pytest.param(10**9, id="flush-at-end")]


def _files(store: Path) -> dict[str, bytes]:
    """Every file of a store directory, by relative path (the lock file aside)."""
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != "store.lock"
    }


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of 6 prospects × 3 events, one of them invalid when ``strict``."""
    root = tmp_path_factory.mktemp("backup")
    clock = FrozenClock()
    crm = CRM(open_repository(root / "source"), get_plugin_manager(), clock=clock)
    for i in range(6):
        p = crm.add(f"Person {i}", urls=[f"https://www.linkedin.com/in/person-{i}"])
        crm.add_note(p.id, f"met {i}")
        crm.log_message(p.id, f"hello {i}", network="linkedin")
        clock.advance(minutes=1)
    path = root / "backup.json"
    export_prospects(crm, crm.exporters()["json"], path)
    crm.close()
    return path


class Listener:
    def __init__(self) -> None:
        self.told: list[tuple[str, str, str | None]] = []

    @hookimpl
    def on_event(self, event: Event, prospect: Prospect | None) -> None:
        self.told.append((event.id, event.prospect_id, prospect and prospect.id))


def _crm(path: Path, *plugins: object) -> CRM:
    return CRM(open_repository(path), get_plugin_manager(plugins=plugins), clock=FrozenClock())


@pytest.mark.parametrize("flush", FLUSHES)
def test_restore_and_tell_plugins_once_per_event(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush: int
) -> None:
    monkeypatch.setattr(engine, "FLUSH_EVENTS", flush)
    listener = Listener()
    crm = _crm(tmp_path / "store", listener)
    report = import_file(crm, backup)
    assert report.written and report.events == 18
    stored = {e.id: e.prospect_id for p in crm.query() for e in crm.repository.events(p.id)}
    assert len(stored) == 18
    assert sorted(listener.told) == sorted((eid, pid, pid) for eid, pid in stored.items())
    reference = _crm(tmp_path / "reference")
    monkeypatch.setattr(engine, "FLUSH_EVENTS", 10**9)
    import_file(reference, backup)
    assert snapshot(crm) == snapshot(reference)


@pytest.mark.parametrize("flush", FLUSHES)
def test_strict_refusal_after_flushes_leaves_every_file_as_it_was(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush: int
) -> None:
    monkeypatch.setattr(engine, "FLUSH_EVENTS", flush)
    lines = backup.read_text().splitlines(keepends=True)
    lines.insert(-1, ',{"prospect": {"id": "x"}, "events": []}\n')  # last: after the flushes
    lines[-3] = lines[-3].rstrip("\n")
    bad = tmp_path / "bad.json"
    bad.write_text("".join(lines))
    listener = Listener()
    crm = _crm(tmp_path / "store", listener)
    crm.add("Already Here", emails=["here@example.com"])
    listener.told.clear()
    before = _files(tmp_path / "store")
    report = import_file(crm, bad, strict=True)
    assert [r.action for r in report.rows].count("invalid") == 1
    assert report.counts()["created"] == 6 and not report.written
    assert _files(tmp_path / "store") == before
    assert listener.told == []
    assert [p.name for p in crm.query()] == ["Already Here"]


@pytest.mark.parametrize("flush", FLUSHES)
def test_dry_run_after_flushes_writes_nothing_and_reports_the_same(
    backup: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flush: int
) -> None:
    monkeypatch.setattr(engine, "FLUSH_EVENTS", flush)
    crm = _crm(tmp_path / "store")
    crm.add("Already Here", emails=["here@example.com"])
    before = _files(tmp_path / "store")
    dry = import_file(crm, backup, dry_run=True)
    assert _files(tmp_path / "store") == before
    real = import_file(crm, backup)
    rows: Any = [(r.row, r.action) for r in dry.rows]
    assert rows == [(r.row, r.action) for r in real.rows]
    assert dry.events == real.events == 18


def test_an_icp_scores_the_import_and_plugins_see_the_scored_prospect(
    backup: Path, tmp_path: Path
) -> None:
    from socialcrm.models import Assessed
    from socialcrm.playbook.icp import ICP, set_icp

    class Recorder:
        def __init__(self) -> None:
            self.told: list[tuple[str, str, float | None]] = []

        @hookimpl
        def on_event(self, event: Event, prospect: Prospect | None) -> None:
            assert prospect is not None and prospect.assessment is not None
            self.told.append((event.id, event.kind.value, prospect.assessment.score))

    recorder = Recorder()
    crm = _crm(tmp_path / "store", recorder)
    set_icp(crm, ICP.from_toml('threshold = 10\n[[criteria]]\nfield = "network"\nweight = 10\n'))
    report = import_file(crm, backup)
    assert report.written and report.counts()["created"] == 6
    stored = [e for p in crm.query() for e in crm.repository.events(p.id)]
    assessed = [e for e in stored if isinstance(e.payload, Assessed)]
    assert len(assessed) == 6  # one score per imported prospect, written with the import
    assert sorted(e for e, _, _ in recorder.told) == sorted(e.id for e in stored)
    assert {score for _, _, score in recorder.told} == {10}
