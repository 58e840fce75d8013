"""The Repository contract suite on the TinyDB store, including durability on reopen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.repository import Repository
from socialcrm.storage import open_repository
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import RepositoryContract


class TestTinyDBRepository(RepositoryContract):
    @pytest.fixture
    def repository(self, tmp_path: Path) -> Iterator[TinyDBRepository]:
        store = open_repository(tmp_path / "store")
        yield store
        store.close()

    def reopen(self, repository: Repository) -> Repository | None:
        assert isinstance(repository, TinyDBRepository)
        repository.close()
        return open_repository(repository.path)


class TestTinyDBRepositoryFewShards(RepositoryContract):
    """Two shards: many prospects share a file, exercising in-file updates."""

    @pytest.fixture
    def repository(self, tmp_path: Path) -> Iterator[TinyDBRepository]:
        store = TinyDBRepository(
            tmp_path / "store", prospect_shards=2, event_shards=2, key_shards=1, locator_shards=1
        ).open()
        yield store
        store.close()

    def reopen(self, repository: Repository) -> Repository | None:
        assert isinstance(repository, TinyDBRepository)
        return TinyDBRepository(repository.path).open()
