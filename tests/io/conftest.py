"""Fixtures of the import/export tests: a CRM over the real TinyDB store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path, clock: FrozenClock) -> Iterator[CRM]:
    """A CRM over the real TinyDB store, installed plugins and built-ins."""
    crm = CRM(open_repository(store_path), get_plugin_manager(), clock=clock, actor="rep")
    yield crm
    crm.close()
