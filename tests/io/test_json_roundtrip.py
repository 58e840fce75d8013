"""socialcrm JSON: a lossless backup that restores a pipeline exactly."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.plugins import get_plugin_manager
from socialcrm.stages import Stage
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .helpers import snapshot


def _busy_pipeline(crm: CRM, clock: FrozenClock) -> None:
    crm.set_channel_limit("linkedin", "connection_note", 200)
    crm.create_pipeline("agencies", description="Web agencies", settings={"k": [1, "é"]})
    crm.use_pipeline("agencies")
    zoe = crm.add(
        "Zoé Martin",
        urls=["https://www.linkedin.com/in/zoe-martin-4b2a1c", "x:zoemartin"],
        emails=["zoe@example.com"],
        phones=["+33 6 12 34 56 78"],
        company="Acme",
        tags=["hot"],
        custom={"origin": "salon"},
        note="met at the fair",
    )
    clock.advance(hours=1)
    crm.set_point_of_interest(zoe.id, "Her post on cold e-mails", url="https://x.com/zoemartin")
    crm.log_interaction(zoe.id, "like", network="linkedin")
    crm.log_message(zoe.id, "Bonjour Zoé", channel="message", network="linkedin")
    crm.log_message(zoe.id, "Merci !", received=True, network="linkedin")
    crm.move(zoe.id, Stage.CONTACT, force=True, reason="she answered")
    clock.advance(days=2)
    lost = crm.add("Jean Dupont", emails=["jean@example.org"])
    crm.lose(lost.id, "no budget")


def _export(crm: CRM) -> dict[str, object]:
    out = io.StringIO()
    export_prospects(crm, crm.exporters()["json"], out)
    doc = json.loads(out.getvalue())
    assert isinstance(doc, dict)
    return doc


def test_export_then_import_restores_the_pipeline_exactly(tmp_path: Path) -> None:
    clock = FrozenClock()
    source = CRM(open_repository(tmp_path / "a"), get_plugin_manager(), clock=clock)
    _busy_pipeline(source, clock)
    backup = tmp_path / "backup.json"
    export_prospects(source, source.exporters()["json"], backup)
    assert backup.stat().st_mode & 0o777 == 0o600

    target = CRM(open_repository(tmp_path / "b"), get_plugin_manager(), clock=FrozenClock())
    report = import_file(target, backup)
    assert report.format == "socialcrm-json"
    assert report.counts() == {
        "created": 4,  # the channel limits, the pipeline and two prospects
        "updated": 0,
        "attached": 0,
        "skipped": 0,
        "invalid": 0,
    }
    target.use_pipeline("agencies")
    original = snapshot(source)
    restored = snapshot(target)
    original["pipelines"] = [p for p in original["pipelines"] if p["name"] == "agencies"]
    restored["pipelines"] = [p for p in restored["pipelines"] if p["name"] == "agencies"]
    assert restored == original
    first, second = _export(source), _export(target)
    first.pop("exported_at")
    second.pop("exported_at")
    assert first == second
    assert second["meta"] == {"channel_limits": {"linkedin.connection_note": 200}}
    assert target.networks.channel("linkedin", "connection_note").limit == 200

    # Importing the backup again changes nothing.
    again = import_file(target, backup)
    assert again.counts()["created"] == 0 and again.events == 0
    assert snapshot(target)["pipelines"] == snapshot(target)["pipelines"]
    assert _export(target)["prospects"] == second["prospects"]


def test_backup_of_an_existing_prospect_updates_only_with_update(tmp_path: Path) -> None:
    clock = FrozenClock()
    crm = CRM(open_repository(tmp_path / "a"), get_plugin_manager(), clock=clock)
    zoe = crm.add("Zoé", emails=["zoe@example.com"])
    backup = tmp_path / "b.json"
    export_prospects(crm, crm.exporters()["json"], backup)
    crm.add_note(zoe.id, "added after the backup")
    assert import_file(crm, backup).rows[-1].reason == "unchanged"  # extra events are fine
    crm.edit(zoe.id, set_fields={"company": "Changed"})
    report = import_file(crm, backup)
    assert report.rows[-1].action == "skipped"
    assert report.rows[-1].reason.startswith("already known")
    assert crm.get(zoe.id).company == "Changed"
    restored = import_file(crm, backup, update=True)
    assert restored.rows[-1].action == "updated"
    assert crm.get(zoe.id).company is None  # the backup's version
    assert len(crm.history(zoe.id)) == 3  # created, note, edited: nothing lost


def test_bad_backups_are_refused(tmp_path: Path, store: CRM) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format": "socialcrm", "v": 99, "prospects": []}', encoding="utf-8")
    with pytest.raises(ImportFormatError, match="version 99"):
        import_file(store, path)
    path.write_text('{"format": "socialcrm", "v": 1, "prospects": [{"x": 1}]}', encoding="utf-8")
    report = import_file(store, path)
    assert report.rows[0].action == "invalid"
    path.write_text(
        '{"format": "socialcrm", "v": 1, "meta": {"channel_limits": {"x.dm": "abc"}}}',
        encoding="utf-8",
    )
    report = import_file(store, path)
    assert [(r.row, r.action) for r in report.rows] == [(1, "invalid")]
    assert store.repository.get_meta("channel_limits") is None


def test_a_number_where_text_belongs_is_an_invalid_row_not_text(tmp_path: Path, store: CRM) -> None:
    """A hand-edited backup: "company": 12 was stored as the text "12"."""
    store.add("Zoé Durand", company="Acme")
    backup = _export(store)
    backup["prospects"][0]["prospect"]["company"] = 12  # type: ignore[index]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(backup), encoding="utf-8")
    fresh = CRM(open_repository(tmp_path / "fresh"), get_plugin_manager(), clock=FrozenClock())
    report = import_file(fresh, path)
    bad = [r for r in report.rows if r.action == "invalid"]
    assert [(r.field, r.reason) for r in bad] == [
        ("company", "invalid prospect document: expected text, got a number @ $.company")
    ]
    assert fresh.repository.count("default") == 0
    fresh.close()


def test_restore_into_a_fresh_store_keeps_the_default_pipelines_settings(tmp_path: Path) -> None:
    source = CRM(open_repository(tmp_path / "a"), get_plugin_manager(), clock=FrozenClock())
    source.update_pipeline_settings({"stage_limits": {"identify": 3}, "k": "é"})
    source.add("Zoé Martin", emails=["zoe@example.com"])
    backup = tmp_path / "backup.json"
    export_prospects(source, source.exporters()["json"], backup)

    target = CRM(open_repository(tmp_path / "b"), get_plugin_manager(), clock=FrozenClock())
    target.init()  # what 'socialcrm init' (or any first command) does: an empty 'default'
    report = import_file(target, backup)
    assert report.counts()["skipped"] == 0
    assert target.pipeline.settings == source.pipeline.settings
    restored, original = snapshot(target), snapshot(source)
    assert restored.pop("pipelines")[0]["settings"] == original.pop("pipelines")[0]["settings"]
    assert restored == original  # every prospect with its events


def test_restore_never_overwrites_a_configured_pipeline_without_update(tmp_path: Path) -> None:
    source = CRM(open_repository(tmp_path / "a"), get_plugin_manager(), clock=FrozenClock())
    source.update_pipeline_settings({"k": "from backup"})
    backup = tmp_path / "backup.json"
    export_prospects(source, source.exporters()["json"], backup)

    target = CRM(open_repository(tmp_path / "b"), get_plugin_manager(), clock=FrozenClock())
    target.update_pipeline_settings({"k": "mine"})
    report = import_file(target, backup)
    assert report.counts()["skipped"] == 1
    assert target.pipeline.settings == {"k": "mine"}
