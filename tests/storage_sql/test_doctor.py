"""``doctor`` on a database store: healthy, and each problem it must find."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.storage.sql.doctor import doctor
from socialcrm.storage.sql.schema import HEAD, schema_number

from .cli import clean_env, run
from .pg import execute


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A store with three prospects (one with an identity and an e-mail), each with events."""
    value = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    crm = CRM(open_repository(value), get_plugin_manager())
    try:
        crm.add("Zoé Durand", urls=["https://www.linkedin.com/in/zoe"], emails=["z@ex.fr"])
        crm.add("Bob Stone")
        crm.add_note("Bob Stone", "hello")
        crm.add("Ann Lee")
    finally:
        crm.close()
    yield value


def _codes(url: str) -> set[str]:
    return {f.code for f in doctor(url).problems}


def test_healthy(url: str) -> None:
    report = doctor(url)
    assert report.ok, report.findings
    assert (report.prospects, report.events, report.schema) == (3, 4, schema_number(HEAD))
    assert run(clean_env(), "--db", url, "doctor").returncode == 0


def test_a_document_edited_by_hand(url: str) -> None:
    execute(url, "UPDATE socialcrm_prospects SET stage = 'contact' WHERE doc IS NOT NULL")
    assert "columns" in _codes(url)
    result = run(clean_env(), "--db", url, "doctor")
    assert result.returncode == 6 and "disagree" in result.stdout


def test_an_invalid_document(url: str) -> None:
    execute(url, "UPDATE socialcrm_events SET doc = '{\"v\": 1}' WHERE kind = 'note'")
    assert "bad-event" in _codes(url)


def test_an_index_out_of_step(url: str) -> None:
    execute(url, "DELETE FROM socialcrm_emails")
    assert _codes(url) == {"email-index"}


def test_a_prospect_without_history(url: str) -> None:
    execute(url, "DELETE FROM socialcrm_events WHERE kind = 'created'")
    # and their summaries were folded from events no longer there
    assert _codes(url) == {"no-history", "summaries"}


def test_a_dropped_identity_key_is_reported(pg_url: str) -> None:
    execute(pg_url, "ALTER TABLE socialcrm_identities DROP CONSTRAINT socialcrm_identities_unique")
    try:
        assert _codes(pg_url) == {"identity-constraint"}
    finally:
        execute(
            pg_url,
            "ALTER TABLE socialcrm_identities "
            "ADD CONSTRAINT socialcrm_identities_unique PRIMARY KEY (pipeline, key)",
        )


def test_unreachable_and_not_upgraded(pg_url: str, sqlite_url: str) -> None:
    down = doctor(pg_url.replace(":5432", ":1"))
    assert [f.code for f in down.problems] == ["database"]
    assert "cannot use the database" in down.problems[0].message
    execute(sqlite_url, "CREATE TABLE theirs (x integer)")
    assert _codes(sqlite_url) == {"not-upgraded", "permissions"}  # made 0644 by the umask
    Path(sqlite_url.removeprefix("sqlite:///")).chmod(0o600)
    assert _codes(sqlite_url) == {"not-upgraded"}


def test_doctor_and_db_current_create_no_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    assert _codes(url) == {"connect"}
    result = run(clean_env(), "--db", url, "db", "current")
    assert result.returncode == 6 and "no database file" in result.stderr
    assert not (tmp_path / "absent.db").exists()
