"""Random operation sequences: the SQLite repository behaves like MemoryRepository.

The contract suite checks chosen cases; this drives both backends with the same
random puts, deletes, events, pipeline changes, settings and rolled-back
transactions, and compares everything a caller can observe after each step —
including after closing and reopening the SQLite file.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from host_crm.sqlite_repository import SQLiteRepository
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from socialcrm import (
    DuplicateIdentityError,
    Event,
    Identity,
    MemoryRepository,
    Pipeline,
    Prospect,
    Query,
    Stage,
    Status,
)
from socialcrm.models import MessageReceived, Note, StageChanged

IDS = ["01AAA", "01AAB", "01ABA", "01BBB"]
PIPELINES = ["default", "other", "third"]
HANDLES = ["zoe", "ana", "bo"]
EMAILS = ["zoe@example.fr", "ZOE@example.fr", "ana@example.org"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

times = st.integers(0, 5).map(lambda n: T0 + timedelta(hours=n))
identities = st.lists(
    st.sampled_from(HANDLES).map(lambda h: Identity("forum", h, f"https://f.example/u/{h}")),
    max_size=1,
)
prospects = st.builds(
    Prospect,
    id=st.sampled_from(IDS),
    name=st.sampled_from(["Zoé Durand", "Ana Lima", "王小明"]),
    pipeline=st.sampled_from(PIPELINES),
    emails=st.lists(st.sampled_from(EMAILS), max_size=2),
    identities=identities,
    tags=st.lists(st.sampled_from(["vip", "lyon"]), max_size=2),
    stage=st.sampled_from(list(Stage)),
    status=st.sampled_from(list(Status)),
    owner=st.sampled_from([None, "rep1"]),
    created_at=times,
    updated_at=times,
)
payloads = st.one_of(
    st.builds(Note, st.sampled_from(["a", "b"])),
    st.builds(MessageReceived, st.just("yes")),
    st.builds(StageChanged, st.sampled_from(list(Stage)), st.sampled_from(list(Stage))),
)


class SameAsMemory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "host.db"
        self.sql = SQLiteRepository(self.path)
        self.mem = MemoryRepository()
        self.event_no = 0

    def both(self, op: str, *args: Any) -> None:
        """Apply ``op`` to both; they must agree on success or the error type."""
        outcomes: list[tuple[type[Exception], str, str] | None] = []
        for repo in (self.mem, self.sql):
            try:
                getattr(repo, op)(*args)
                outcomes.append(None)
            except DuplicateIdentityError as exc:
                outcomes.append((type(exc), exc.identity_key, exc.owner_id))
        assert outcomes[0] == outcomes[1], (op, outcomes)

    @rule(p=prospects)
    def put(self, p: Prospect) -> None:
        self.both("put", p)

    @rule(pid=st.sampled_from(IDS))
    def delete(self, pid: str) -> None:
        self.both("delete", pid)

    @rule(pid=st.sampled_from(IDS), payload=payloads, at=times, pipeline=st.sampled_from(PIPELINES))
    def append_event(self, pid: str, payload: Any, at: datetime, pipeline: str) -> None:
        self.event_no += 1
        event = Event(f"E{self.event_no:04d}", pid, at, payload, "rep1", pipeline)
        self.both("append_event", event)

    @rule(a=st.sampled_from(IDS), b=st.sampled_from(IDS))
    def move_events(self, a: str, b: str) -> None:
        if a != b:
            self.both("move_events", a, b)

    @rule(name=st.sampled_from(PIPELINES), description=st.sampled_from(["", "offer"]))
    def put_pipeline(self, name: str, description: str) -> None:
        self.both("put_pipeline", Pipeline(name, T0, description, {"k": [1, "x"]}))

    @precondition(lambda self: bool(self.mem.list_pipelines()))
    @rule(data=st.data())
    def rename_pipeline(self, data: st.DataObject) -> None:
        old = data.draw(st.sampled_from([p.name for p in self.mem.list_pipelines()]))
        used = {p.name for p in self.mem.list_pipelines()}
        used |= {p.pipeline for pid in IDS if (p := self.mem.get(pid)) is not None}
        free = [n for n in ("renamed", "renamed-2") if n not in used]
        if free:  # the CRM only renames to an unused name
            self.both("rename_pipeline", old, free[0])

    @rule(name=st.sampled_from([*PIPELINES, "renamed"]))
    def delete_pipeline(self, name: str) -> None:
        self.both("delete_pipeline", name)

    @rule(key=st.sampled_from(["current_pipeline", "limits"]), value=st.none() | st.integers())
    def set_meta(self, key: str, value: int | None) -> None:
        self.both("set_meta", key, value)

    @rule(p=prospects, pid=st.sampled_from(IDS))
    def rolled_back_transaction(self, p: Prospect, pid: str) -> None:
        for repo in (self.mem, self.sql):
            try:
                with repo.transaction():
                    repo.delete(pid)
                    with repo.transaction():
                        repo.set_meta("limits", 99)
                    repo.put(p)
                    raise RuntimeError("abort")
            except (RuntimeError, DuplicateIdentityError):
                pass

    @rule()
    def reopen(self) -> None:
        self.sql.close()
        self.sql = SQLiteRepository(self.path)

    @invariant()
    def same_observable_state(self) -> None:
        mem, sql = self.mem, self.sql
        assert sql.list_pipelines() == mem.list_pipelines()
        for key in ("current_pipeline", "limits"):
            assert sql.get_meta(key) == mem.get_meta(key)
        for pid in IDS:
            assert sql.get(pid) == mem.get(pid)
            assert sql.events(pid) == mem.events(pid)
        for pipeline in [*PIPELINES, "renamed", "renamed-2"]:
            assert sql.count(pipeline) == mem.count(pipeline)
            for query in (
                Query(pipeline=pipeline),
                Query(pipeline=pipeline, sort="-name", tag="vip"),
                Query(pipeline=pipeline, status=Status.OPEN, network="forum"),
                Query(pipeline=pipeline, text="zoe", limit=1),
            ):
                assert sql.query(query) == mem.query(query)
            for handle in HANDLES:
                key = f"forum:{handle}"
                assert sql.find_by_identity(pipeline, key) == mem.find_by_identity(pipeline, key)
            for email in EMAILS:
                assert sql.find_by_email(pipeline, email) == mem.find_by_email(pipeline, email)
            assert sql.find_by_id_prefix(pipeline, "01a") == mem.find_by_id_prefix(pipeline, "01a")

    def teardown(self) -> None:
        self.sql.close()
        self._dir.cleanup()


SameAsMemory.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
TestSameAsMemory = SameAsMemory.TestCase
