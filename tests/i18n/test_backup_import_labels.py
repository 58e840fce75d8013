"""A backup import reports the pipelines and settings it restores in the rep's
language (whole messages, docs/languages.md); a neutral run keeps English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm import i18n
from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


@pytest.fixture
def backup(tmp_path: Path) -> Iterator[Path]:
    source = CRM(open_repository(tmp_path / "a"), get_plugin_manager(), clock=FrozenClock())
    source.set_channel_limit("linkedin", "connection_note", 200)
    source.create_pipeline("agencies", description="Web agencies")
    source.use_pipeline("agencies")  # a JSON export holds the pipeline in use
    path = tmp_path / "backup.json"
    export_prospects(source, source.exporters()["json"], path)
    yield path
    i18n.activate("en")
    i18n.set_neutral(False)


def _reasons(tmp_path: Path, backup: Path, store: str) -> dict[str, str]:
    target = CRM(open_repository(tmp_path / store), get_plugin_manager(), clock=FrozenClock())
    report = import_file(target, backup)
    return {r.name or "": r.reason for r in report.rows if r.action == "created"}


def test_restored_pipelines_and_settings_are_named_in_french(tmp_path: Path, backup: Path) -> None:
    assert _reasons(tmp_path, backup, "en") == {
        "channel_limits": "setting channel_limits",
        "agencies": "pipeline agencies",
    }
    i18n.activate("fr")
    french = _reasons(tmp_path, backup, "fr")
    assert french["channel_limits"] == "réglage channel_limits"
    assert french["agencies"] == "pipeline agencies"
    i18n.set_neutral(True)
    assert _reasons(tmp_path, backup, "neutral")["channel_limits"] == "setting channel_limits"
