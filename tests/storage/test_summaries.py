"""The TinyDB store's summaries: migrated into older stores, checked by doctor, rebuilt
by ``reindex`` (issue 23).  That every change keeps them equal to the recomputed ones
is tested in ``tests/playbook/test_summary.py``, after random operations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from socialcrm import CRM
from socialcrm.cli import make_app
from socialcrm.demo import build_demo
from socialcrm.playbook.agenda import today
from socialcrm.plugins import get_plugin_manager
from socialcrm.repository import MemoryRepository, Query
from socialcrm.storage import layout, open_repository
from socialcrm.storage.backups import list_backups
from socialcrm.storage.doctor import doctor
from socialcrm.storage.summaries import JOURNEYS, SUMMARIES
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.summary import reindex, summaries

from .helpers import snapshot

T_NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def _demo(path: Path) -> None:
    repo = open_repository(path)
    build_demo(repo, get_plugin_manager())
    repo.close()


def _as_schema_2(path: Path) -> None:
    """Make ``path`` what socialcrm wrote before summaries: no ``s-`` or ``r-`` file,
    schema 2."""
    manifest = json.loads((path / layout.MANIFEST_NAME).read_text())
    for logical in [name for name in manifest["files"] if name.startswith(("s-", "r-"))]:
        (path / manifest["files"].pop(logical)["path"]).unlink()
    manifest["store"]["1"]["schema"] = 2
    (path / layout.MANIFEST_NAME).write_text(json.dumps(manifest))


def _agenda(path: Path) -> list[dict[str, object]]:
    repo = open_repository(path)
    crm = CRM(repo, get_plugin_manager(), clock=lambda: T_NOW)
    found = [i.to_dict() for i in today(crm)]
    repo.close()
    return found


def _kept_equal_recomputed(path: Path) -> None:
    repo = open_repository(path)
    for pipeline in [p.name for p in repo.list_pipelines()]:
        query = Query(pipeline=pipeline)
        kept = dict(summaries(repo, query))
        assert kept and kept == dict(summaries(repo, query, replay=True))
    repo.close()


def test_a_schema_2_store_gets_its_summaries_and_keeps_every_other_file(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _demo(store)
    expected = _agenda(store)
    _as_schema_2(store)
    before = snapshot(store)
    assert [f.code for f in doctor(store).problems] == ["schema-older"]

    assert _agenda(store) == expected  # opening migrates
    after = snapshot(store)
    # every data file of the old store is still there, byte for byte; only s- and r-
    # files are new
    assert {k: v for k, v in after.items() if k in before and k != layout.MANIFEST_NAME} == {
        k: v for k, v in before.items() if k != layout.MANIFEST_NAME
    }
    added = sorted(set(after) - set(before))
    assert {Path(k).name[:2] for k in added} == {"s-", "r-"}
    assert [b.kind for b in list_backups(store)] == ["pre-migrate"]
    manifest = json.loads((store / layout.MANIFEST_NAME).read_text())
    assert manifest["store"]["1"]["schema"] == layout.SCHEMA_VERSION == 3
    assert all((store / k).stat().st_mode & 0o777 == 0o600 for k in added)
    _kept_equal_recomputed(store)
    assert doctor(store).ok


def test_doctor_finds_a_summary_out_of_step_and_reindex_rebuilds_them(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _demo(store)
    expected = _agenda(store)
    repo = TinyDBRepository(store).open()
    with repo.transaction():  # damage one summary behind the store's back
        engine = repo.engine
        logical = next(n for n in engine.logicals("s-"))
        pid, kept = next(iter(engine.view(logical)[SUMMARIES].items()))
        engine.set_doc(logical, SUMMARIES, pid, {**kept, "n": "Someone Else"})
        engine.set_doc(logical, SUMMARIES, "01NOSUCHPROSPECT0000000000", kept)
        journeys = next(n for n in engine.logicals("r-") if engine.view(n)[JOURNEYS])
        other, journey = next(iter(engine.view(journeys)[JOURNEYS].items()))
        engine.set_doc(journeys, JOURNEYS, other, {"j": journey["j"][:-1]})
    repo.close()

    report = doctor(store)
    found = [f for f in report.problems if f.code == "summaries"]
    assert len(found) == 1 and "reindex" in (found[0].fix or "")
    assert f"{2 if other == pid else 3} prospect summary" in found[0].message
    runner = CliRunner()
    app = make_app(get_plugin_manager())
    result = runner.invoke(app, ["--db", str(store), "doctor"])
    assert result.exit_code == 6 and "socialcrm reindex" in result.stdout

    result = runner.invoke(app, ["--db", str(store), "--format", "json", "reindex"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"summaries": 27}
    assert doctor(store).ok
    _kept_equal_recomputed(store)
    assert _agenda(store) == expected


def test_reindex_on_a_database_rewrites_its_rows_and_a_host_store_has_none(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'team.db'}"
    crm = CRM(open_repository(url), actor="lea")
    crm.add("Ann Lee")
    crm.add("Bob Roe")
    crm.close()
    app = make_app(get_plugin_manager())
    result = CliRunner().invoke(app, ["--db", url, "--format", "json", "reindex"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"summaries": 2}
    assert reindex(MemoryRepository()) is None  # computed when read: nothing to recompute
