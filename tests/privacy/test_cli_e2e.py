"""End-to-end: the installed ``socialcrm`` console script on real store directories.

The stores whose people must be old are built with the library on a frozen
clock (years ago); the console script then runs on today's clock.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from socialcrm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .test_access import _assert_valid

SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")

FIXTURES = Path(__file__).resolve().parents[1] / "io" / "fixtures"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    clean["SOCIALCRM_DB"] = str(tmp_path / "store")
    clean.pop("NO_COLOR", None)
    return clean


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def ok_json(env: dict[str, str], *args: str) -> Any:
    result = cli(env, *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _old_store(store: Path) -> None:
    """Olga collected 2023-01-10 and silent; Omar collected then, replied 2025-06-01;
    Wanda a customer since 2023."""
    clock = FrozenClock(datetime(2023, 1, 10, 9, 0, tzinfo=UTC))
    crm = CRM(open_repository(store), get_plugin_manager(entrypoints=False), clock=clock)
    try:
        crm.add("Old Olga", emails=["olga@example.fr"])
        omar = crm.add("Old Omar", emails=["omar@example.fr"])
        wanda = crm.add("Won Wanda", emails=["wanda@example.fr"])
        for stage in ("identify", "notoriety", "contact", "convert"):
            crm.move(wanda.id, stage, force=True)
        crm.win(wanda.id, force=True)
        crm.log_message(omar.id, "hello", received=False)
        clock.now = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
        crm.log_message(omar.id, "Yes, let's talk", received=True)
    finally:
        crm.close()


def test_retention_due_today_and_purge(tmp_path: Path, env: dict[str, str]) -> None:
    _old_store(tmp_path / "store")
    due = ok_json(env, "privacy", "due", "--within", "30d")
    assert [(d["name"], d["expired"]) for d in due] == [("Old Olga", True)]
    assert due[0]["expires_at"].startswith("2026-01-10")
    agenda = ok_json(env, "today")
    assert [(i["kind"], i["name"]) for i in agenda if i["kind"] == "expired"] == [
        ("expired", "Old Olga")
    ]
    dry = ok_json(env, "privacy", "purge", "--expired", "--dry-run")
    assert [r["name"] for r in dry["would_erase"]] == ["Old Olga"]
    assert cli(env, "show", "Old Olga").returncode == 0
    refused = cli(env, "privacy", "purge", "--expired")
    assert refused.returncode == 4 and "--yes" in refused.stderr
    assert cli(env, "privacy", "purge").returncode == 4  # what to purge is said explicitly
    done = ok_json(env, "privacy", "purge", "--expired", "--yes")
    assert [r["name"] for r in done["erased"]] == ["Old Olga"]
    assert cli(env, "show", "Old Olga").returncode == 3
    names = sorted(p["name"] for p in ok_json(env, "list", "--status", "open"))
    assert names == ["Old Omar"]
    assert ok_json(env, "privacy", "purge", "--expired", "--yes")["count"] == 0
    # Omar's clock runs from his reply: 2028-06-01
    (omar,) = ok_json(env, "privacy", "due", "--within", "2y")
    assert omar["runs_from"] == "their last contact"
    assert omar["expires_at"].startswith("2028-06-01")
    refused = cli(env, "privacy", "ask", "omar@example.fr")
    assert refused.returncode == 4 and "privacy config --controller" in refused.stderr
    ok_json(env, "privacy", "config", "--controller", "Acme SAS", "--contact", "dpo@acme.example")
    draft = ok_json(env, "privacy", "ask", "omar@example.fr", "--language", "en")
    assert draft["text"].startswith("Hello Old,")
    assert "Do you still want to hear from us?" in draft["text"]
    assert "Souhaitez-vous" in cli(env, "privacy", "ask", "omar@example.fr").stdout


def test_basis_source_notice_and_export(tmp_path: Path, env: dict[str, str]) -> None:
    added = cli(
        env,
        "add",
        "Jane Doe",
        "--email",
        "jane@acme.example",
        "--basis",
        "consent",
        "--source",
        "Lyon fair",
    )
    assert added.returncode == 0, added.stderr
    other = ("Bob Other", "--email", "bob@rival.example", "--note", "Bob's secret")
    assert cli(env, "add", *other).returncode == 0
    shown = ok_json(env, "show", "jane@acme.example")
    assert shown["lawful_basis"] == "consent" and shown["source"]["note"] == "Lyon fair"
    table = cli(env, "show", "jane@acme.example").stdout
    assert "lawful basis" in table and "Lyon fair" in table
    assert cli(env, "add", "X", "--basis", "whim").returncode == 4

    # a first message without the notice: logged, and said on stderr
    sent = cli(env, "message", "jane@acme.example", "--sent", "Hello Jane")
    assert sent.returncode == 0
    assert "has not had the information notice" in sent.stderr
    assert "privacy notice" in sent.stderr
    (late,) = ok_json(env, "privacy", "overdue")
    assert late["reason"] == "messaged without the notice"
    # --with-notice needs the controller
    refused = cli(env, "message", "jane@acme.example", "--sent", "Hi", "--with-notice")
    assert refused.returncode == 4 and "controller" in refused.stderr
    configured = ok_json(
        env, "privacy", "config", "--controller", "Acme SAS", "--contact", "dpo@acme.example"
    )
    assert configured["retention"] == "3y" and configured["language"] == "fr"
    with_notice = cli(env, "message", "jane@acme.example", "--sent", "Bonjour", "--with-notice")
    assert with_notice.returncode == 0, with_notice.stderr
    assert "Acme SAS" in with_notice.stdout and "notice" not in with_notice.stderr
    assert ok_json(env, "privacy", "overdue") == []
    recorded = cli(env, "privacy", "notice", "Bob Other", "--given", "--channel", "letter")
    assert recorded.returncode == 0, recorded.stderr
    kinds = [e["kind"] for e in ok_json(env, "history", "Bob Other")]
    assert kinds[-1] == "notice_given"

    # the access export, after a backup holding Jane
    assert cli(env, "backup").returncode == 0
    out = tmp_path / "jane.json"
    summary = ok_json(env, "privacy", "export", "jane@acme.example", "--out", str(out))
    assert summary["records"] == 1 and summary["backups_holding"] == 1
    for path in (out, tmp_path / "jane.html"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        body = path.read_text("utf-8")
        assert "Bob" not in body and "rival.example" not in body
    document = json.loads(out.read_text("utf-8"))
    _assert_valid(document)
    assert document["records"][0]["notice"]["with_message"] is True


def test_import_records_basis_and_source(tmp_path: Path, env: dict[str, str]) -> None:
    result = cli(
        env,
        "import",
        str(FIXTURES / "mapped.csv"),
        "--map",
        "Full name=name,Mail=email,Firm=company",
        "--basis",
        "contract",
        "--source",
        "trade fair list",
    )
    assert result.returncode == 0, result.stderr
    shown = ok_json(env, "show", "zoe.martin@example.com")
    assert shown["lawful_basis"] == "contract"
    note = shown["source"]["note"]
    assert note.startswith("trade fair list — imported from mapped.csv (")
    assert shown["source"]["collected_at"]
    bad = cli(env, "import", str(FIXTURES / "mapped.csv"), "--basis", "nope")
    assert bad.returncode == 4 and "lawful basis" in bad.stderr
    long = cli(env, "import", str(FIXTURES / "aliases.csv"), "--source", "x" * 501)
    assert long.returncode == 4 and "--source" in long.stderr
    assert cli(env, "show", "amina@globex.example").returncode == 3  # nothing written


def test_own_notice_text(tmp_path: Path, env: dict[str, str]) -> None:
    assert cli(env, "add", "Jane Doe", "--email", "jane@acme.example").returncode == 0
    own = tmp_path / "notice.en.txt"
    own.write_text("{controller} keeps {name}'s data; object: {how_to_object}\n", "utf-8")
    set_text = cli(
        env,
        "privacy",
        "config",
        "--controller",
        "Acme SAS",
        "--contact",
        "dpo@acme.example",
        "--text",
        f"notice.en={own}",
    )
    assert set_text.returncode == 0, set_text.stderr
    shown = cli(env, "privacy", "notice", "Jane Doe", "--language", "en")
    assert shown.stdout.startswith("Acme SAS keeps Jane Doe's data; object: reply STOP")
    assert ok_json(env, "privacy", "config")["texts"] == {"notice.en": own.read_text("utf-8")}
    assert cli(env, "privacy", "config", "--reset-text", "notice.en").returncode == 0
    back = cli(env, "privacy", "notice", "Jane Doe", "--language", "en")
    assert back.stdout.startswith("About your personal data (GDPR, art. 14)")
    bad = tmp_path / "bad.txt"
    bad.write_text("{controller} {unknown}", "utf-8")
    assert cli(env, "privacy", "config", "--text", f"notice.en={bad}").returncode == 0
    refused = cli(env, "privacy", "notice", "Jane Doe", "--language", "en")
    assert refused.returncode == 4 and "unknown variable {unknown}" in refused.stderr
    assert cli(env, "privacy", "config", "--text", "notice.de=x").returncode != 0
