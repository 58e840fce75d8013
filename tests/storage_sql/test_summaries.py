"""The SQL store keeps each prospect's summary and journey in step with its record and
events (issue 23): after random operations (the TinyDB store's driver,
:func:`tests.playbook.test_summary.random_operations`, comparing ``today``,
``board``, cards, lists and the reports with their replay), after concurrent
writers, after a migration from a database that had none, and ``doctor`` notices
a row changed behind socialcrm's back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text, update

from socialcrm import CRM
from socialcrm.repository import Query
from socialcrm.storage import open_repository
from socialcrm.storage.sql.repository import SQLRepository
from socialcrm.storage.sql.schema import summaries as summary_rows
from socialcrm.summary import KeepsSummaries, reindex, summaries
from socialcrm.testing import FrozenClock
from tests.playbook.test_summary import random_operations


def _open(url: str) -> SQLRepository:
    store = open_repository(url)
    assert isinstance(store, SQLRepository) and isinstance(store, KeepsSummaries)
    return store


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_kept_summaries_equal_the_replay_after_random_operations(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if dialect == "postgresql" else "sqlite_url")
    random_operations(_open(url))


def _kept_equals_replay(store: SQLRepository) -> int:
    query = Query(pipeline="default")
    kept = dict(summaries(store, query))
    assert kept == dict(summaries(store, query, replay=True))
    return len(kept)


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_a_database_from_before_summaries_gets_them_at_the_upgrade(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    """Revision 0003 fills every prospect's row from its record and events."""
    from .test_schema import _migrate

    url = request.getfixturevalue("pg_url" if dialect == "postgresql" else "sqlite_url")
    crm = CRM(_open(url), clock=FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC)), actor="lea")
    ann = crm.add("Ann Lee")
    crm.log_message(ann.id, "Thanks, happy to chat", received=True)
    crm.move(crm.add("Bob Roe").id, "contact", force=True)
    crm.close()
    _migrate(url, "0002")
    with create_engine(_engine_url(url)).connect() as conn:
        assert "socialcrm_summaries" not in _table_names(conn)
    _migrate(url, "0003")
    store = _open(url)
    try:
        assert _kept_equals_replay(store) == 2
        (kept,) = [s for pid, s in store.summaries(Query(pipeline="default")) if pid == ann.id]
        assert kept["e"]["rx"][2] == "Thanks, happy to chat"
    finally:
        store.close()


def _engine_url(url: str) -> str:
    from socialcrm.storage.sql.engine import parse_url

    return str(parse_url(url).render_as_string(hide_password=False))


def _table_names(conn: object) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())


def test_reindex_and_doctor_on_a_row_changed_behind_socialcrm(pg_url: str) -> None:
    """A summary edited by hand: ``doctor`` names it and ``reindex`` puts it right."""
    from socialcrm.storage.sql.doctor import doctor

    crm = CRM(_open(pg_url), clock=FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC)), actor="lea")
    pid = crm.add("Ann Lee").id
    crm.add("Bob Roe")
    crm.close()
    assert not [f for f in doctor(pg_url).findings if f.code == "summaries"]
    engine = create_engine(_engine_url(pg_url))
    with engine.begin() as conn:
        conn.execute(
            update(summary_rows).values(stage="convert").where(summary_rows.c.prospect_id == pid)
        )
    engine.dispose()
    found = [f for f in doctor(pg_url).findings if f.code == "summaries"]
    assert (
        len(found) == 1 and pid in found[0].message and "socialcrm reindex" in (found[0].fix or "")
    )
    store = _open(pg_url)
    try:
        assert reindex(store) == 2
        assert _kept_equals_replay(store) == 2
    finally:
        store.close()
    assert not [f for f in doctor(pg_url).findings if f.code == "summaries"]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_a_renamed_then_deleted_pipeline_takes_its_rows_along(
    dialect: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url" if dialect == "postgresql" else "sqlite_url")
    store = _open(url)
    crm = CRM(store, clock=FrozenClock(datetime(2026, 3, 2, 9, tzinfo=UTC)), actor="lea")
    try:
        crm.init()
        crm.log_message(crm.add("Ann Lee").id, "Hello", received=True)
        crm.add("Bob Roe")
        store.rename_pipeline("default", "offer")
        query = Query(pipeline="offer")
        kept = dict(summaries(store, query))
        assert kept == dict(summaries(store, query, replay=True))
        assert {s["pl"] for s in kept.values()} == {"offer"} and len(kept) == 2
        assert not list(store.summaries(Query(pipeline="default")))
        store.delete_pipeline("offer")
        with create_engine(_engine_url(url)).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM socialcrm_summaries")).scalar() == 0
    finally:
        crm.close()
