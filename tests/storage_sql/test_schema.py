"""The SQL store's schema: Alembic revisions, upgrades, and refusing the wrong schema."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from socialcrm.errors import SchemaVersionError, StoreError
from socialcrm.repository import Query
from socialcrm.storage import open_repository
from socialcrm.storage.sql import schema
from socialcrm.storage.sql.migrate import SchemaStatus
from socialcrm.storage.sql.upgrade import database_status, upgrade_database
from socialcrm.testing.contract import make_prospect

from .cli import clean_env, run
from .pg import ScratchDatabase, admin_url, connection, execute


@pytest.fixture
def empty_pg(pg_database: ScratchDatabase) -> Iterator[str]:
    """A second database of this session, without any table; dropped after the test."""
    database = ScratchDatabase.create(admin_url())
    try:
        yield database.url
    finally:
        database.drop()


def _tables(url: str) -> set[str]:
    with connection(url) as conn:
        return set(inspect(conn).get_table_names())


def test_the_code_knows_every_revision_in_order() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from socialcrm.storage.sql.migrate import SCRIPT_LOCATION

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    script = ScriptDirectory.from_config(config)
    ordered = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(ordered) == schema.REVISIONS
    assert script.get_current_head() == schema.HEAD


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_the_migrated_database_is_the_schema_the_code_uses(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    open_repository(url).close()  # a new SQLite file is upgraded when opened
    with connection(url) as conn:
        options = {"compare_type": True, "version_table": schema.VERSION_TABLE}
        context = MigrationContext.configure(conn, opts=options)
        assert compare_metadata(context, schema.metadata) == []


def test_states() -> None:
    assert SchemaStatus(None).state == "missing"
    assert SchemaStatus(schema.HEAD).state == "current"
    assert SchemaStatus("0001", head="0002").state == "older"
    assert SchemaStatus("0099").state == "newer"
    assert SchemaStatus("abc123").state == "unknown"


def test_a_database_never_upgraded_is_refused_then_upgraded(empty_pg: str) -> None:
    with pytest.raises(StoreError, match="no socialcrm tables") as info:
        open_repository(empty_pg)
    assert "socialcrm db upgrade" in str(info.value)
    assert _tables(empty_pg) == set()  # PostgreSQL is never changed silently
    result = run(clean_env(SOCIALCRM_DB=empty_pg), "list")
    assert result.returncode == 6 and "run 'socialcrm db upgrade'" in result.stderr
    before, after = upgrade_database(empty_pg)
    assert (before.state, after.state) == ("missing", "current")
    open_repository(empty_pg).close()


def test_two_upgrades_at_once_both_succeed(empty_pg: str) -> None:
    results: list[object] = []

    def upgrade() -> None:
        try:
            results.append(upgrade_database(empty_pg)[0].state)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=upgrade) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results)) == ["current", "missing"]


def test_a_failed_upgrade_leaves_the_database_as_it_was(empty_pg: str) -> None:
    execute(empty_pg, "CREATE TABLE socialcrm_events (id text)")  # in the way of revision 0001
    result = run(clean_env(SOCIALCRM_DB=empty_pg), "db", "upgrade")
    assert result.returncode == 6, result.stderr
    assert _tables(empty_pg) == {"socialcrm_events"}
    assert database_status(empty_pg).state == "missing"


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_newer_schema_is_refused_untouched(backend: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    repo = open_repository(url)
    repo.put(make_prospect("01AAA"))
    repo.close()
    execute(url, f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'")
    with pytest.raises(SchemaVersionError) as info:
        open_repository(url)
    assert info.value.found == 99 and "upgrade socialcrm" in str(info.value)
    env = clean_env(SOCIALCRM_DB=url)
    for command in (["list"], ["db", "upgrade"]):
        result = run(env, *command)
        assert result.returncode == 6 and "schema version 99" in result.stderr, result.stderr
    assert database_status(url).revision == "0099"
    execute(url, f"UPDATE {schema.VERSION_TABLE} SET version_num = '{schema.HEAD}'")
    again = open_repository(url)
    assert again.get("01AAA") is not None
    again.close()


def test_a_new_sqlite_file_is_private_and_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "team" / "crm.db"
    repo = open_repository(f"sqlite:///{path}")
    try:
        assert repo.created  # type: ignore[union-attr]
        repo.put(make_prospect("01AAA"))
    finally:
        repo.close()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    for file in path.parent.iterdir():  # crm.db and SQLite's -wal/-shm beside it
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert database_status(f"sqlite:///{path}").state == "current"


def test_an_existing_sqlite_file_is_not_upgraded_silently(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    execute(f"sqlite:///{path}", "CREATE TABLE theirs (x integer)")
    os.chmod(path, 0o600)  # noqa: PTH101
    with pytest.raises(StoreError, match="no socialcrm tables"):
        open_repository(f"sqlite:///{path}")
    assert _tables(f"sqlite:///{path}") == {"theirs"}


def _migrate(url: str, revision: str) -> None:
    """Bring the database at ``url`` down (or up) to ``revision`` with Alembic, as an old
    socialcrm would have left it."""
    from alembic import command
    from alembic.config import Config

    from socialcrm.storage.sql.migrate import SCRIPT_LOCATION

    with connection(url) as conn:
        config = Config()
        config.set_main_option("script_location", SCRIPT_LOCATION)
        config.attributes["connection"] = conn
        if schema.REVISIONS.index(revision) < schema.REVISIONS.index(schema.HEAD):
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)
        conn.commit()


def _indexes(url: str) -> set[str]:
    with connection(url) as conn:
        return {str(i["name"]) for i in inspect(conn).get_indexes("socialcrm_prospects")}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_database_of_revision_0001_is_upgraded_with_its_owners(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """A team's database from before the owner index: refused until ``db upgrade``, then
    the same prospects, owners and events, and ``list --owner`` on the index."""
    url = request.getfixturevalue("pg_url" if backend == "postgresql" else "sqlite_url")
    repo = open_repository(url)
    try:
        repo.put(make_prospect("01AAA", "Ann Lee", owner="lea"))
        repo.put(make_prospect("01BBB", "Bob Roe", owner="max"))
        repo.put(make_prospect("01CCC", "Cyd Poe"))
    finally:
        repo.close()
    _migrate(url, "0001")
    assert "socialcrm_prospects_owner" not in _indexes(url)
    env = clean_env(SOCIALCRM_DB=url, SOCIALCRM_USER="lea")
    refused = run(env, "list", "--mine")
    assert refused.returncode == 6 and "socialcrm db upgrade" in refused.stderr
    upgraded = run(env, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert database_status(url).state == "current"
    assert "socialcrm_prospects_owner" in _indexes(url)
    mine = run(env, "list", "--mine", "--format", "json")
    assert mine.returncode == 0, mine.stderr
    import json

    assert [p["name"] for p in json.loads(mine.stdout)] == ["Ann Lee"]
    repo = open_repository(url)
    try:
        owners = {p.id: p.owner for p in repo.query(Query())}
    finally:
        repo.close()
    assert owners == {"01AAA": "lea", "01BBB": "max", "01CCC": None}
