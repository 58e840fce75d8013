"""Fixtures for the privacy features: a CRM on a frozen clock with a small test network."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from socialcrm import CRM, MemoryRepository, hookimpl
from socialcrm.networks import NetworkAdapter
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

from ..cli.conftest import testnet


class _Net:
    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(testnet())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def crm(clock: FrozenClock) -> CRM:
    pm = get_plugin_manager(entrypoints=False, plugins=[_Net()])
    return CRM(MemoryRepository(), pm, clock=clock, actor="rep")
