"""Fixtures of the storage tests: real stores in tmp_path, the real plugin manager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.storage.tinydb import TinyDBRepository

from .helpers import populate


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def healthy(store_path: Path) -> Path:
    """A store of 12 prospects, each with an identity, an e-mail and two events."""
    repo = open_repository(store_path)
    populate(repo, 12)
    repo.close()
    return store_path


@pytest.fixture
def repo(store_path: Path) -> Iterator[TinyDBRepository]:
    repository = open_repository(store_path)
    yield repository
    repository.close()


@pytest.fixture
def crm(store_path: Path) -> Iterator[CRM]:
    facade = CRM(open_repository(store_path), get_plugin_manager(entrypoints=False))
    yield facade
    facade.close()
