"""Done-when: after an erasure (and a merge's loser, and a pipeline delete) not one
byte of the store directory or its backups names the person — in any encoding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import cli, leaks

NAME = "Zoéline Quarrington"
EMAIL = "zoeline.quarrington@examplecorp.fr"
HANDLE = "zoelinequarrington"
URL = f"https://www.linkedin.com/in/{HANDLE}"
PHONE = "+33612345678"
SECRET_NOTE = "prefers-xylophone-meetings"
PERSON = [NAME, "Zoéline", "Quarrington", EMAIL, HANDLE, URL, PHONE, SECRET_NOTE]

CONNECTIONS = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    f"Zoéline,Quarrington,{URL},{EMAIL},Acme,CTO,08 Jul 2025\n"
    "Bob,Keeper,https://www.linkedin.com/in/bobkeeper,bob@keeper.example,Keep,CEO,09 Jul 2025\n"
)


def _ok(result: object) -> None:
    assert result.returncode == 0, result.stderr


def _fill(env: dict[str, str], tmp_path: Path) -> Path:
    """A store where the person is everywhere: imported, edited, noted, messaged,
    in several backups and a pre-restore archive."""
    connections = tmp_path / "Connections.csv"
    connections.write_text(CONNECTIONS, encoding="utf-8")
    _ok(cli(env, "import", str(connections)))
    _ok(cli(env, "edit", EMAIL, "--add-phone", PHONE, "--set", "title=Chief"))
    _ok(cli(env, "note", EMAIL, f"met at the fair, {SECRET_NOTE}"))
    _ok(cli(env, "message", EMAIL, "--sent", f"Hello {NAME}, about {SECRET_NOTE}"))
    _ok(cli(env, "backup"))
    _ok(cli(env, "edit", EMAIL, "--set", "company=Acme Corp"))
    _ok(cli(env, "backup"))
    _ok(cli(env, "restore", "--yes"))  # leaves a pre-restore archive holding them too
    return connections


def test_rm_leaves_no_byte_of_the_person(env: dict[str, str], tmp_path: Path) -> None:
    store = Path(env["SOCIALCRM_DB"])
    _fill(env, tmp_path)
    assert leaks(PERSON, store)  # the test can fail: they are there before
    result = cli(env, "rm", EMAIL, "--yes", "--format", "json")
    _ok(result)
    done = json.loads(result.stdout)
    assert done["erased"] == 1 and done["backups_rewritten"] >= 3
    assert leaks(PERSON, store) == []
    # the other person is still there, in the store and the backups
    assert leaks(["Keeper"], store)
    listed = json.loads(cli(env, "list", "--format", "json").stdout)
    assert [p["name"] for p in listed] == ["Bob Keeper"]


def test_erase_twice_is_harmless(env: dict[str, str], tmp_path: Path) -> None:
    _fill(env, tmp_path)
    _ok(cli(env, "privacy", "erase", EMAIL, "--yes"))
    again = cli(env, "privacy", "erase", EMAIL, "--yes", "--format", "json")
    _ok(again)
    assert json.loads(again.stdout)["erased"] == 0
    log = json.loads(cli(env, "privacy", "log", "--format", "json").stdout)
    assert [(e["reason"], e["pipeline"], e["ref"]) for e in log] == [
        ("erase", "default", "Z••• Q•••")
    ]
    assert leaks(PERSON, Path(env["SOCIALCRM_DB"])) == []


def test_merge_loser_leaves_no_byte(env: dict[str, str], tmp_path: Path) -> None:
    store = Path(env["SOCIALCRM_DB"])
    _fill(env, tmp_path)
    _ok(cli(env, "add", "Zed Duplicate-Ghostname", "--email", "zed.dup@ghost.example"))
    _ok(cli(env, "note", "zed.dup@ghost.example", "ghostly-secret-remark"))
    _ok(cli(env, "backup"))
    loser = json.loads(cli(env, "show", "zed.dup@ghost.example", "--format", "json").stdout)
    _ok(cli(env, "merge", EMAIL, "zed.dup@ghost.example"))
    # the loser's record is gone from the store and every backup: its name nowhere
    # (masked in the ``merged`` event), its id only in that event's pointer; what
    # was merged (its e-mail, its note) now belongs to the kept prospect
    assert leaks(["Duplicate-Ghostname"], store) == []
    assert leaks([loser["id"]], store / "backups") == []
    history = json.loads(cli(env, "history", EMAIL, "--format", "json").stdout)
    assert "Z••• D•••" in json.dumps(history, ensure_ascii=False)


def test_pipeline_delete_leaves_no_byte(env: dict[str, str], tmp_path: Path) -> None:
    store = Path(env["SOCIALCRM_DB"])
    _ok(cli(env, "pipeline", "create", "doomed"))
    env2 = dict(env, SOCIALCRM_PIPELINE="doomed")
    _fill(env2, tmp_path)
    _ok(cli(env, "add", "Stays Elsewhere", "--email", "stays@else.example"))
    _ok(cli(env, "backup"))
    result = cli(env, "pipeline", "delete", "doomed", "--yes", "--format", "json")
    _ok(result)
    assert json.loads(result.stdout)["erased"] == 2
    assert leaks([*PERSON, "Keeper"], store) == []
    assert leaks(["Stays Elsewhere"], store)
    log = json.loads(cli(env, "privacy", "log", "--format", "json").stdout)
    assert {e["reason"] for e in log} == {"pipeline-delete"}


def test_a_backup_copied_elsewhere_restores_without_them(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Restore re-applies the erasures made after the backup was taken (the journal)."""
    store = Path(env["SOCIALCRM_DB"])
    _fill(env, tmp_path)
    outside = tmp_path / "usb"
    outside.mkdir()
    newest = sorted((store / "backups").glob("backup-*.tar.gz"))[-1]
    copy = outside / newest.name
    shutil.copy(newest, copy)
    _ok(cli(env, "privacy", "object", EMAIL, "--yes"))
    assert leaks(PERSON, store) == []
    result = cli(env, "restore", str(copy), "--yes", "--format", "json")
    _ok(result)
    assert json.loads(result.stdout)["erased_again"] == 1
    listed = json.loads(cli(env, "list", "--format", "json").stdout)
    assert [p["name"] for p in listed] == ["Bob Keeper"]
    assert leaks(PERSON, store) == []


