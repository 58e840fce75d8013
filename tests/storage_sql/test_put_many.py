"""A batch (``put_many``, in a few statements per chunk) ends as ``put`` one by one would.

The reference is :class:`~socialcrm.repository.MemoryRepository`: the same
stored prospects, the same batch written one ``put`` at a time; both must
refuse the same batches (same identity, same owner) and otherwise hold the same
prospects, identity owners and e-mail matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcrm.errors import DuplicateIdentityError
from socialcrm.models import Identity, Prospect
from socialcrm.repository import MemoryRepository, Query, Repository
from socialcrm.stages import Stage
from socialcrm.storage import open_repository
from socialcrm.storage.sql.repository import SQLRepository
from socialcrm.testing.contract import li, make_prospect

STORED = [f"01P{i:05d}" for i in range(6)]
HANDLES = ["a", "b", "c", "d"]
EMAILS = ["x@example.org", "Y@example.org", "z@example.org"]


def _stored() -> list[Prospect]:
    return [
        make_prospect(pid, identities=[li(HANDLES[i % 3])] if i < 3 else [], emails=[EMAILS[i % 3]])
        for i, pid in enumerate(STORED)
    ]


def _x(handle: str) -> Identity:
    return Identity("x", handle, f"https://x.com/{handle}")


prospects = st.builds(
    lambda pid, stage, pipeline, linkedin, x, emails: make_prospect(
        pid,
        f"Name {pid}",
        stage=stage,
        pipeline=pipeline,
        identities=([li(linkedin)] if linkedin else []) + ([_x(x)] if x else []),
        emails=sorted(emails),
    ),
    st.sampled_from([*STORED, "01N00000", "01N00001"]),
    st.sampled_from(list(Stage)),
    st.sampled_from(["default", "other"]),
    st.sampled_from([None, *HANDLES]),
    st.sampled_from([None, *HANDLES]),
    st.sets(st.sampled_from(EMAILS), max_size=2),
)


def _state(repo: Repository) -> dict[str, Any]:
    return {
        "prospects": [p for name in ("default", "other") for p in repo.query(Query(pipeline=name))],
        "owners": {
            (name, key): getattr(repo.find_by_identity(name, key), "id", None)
            for name in ("default", "other")
            for key in [f"{network}:{h}" for network in ("linkedin", "x") for h in HANDLES]
        },
        "emails": {
            (name, e): [p.id for p in repo.find_by_email(name, e)]
            for name in ("default", "other")
            for e in EMAILS
        },
    }


def _outcome(repo: Repository, batch: list[Prospect], *, many: bool) -> object:
    try:
        if many:
            assert isinstance(repo, SQLRepository)
            repo.put_many(batch)
        else:
            with repo.transaction():
                for p in batch:
                    repo.put(p)
    except DuplicateIdentityError as exc:
        return (exc.identity_key, exc.owner_id)
    return None


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(prospects, max_size=8))
def test_a_batch_ends_as_puts_one_by_one(url: str, batch: list[Prospect]) -> None:
    reference = MemoryRepository()
    for p in _stored():
        reference.put(p)
    repo = open_repository(url)
    try:
        with repo.transaction():
            repo.delete_pipeline("default")
            repo.delete_pipeline("other")
            for p in _stored():
                repo.put(p)
        assert _outcome(repo, batch, many=True) == _outcome(reference, batch, many=False)
        assert _state(repo) == _state(reference)
    finally:
        repo.close()
