"""pytest fixtures: a fresh plugin manager, a frozen clock, a CRM in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from socialcrm.crm import CRM
from socialcrm.hooks import Hooks
from socialcrm.networks import NetworkRegistry
from socialcrm.plugins import SocialPluginManager, get_plugin_manager
from socialcrm.repository import MemoryRepository

__all__ = ["FrozenClock", "crm", "frozen_clock", "network_registry", "plugin_manager"]


class FrozenClock:
    """A clock that only moves when told to (``advance``)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def plugin_manager() -> Iterator[SocialPluginManager]:
    """The installed plugins (entry points) plus built-ins, fresh for each test."""
    yield get_plugin_manager()


@pytest.fixture
def network_registry(plugin_manager: SocialPluginManager) -> NetworkRegistry:
    """The networks registered by the installed plugins (``register_networks``)."""
    return Hooks(plugin_manager).networks


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def crm(plugin_manager: SocialPluginManager, frozen_clock: FrozenClock) -> Iterator[CRM]:
    """A CRM over an in-memory repository with a frozen clock."""
    instance = CRM(MemoryRepository(), plugin_manager, clock=frozen_clock, actor="tester")
    yield instance
    instance.close()