def test_purge_of_expired_data_leaves_no_byte(env: dict[str, str], tmp_path: Path) -> None:
    """``privacy purge --expired`` goes through the same wipe path: store and backups."""
    from datetime import UTC, datetime

    from socialcrm import CRM
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository
    from socialcrm.testing import FrozenClock

    store = Path(env["SOCIALCRM_DB"])
    clock = FrozenClock(datetime(2022, 3, 1, 9, 0, tzinfo=UTC))  # collected over 3 years ago
    crm = CRM(open_repository(store), get_plugin_manager(entrypoints=False), clock=clock)
    try:
        gone = crm.add(NAME, emails=[EMAIL], phones=[PHONE], url=URL)
        crm.add_note(gone.id, SECRET_NOTE)
        crm.log_message(gone.id, "hello", received=False)  # the rep's: moves no clock
        clock.now = datetime.now(UTC)
        crm.add("Bob Keeper", emails=["bob@keeper.example"])  # collected today: kept
    finally:
        crm.close()
    _ok(cli(env, "backup"))
    assert leaks(PERSON, store)  # the test can fail: they are there before
    done = json.loads(cli(env, "privacy", "purge", "--expired", "--yes", "--format", "json").stdout)
    assert [r["name"] for r in done["erased"]] == [NAME]
    assert leaks(PERSON, store) == []
    assert leaks(["Keeper"], store)
    log = json.loads(cli(env, "privacy", "log", "--format", "json").stdout)
    assert [entry["reason"] for entry in log] == ["expiry"]
    # expiry is not an objection: the person may be collected again
    _ok(cli(env, "add", NAME, "--email", EMAIL))
