"""Erasing a prospect keeps nothing and tells sync plugins to erase it too."""

from __future__ import annotations

from typing import Any

from socialcrm import CRM, MemoryRepository
from socialcrm.hookspecs import hookimpl
from socialcrm.models import EventKind
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[EventKind, str, Any]] = []

    @hookimpl
    def on_event(self, event: Any, prospect: Any) -> None:
        self.seen.append((event.kind, event.prospect_id, prospect))


def test_delete_erases_history_and_notifies_plugins() -> None:
    recorder = _Recorder()
    pm = get_plugin_manager(entrypoints=False, plugins=[recorder])
    crm = CRM(MemoryRepository(), pm, clock=FrozenClock())
    p = crm.add("Zoé Durand", emails=["zoe@example.fr"], note="met at a fair")
    crm.delete(p.id)

    assert crm.repository.get(p.id) is None
    assert crm.repository.events(p.id) == []
    assert crm.repository.find_by_email(crm.pipeline_name, "zoe@example.fr") == []
    kind, pid, prospect = recorder.seen[-1]
    assert (kind, pid, prospect) == (EventKind.ERASED, p.id, None)
