"""The Repository contract suite on PostgreSQL and on SQLite, with reopening."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialcrm.repository import Repository
from socialcrm.storage import open_repository
from socialcrm.storage.sql.repository import SQLRepository
from socialcrm.testing.contract import RepositoryContract


def _reopen(repository: Repository) -> Repository:
    assert isinstance(repository, SQLRepository)
    repository.close()
    again = open_repository(repository.url)
    assert isinstance(again, SQLRepository)
    return again


class TestPostgreSQLRepository(RepositoryContract):
    @pytest.fixture
    def repository(self, pg_url: str) -> Iterator[SQLRepository]:
        store = open_repository(pg_url)
        assert isinstance(store, SQLRepository)
        yield store
        store.close()

    def reopen(self, repository: Repository) -> Repository | None:
        return _reopen(repository)


class TestSQLiteRepository(RepositoryContract):
    @pytest.fixture
    def repository(self, sqlite_url: str) -> Iterator[SQLRepository]:
        store = open_repository(sqlite_url)
        assert isinstance(store, SQLRepository)
        yield store
        store.close()

    def reopen(self, repository: Repository) -> Repository | None:
        return _reopen(repository)
