"""``today --ics`` and ``agenda export --ics``: a real store, a private file, parsed back."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.cli.conftest import Run


def _uids(path: Path) -> dict[str, str]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {str(e["x-socialcrm-prospect"]): str(e["uid"]) for e in calendar.walk("VEVENT")}


def test_today_and_agenda_export_write_the_same_events(
    run: Run, jane: str, tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("message", jane, "--received", "Tell me more")
    monkeypatch.setenv("SOCIALCRM_TIMEZONE", "Europe/Paris")
    today = tmp_path / "today.ics"
    assert run("today", "--ics", str(today)).stdout == f"1 event(s) written to {today}\n"
    assert stat.S_IMODE(today.stat().st_mode) == 0o600
    (event,) = Calendar.from_ical(today.read_bytes()).walk("VEVENT")
    assert str(event["x-socialcrm-command"]) == (
        f'socialcrm --db {db} message {jane} --sent "YOUR ANSWER"'
    )
    assert event["dtstart"].dt.utcoffset().total_seconds() == 0
    exported = tmp_path / "agenda.ics"
    result = run("agenda", "export", "--ics", str(exported), "--days", "30", "--format", "json")
    assert json.loads(result.stdout) == {"file": str(exported), "events": 1}
    assert _uids(exported) == _uids(today)
    run("agenda", "export", "--ics", str(exported))  # again: the same UIDs
    assert _uids(exported) == _uids(today)


def test_a_bad_time_zone_is_an_invalid_input(
    run: Run, jane: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALCRM_TIMEZONE", "Mars/Olympus")
    failed = run("agenda", "export", "--ics", str(tmp_path / "a.ics"), code=4)
    assert "timezone must be a time zone name" in failed.stderr
    assert not (tmp_path / "a.ics").exists()
