"""Any valid model comes back from PostgreSQL and SQLite exactly as it was written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.storage import open_repository
from socialcrm.storage.sql.repository import SQLRepository
from tests.strategies import events, pipelines, prospects

EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(params=["postgresql", "sqlite"])
def repo(request: pytest.FixtureRequest) -> Iterator[SQLRepository]:
    url = request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")
    store = open_repository(url)
    assert isinstance(store, SQLRepository)
    yield store
    store.close()


@EXAMPLES
@given(
    prospect=prospects,
    history=st.lists(events, max_size=3, unique_by=lambda e: e.id),
    pipeline=pipelines,
)
def test_models_round_trip(
    repo: SQLRepository, prospect: Prospect, history: list[Event], pipeline: Pipeline
) -> None:
    prospect = evolve(prospect, identities=())  # identities may clash across examples
    with repo.transaction():
        repo.put(prospect)
        repo.append_events(evolve(e, prospect_id=prospect.id) for e in history)
        repo.put_pipeline(pipeline)
        repo.set_meta("settings", pipeline.settings)
    try:
        assert repo.get(prospect.id) == prospect
        expected = sorted(
            (evolve(e, prospect_id=prospect.id) for e in history), key=lambda e: (e.at, e.id)
        )
        assert repo.events(prospect.id) == expected
        assert repo.get_pipeline(pipeline.name) == pipeline
        assert repo.get_meta("settings") == pipeline.settings
    finally:
        repo.delete(prospect.id)
        repo.delete_pipeline(pipeline.name)
