"""Fixtures for the playbook: a small test network registered through a real plugin."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from socialcrm import CRM, MemoryRepository, hookimpl
from socialcrm.errors import InvalidURLError
from socialcrm.models import Identity
from socialcrm.networks import Channel, ChecklistItem, NetworkAdapter, check_profile_url
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock


class TestNet:
    """A network at testnet.example: profiles are https://testnet.example/HANDLE."""

    id = "testnet"
    name = "TestNet"
    domains = ("testnet.example",)
    channels: Mapping[str, Channel] = {
        "note": Channel("note", "Invitation note", 50),
        "dm": Channel("dm", "Direct message", 1000),
    }
    checklist: Sequence[ChecklistItem] = (
        ChecklistItem("photo", "A professional photo", "people answer faces"),
        ChecklistItem("headline", "A headline naming the problem you solve", "it follows you"),
    )

    def parse(self, text: str) -> Identity:
        if "://" not in text and "/" not in text:
            handle = text.strip().lower()
        else:
            parts = check_profile_url(text, self.domains, network=self.id)
            handle = parts.path.strip("/").lower()
        if not handle or "/" in handle:
            raise InvalidURLError(text, "not a profile", network=self.id)
        return Identity(self.id, handle, self.profile_url(handle))

    def profile_url(self, handle: str) -> str:
        return f"https://testnet.example/{handle}"


class TestNetPlugin:
    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(TestNet())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def crm(clock: FrozenClock) -> Iterator[CRM]:
    """In memory, the test network plus the built-in plugins (the playbook's rule)."""
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])
    instance = CRM(MemoryRepository(), pm, clock=clock, actor="rep")
    yield instance
    instance.close()


@pytest.fixture
def disk_crm(clock: FrozenClock, tmp_path: Path) -> Iterator[CRM]:
    """The same on the real TinyDB store."""
    from socialcrm.storage import open_repository

    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])
    instance = CRM(open_repository(tmp_path / "store"), pm, clock=clock, actor="rep")
    yield instance
    instance.close()
