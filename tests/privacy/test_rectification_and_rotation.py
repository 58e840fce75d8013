"""Rectification keeps no clear old value; backups are bounded by count and age."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcrm import CRM
from socialcrm.errors import NotFoundError
from socialcrm.models import Note
from socialcrm.privacy.rectification import edit_note, remove_note
from socialcrm.storage import open_repository
from socialcrm.storage.backups import backup, list_backups
from socialcrm.storage.doctor import doctor

from .conftest import cli, leaks


def test_an_edit_keeps_only_masked_identifying_values(tmp_path: Path) -> None:
    store = tmp_path / "s"
    crm = CRM(open_repository(store))
    p = crm.add("Jean Dupont", emails=["jean.old@example.com"], phones=["+33612345678"])
    crm.edit(
        p.id,
        set_fields={"name": "Jeanne Durand-Neuve"},
        add_emails=["jeanne@example.com"],
        rm_emails=["jean.old@example.com"],
        rm_phones=["+33612345678"],
    )
    crm.edit(p.id, add_emails=["third@example.com"], rm_emails=["jeanne@example.com"])
    edited = [e.payload for e in crm.history(p.id) if e.kind.value == "edited"]
    assert edited[0].changes["emails"] == [["j•••@example.com"], ["j•••@example.com"]]
    assert edited[0].changes["name"] == ["J••• D•••", "J••• D•••"]
    assert edited[0].changes["phones"] == [["+33•••78"], []]
    crm.close()
    # neither the old values nor the intermediate one are anywhere in the store
    assert leaks(["jean.old@example.com", "+33612345678", "Jean Dupont"], store) == []
    assert leaks(["jeanne@example.com"], store) == []


def test_note_edit_and_rm_keep_no_old_text(tmp_path: Path) -> None:
    store = tmp_path / "s"
    crm = CRM(open_repository(store))
    p = crm.add("Ana Lima", note="first-secret-wording")
    crm.add_note(p.id, "second-note")
    notes = [e for e in crm.history(p.id) if isinstance(e.payload, Note)]
    edit_note(crm, p.id, notes[0].id[:20], "corrected wording")
    remove_note(crm, p.id, notes[1].id)
    texts = [e.payload.text for e in crm.history(p.id) if isinstance(e.payload, Note)]
    assert texts == ["corrected wording"]
    assert crm.history(p.id)[-1].payload.changes == {"note": [notes[1].id, "removed"]}
    with pytest.raises(NotFoundError):
        remove_note(crm, p.id, notes[1].id)
    crm.close()
    assert leaks(["first-secret-wording", "second-note"], store) == []


def test_note_commands_e2e(env: dict[str, str]) -> None:
    assert cli(env, "add", "Ana Lima", "--note", "typo-in-this-note").returncode == 0
    history = json.loads(cli(env, "history", "Ana Lima", "--format", "json").stdout)
    note_id = next(e["id"] for e in history if e["kind"] == "note")
    done = cli(env, "note-edit", "Ana Lima", note_id[:16], "fixed note")
    assert done.returncode == 0, done.stderr
    assert cli(env, "note-rm", "Ana Lima", note_id).returncode == 0
    assert cli(env, "note-rm", "Ana Lima", note_id).returncode == 3
    assert leaks(["typo-in-this-note", "fixed note"], Path(env["SOCIALCRM_DB"])) == []


def _age(path: Path, days: int) -> Path:
    """Rename a backup as if written ``days`` ago (its name carries its date)."""
    stamp = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y%m%dT%H%M%S%fZ")
    kind, gen = path.name.split("-", 1)[0], path.name.rsplit("-g", 1)[1]
    older = path.with_name(f"{kind}-{stamp}-g{gen}")
    path.rename(older)
    return older


def test_backups_rotate_by_count_and_age(tmp_path: Path) -> None:
    store = tmp_path / "s"
    crm = CRM(open_repository(store))
    crm.add("Ana Lima")
    first, second = backup(store), backup(store)
    old, recent = _age(first, 45), _age(second, 5)
    findings = {f.code: f for f in doctor(store).findings}
    assert "30 days" in findings["backup-rotation"].message
    assert findings["backup-too-old"].path == str(old)
    newest = backup(store)
    assert [b.path for b in list_backups(store)] == [recent, newest]  # 45 days: gone
    backup(store, keep=1)
    assert len(list_backups(store)) == 1
    backup(store, max_age_days=1)
    assert all(b.created_at > datetime.now(UTC) - timedelta(days=1) for b in list_backups(store))
