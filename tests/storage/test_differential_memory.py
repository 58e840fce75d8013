"""Random operation sequences: the TinyDB store behaves exactly like MemoryRepository.

The contract suite checks chosen cases; this drives both with the same random
puts (one by one and in batches), deletes, events, moved events, pipeline
changes, settings and transactions that fail midway (rolled back), some of
them writing their files early, and compares everything a caller can observe
after each step — also after closing and reopening the store.  Two shards of
each kind, so that prospects share files and every change rewrites a shared
file.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from socialcrm.errors import DuplicateIdentityError, NotFoundError
from socialcrm.models import (
    Event,
    Identity,
    MessageReceived,
    Note,
    Pipeline,
    Prospect,
    StageChanged,
)
from socialcrm.repository import MemoryRepository, Query, put_all
from socialcrm.stages import Stage, Status
from socialcrm.storage import generations
from socialcrm.storage.tinydb import TinyDBRepository

#: short ids share a prefix; the whole ULID takes the locator's direct path
IDS = ["01AAA", "01AAB", "01ABA", "01BBB", "01JHF9NW40J5X9F4V86PK62M3R"]
PIPELINES = ["default", "other", "third"]
HANDLES = ["zoe", "ana", "bo"]
EMAILS = ["zoe@example.fr", "ZOE@example.fr", "ana@example.org"]
META_KEYS = ["current_pipeline", "limits"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHARDS = {"prospect_shards": 2, "event_shards": 2, "key_shards": 2, "locator_shards": 2}

times = st.integers(0, 5).map(lambda n: T0 + timedelta(hours=n))
identities = st.lists(
    st.sampled_from(HANDLES).map(
        lambda h: Identity("linkedin", h, f"https://www.linkedin.com/in/{h}")
    ),
    max_size=1,  # one identity per network
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
meta_values = st.none() | st.integers(-3, 3) | st.lists(st.sampled_from(["a", "é"]), max_size=2)


class Abort(Exception):
    """Raised inside a transaction to roll it back."""


class SameAsMemory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "store"
        self.store = TinyDBRepository(self.path, **SHARDS).open()
        self.mem = MemoryRepository()
        self.event_no = 0

    def both(self, op: str, *args: Any) -> None:
        """Apply ``op`` to both; they must agree on success or the error."""
        outcomes: list[tuple[str, ...] | None] = []
        for repo in (self.mem, self.store):
            try:
                getattr(repo, op)(*args)
                outcomes.append(None)
            except DuplicateIdentityError as exc:
                outcomes.append(("duplicate", exc.identity_key, exc.owner_id))
            except NotFoundError as exc:
                outcomes.append(("not found", str(exc)))
        assert outcomes[0] == outcomes[1], (op, outcomes)

    def _event(self, pid: str, payload: Any, at: datetime, pipeline: str) -> Event:
        self.event_no += 1
        return Event(f"E{self.event_no:04d}", pid, at, payload, "rep1", pipeline)

    # ------------------------------------------------------------------ writes
    @rule(p=prospects)
    def put(self, p: Prospect) -> None:
        self.both("put", p)

    @rule(batch=st.lists(prospects, min_size=1, max_size=4))
    def put_many(self, batch: list[Prospect]) -> None:
        """A batch is all or nothing: a duplicate identity anywhere rolls it back."""
        outcomes = []
        for repo in (self.mem, self.store):
            try:
                with repo.transaction():
                    put_all(repo, batch)
                outcomes.append(None)
            except DuplicateIdentityError as exc:
                outcomes.append((exc.identity_key, exc.owner_id))
        assert outcomes[0] == outcomes[1], outcomes

    @rule(pid=st.sampled_from(IDS))
    def delete(self, pid: str) -> None:
        self.both("delete", pid)

    @rule(pid=st.sampled_from(IDS), payload=payloads, at=times, pipeline=st.sampled_from(PIPELINES))
    def append_event(self, pid: str, payload: Any, at: datetime, pipeline: str) -> None:
        self.both("append_event", self._event(pid, payload, at, pipeline))

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

    @rule(name=st.sampled_from([*PIPELINES, "renamed", "missing"]))
    def rename_a_pipeline_that_may_not_exist(self, name: str) -> None:
        if name not in {p.name for p in self.mem.list_pipelines()}:
            self.both("rename_pipeline", name, "renamed-2")

    @rule(name=st.sampled_from([*PIPELINES, "renamed"]))
    def delete_pipeline(self, name: str) -> None:
        self.both("delete_pipeline", name)

    @rule(key=st.sampled_from(META_KEYS), value=meta_values)
    def set_meta(self, key: str, value: Any) -> None:
        self.both("set_meta", key, value)

    @rule(
        p=prospects,
        pid=st.sampled_from(IDS),
        payload=payloads,
        value=meta_values,
        early=st.booleans(),
    )
    def transaction_failing_midway(
        self, p: Prospect, pid: str, payload: Any, value: Any, early: bool
    ) -> None:
        """Everything of a transaction that raises is undone; ``early``: its files
        were written before the failure (a transaction too big for memory)."""
        event = self._event(p.id, payload, T0, p.pipeline)
        saved = generations._SPILL_BYTES
        for repo in (self.mem, self.store):
            generations._SPILL_BYTES = 0 if early and repo is self.store else saved
            try:
                with repo.transaction():
                    repo.delete(pid)
                    with repo.transaction():
                        repo.set_meta("limits", value)
                        repo.append_event(event)
                    repo.put(p)
                    raise Abort
            except (Abort, DuplicateIdentityError):
                pass
            finally:
                generations._SPILL_BYTES = saved

    @rule(batch=st.lists(prospects, min_size=1, max_size=3), payload=payloads)
    def transaction_written_early(self, batch: list[Prospect], payload: Any) -> None:
        """A transaction that writes its files early, then commits, as a small one would."""
        saved = generations._SPILL_BYTES
        events = [self._event(p.id, payload, T0, p.pipeline) for p in batch]
        outcomes = []
        for repo in (self.mem, self.store):
            generations._SPILL_BYTES = 0 if repo is self.store else saved
            try:
                with repo.transaction():
                    for p, event in zip(batch, events, strict=True):
                        repo.put(p)
                        repo.append_event(event)
                outcomes.append(None)
            except DuplicateIdentityError as exc:
                outcomes.append((exc.identity_key, exc.owner_id))
            finally:
                generations._SPILL_BYTES = saved
        assert outcomes[0] == outcomes[1], outcomes

    @rule()
    def reopen(self) -> None:
        self.store.close()
        self.store = TinyDBRepository(self.path).open()

    # ------------------------------------------------------------------ what a caller sees
    @invariant()
    def same_observable_state(self) -> None:
        mem, store = self.mem, self.store
        assert store.list_pipelines() == mem.list_pipelines()
        for name in [*PIPELINES, "renamed"]:
            assert store.get_pipeline(name) == mem.get_pipeline(name)
        for key in META_KEYS:
            assert store.get_meta(key) == mem.get_meta(key)
        assert store.meta_keys() == sorted(k for k in META_KEYS if mem.get_meta(k) is not None)
        for pid in IDS:
            assert store.get(pid) == mem.get(pid)
            assert store.events(pid) == mem.events(pid)
        batch = list(store.events_for([*reversed(IDS), IDS[0]]))  # in its own order, each once
        assert len(batch) == len(IDS)
        assert dict(batch) == dict(mem.events_for(IDS))
        in_use = sorted({p.pipeline for pid in IDS if (p := mem.get(pid)) is not None})
        assert store.prospect_pipelines() == in_use
        for pipeline in [*PIPELINES, "renamed", "renamed-2"]:
            assert store.count(pipeline) == mem.count(pipeline)
            for query in (
                Query(pipeline=pipeline),
                Query(pipeline=pipeline, stage=Stage.CONTACT),
                Query(pipeline=pipeline, sort="-name", tag="vip"),
                Query(pipeline=pipeline, status=Status.OPEN, network="linkedin"),
                Query(pipeline=pipeline, text="zoe", limit=1),
            ):
                assert store.query(query) == mem.query(query)
            for handle in HANDLES:
                key = f"linkedin:{handle}"
                assert store.find_by_identity(pipeline, key) == mem.find_by_identity(pipeline, key)
            for email in EMAILS:
                assert store.find_by_email(pipeline, email) == mem.find_by_email(pipeline, email)
            for prefix in ("01a", "01AAB", IDS[-1], IDS[-1].lower()):
                found = store.find_by_id_prefix(pipeline, prefix)
                assert found == mem.find_by_id_prefix(pipeline, prefix)

    def teardown(self) -> None:
        self.store.close()
        self._dir.cleanup()


SameAsMemory.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSameAsMemory = SameAsMemory.TestCase
