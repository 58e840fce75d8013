"""The contract suite on the in-memory repository."""

from collections.abc import Iterator

import pytest

from socialcrm.repository import MemoryRepository
from socialcrm.testing.contract import RepositoryContract


class TestMemoryRepository(RepositoryContract):
    @pytest.fixture
    def repository(self) -> Iterator[MemoryRepository]:
        yield MemoryRepository()
