"""The unit of work (socialcrm.recording): one transaction, plugins told after the commit.

On the real TinyDB store where it matters (what another process sees), with
the real plugin manager and plugins registered as a host would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from socialcrm import CRM, hookimpl
from socialcrm.errors import ValidationError
from socialcrm.models import Event, Note, Prospect, StageChanged
from socialcrm.plugins import get_plugin_manager
from socialcrm.recording import Recording
from socialcrm.repository import MemoryRepository, Repository
from socialcrm.rules import RuleRegistry
from socialcrm.stages import Stage
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


class Listener:
    """Remembers each event it hears of, and what another reader of the store saw then."""

    def __init__(self, store: Path | None = None) -> None:
        self.store = store
        self.told: list[tuple[str, str | None]] = []
        self.visible: list[bool] = []

    @hookimpl
    def on_event(self, event: Event, prospect: Prospect | None) -> None:
        self.told.append((event.kind.value, prospect.name if prospect else None))
        if self.store is not None:  # another process's view: only what is committed
            other = open_repository(self.store)
            try:
                self.visible.append(event.id in {e.id for e in other.events(event.prospect_id)})
            finally:
                other.close()


def make_crm(repository: Repository, *plugins: object) -> CRM:
    manager = get_plugin_manager(builtins=False, plugins=plugins)
    return CRM(repository, manager, clock=FrozenClock(), rules=RuleRegistry(), actor="rep")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_plugins_are_told_after_the_commit(store: Path) -> None:
    listener = Listener(store)
    crm = make_crm(open_repository(store), listener)
    try:
        ana = crm.add("Ana Lima", note="met at the fair")
        crm.move(ana.id, Stage.IDENTIFY)
    finally:
        crm.close()
    assert [kind for kind, _ in listener.told] == ["created", "note", "stage_changed"]
    assert listener.visible == [True, True, True]


def test_nested_units_of_work_tell_once_after_the_outer_commit(store: Path) -> None:
    listener = Listener(store)
    crm = make_crm(open_repository(store), listener)
    try:
        with crm.recording.transaction():
            ana = crm.add("Ana Lima")
            crm.add_note(ana.id, "first call")
            with crm.recording.transaction() as recorder:
                recorder.record(crm.get(ana.id), [Note("second call")])
            assert listener.told == []  # nothing is told before the outer commit
        assert [kind for kind, _ in listener.told] == ["created", "note", "note"]
        assert listener.visible == [True, True, True]
    finally:
        crm.close()


def test_a_rolled_back_unit_of_work_writes_nothing_and_tells_nothing(store: Path) -> None:
    listener = Listener()
    crm = make_crm(open_repository(store), listener)
    try:
        with pytest.raises(ValidationError), crm.recording.transaction():
            crm.add("Ana Lima")
            crm.add("")  # refused: no name
        assert crm.query() == [] and listener.told == []
        crm.add("Bob Roe")  # the next unit of work starts clean
        assert listener.told == [("created", "Bob Roe")]
    finally:
        crm.close()


def test_events_share_a_time_and_ids_from_the_clock() -> None:
    clock = FrozenClock()
    crm = CRM(MemoryRepository(), get_plugin_manager(builtins=False), clock=clock, actor="rep")
    ana = crm.add("Ana Lima", note="hello")
    created, note = crm.history(ana.id)
    assert created.at == note.at == ana.created_at == clock.now
    assert created.id < note.id and created.actor == note.actor == "rep"
    assert crm.recording.new_id(clock.now) > note.id


def test_erasing_tells_an_unstored_event(store: Path) -> None:
    listener = Listener()
    crm = make_crm(open_repository(store), listener)
    try:
        ana = crm.add("Ana Lima")
        crm.delete(ana.id)
        assert listener.told[-1] == ("erased", None)
        assert crm.repository.get(ana.id) is None and crm.repository.events(ana.id) == []
    finally:
        crm.close()


class ReadBackProbe:
    """A bulk write's read-back: what it was asked, in order."""

    def __init__(self, told: list[tuple[Prospect | None, list[Event]]]) -> None:
        self.told = told
        self.calls: list[str] = []

    def read_back(self) -> Iterator[tuple[Prospect | None, list[Event]]]:
        self.calls.append("read_back")
        yield from self.told

    def close(self) -> None:
        self.calls.append("close")


def test_a_read_back_is_told_in_order_then_closed() -> None:
    listener = Listener()
    crm = make_crm(MemoryRepository(), listener)
    ana = crm.add("Ana Lima")
    (created,) = crm.history(ana.id)
    probe = ReadBackProbe([(ana, [created])])
    with crm.recording.transaction() as recorder:
        recorder.record(ana, [Note("before")])
        recorder.tell_later(probe)
        recorder.record(ana, [Note("after")])
    assert [kind for kind, _ in listener.told] == ["created", "note", "created", "note"]
    assert probe.calls == ["read_back", "close"]


def test_a_read_back_is_closed_on_rollback() -> None:
    crm = make_crm(MemoryRepository())
    probe = ReadBackProbe([])
    with pytest.raises(RuntimeError), crm.recording.transaction() as recorder:
        recorder.tell_later(probe)
        raise RuntimeError("boom")
    assert probe.calls == ["close"]


def test_record_needs_a_prospect_or_its_id() -> None:
    crm = make_crm(MemoryRepository())
    with pytest.raises(ValueError, match="prospect"), crm.recording.transaction() as recorder:
        recorder.record(None, [Note("orphan")])


def test_a_host_builds_its_own_recording() -> None:
    """The unit of work is usable without the facade (docs/embedding.md)."""
    from socialcrm.hooks import Hooks

    repository = MemoryRepository()
    listener = Listener()
    recording = Recording(
        repository,
        Hooks(get_plugin_manager(builtins=False, plugins=[listener])),
        clock=FrozenClock(),
    )
    ana = Prospect(id=recording.new_id(recording.now()), name="Ana Lima")
    with recording.transaction() as recorder:
        done = recorder.record(ana, [Note("imported from the host")])
    assert repository.get(ana.id) == ana
    assert [e.payload for e in repository.events(ana.id)] == [Note("imported from the host")]
    assert done.events == repository.events(ana.id) and listener.told == [("note", "Ana Lima")]


class Interleaved:
    """A repository letting another rep act just before this CRM's next transaction."""

    def __init__(self, inner: Repository) -> None:
        self.inner = inner
        self.before_next: Any = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        action, self.before_next = self.before_next, None
        if action is not None:
            action()
        with self.inner.transaction():
            yield


def test_advance_chooses_its_target_inside_its_transaction() -> None:
    """Two reps advance the same prospect: each moves it one stage from where it *is*."""
    shared = MemoryRepository()
    mine = Interleaved(shared)
    rep_a, rep_b = make_crm(mine), make_crm(shared)  # type: ignore[arg-type]
    ana = rep_a.add("Ana Lima")
    mine.before_next = lambda: rep_b.advance(ana.id)  # B moves her to identify first
    assert rep_a.advance(ana.id).stage is Stage.NOTORIETY
    moves = [e.payload for e in rep_a.history(ana.id) if isinstance(e.payload, StageChanged)]
    assert sorted((m.from_stage, m.to_stage) for m in moves) == [
        (Stage.PROFILE, Stage.IDENTIFY),
        (Stage.IDENTIFY, Stage.NOTORIETY),
    ]
