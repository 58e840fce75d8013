"""A hypothesis state machine: a repository behaves exactly like MemoryRepository.

The contract suite (:mod:`socialcrm.testing.contract`) checks chosen cases;
this drives a backend and a :class:`~socialcrm.repository.MemoryRepository`
with the same random operations — puts one by one and in batches, deletes,
events, moved events, pipeline changes, settings, transactions that fail
midway (rolled back), closing and reopening — and compares everything a
caller can observe after each step.  Subclass it and say how to open your
store::

    from socialcrm.testing.differential import SameAsMemory

    class MyStoreAsMemory(SameAsMemory):
        def open_store(self) -> Repository:
            self._dir = tempfile.TemporaryDirectory()
            return MyStore(Path(self._dir.name) / "db")

        def reopen(self, store: Repository) -> Repository | None:
            store.close()
            return MyStore(...)           # optional: None (the default) skips it

    TestMyStoreAsMemory = MyStoreAsMemory.TestCase

A subclass may add rules (``@rule``) and invariants of its own, and use
:meth:`SameAsMemory.both`.  Prospects, events and keys are drawn from small
sets, so that operations collide: the same id, identity and e-mail come back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import hypothesis.strategies as st
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
from socialcrm.repository import MemoryRepository, Query, Repository, put_all
from socialcrm.stages import Stage, Status

__all__ = [
    "EMAILS",
    "HANDLES",
    "IDS",
    "META_KEYS",
    "PIPELINES",
    "T0",
    "SameAsMemory",
    "meta_values",
    "payloads",
    "prospects",
    "times",
]

#: short ids share a prefix; the whole ULID takes a backend's direct path if it has one
IDS = ["01AAA", "01AAB", "01ABA", "01BBB", "01JHF9NW40J5X9F4V86PK62M3R"]
PIPELINES = ["default", "other", "third"]
HANDLES = ["zoe", "ana", "bo"]
EMAILS = ["zoe@example.fr", "ZOE@example.fr", "ana@example.org"]
META_KEYS = ["current_pipeline", "limits"]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

times = st.integers(0, 5).map(lambda n: T0 + timedelta(hours=n))
meta_values = st.none() | st.integers(-3, 3) | st.lists(st.sampled_from(["a", "é"]), max_size=2)
payloads = st.one_of(
    st.builds(Note, st.sampled_from(["a", "b"])),
    st.builds(MessageReceived, st.just("yes")),
    st.builds(StageChanged, st.sampled_from(list(Stage)), st.sampled_from(list(Stage))),
)


def prospects(network: str = "linkedin") -> st.SearchStrategy[Prospect]:
    """Prospects drawn from :data:`IDS`, sharing identities (on ``network``) and e-mails."""
    identities = st.lists(  # at most one identity per network
        st.sampled_from(HANDLES).map(
            lambda h: Identity(network, h, f"https://{network}.example/{h}")
        ),
        max_size=1,
    )
    return st.builds(
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


class Abort(Exception):
    """Raised inside a transaction to roll it back."""


class SameAsMemory(RuleBasedStateMachine):
    """Runs :meth:`open_store`'s repository against a MemoryRepository (see the module)."""

    #: the network of the prospects' identities
    network = "linkedin"

    def __init__(self) -> None:
        super().__init__()
        self.store = self.open_store()
        self.mem = MemoryRepository()
        self.event_no = 0

    def open_store(self) -> Repository:
        """A new, empty store (called once per example)."""
        raise NotImplementedError

    def reopen(self, store: Repository) -> Repository | None:
        """``store`` closed and opened again over the same data; ``None``: not durable."""
        return None

    def both(self, op: str, *args: Any) -> None:
        """Apply ``op`` to both; they must agree on success or on the error."""
        self.agree(lambda repo: getattr(repo, op)(*args), op)

    def agree(self, change: Callable[[Repository], object], what: str) -> None:
        """Run ``change`` on both repositories; both succeed, or both fail alike."""
        outcomes: list[tuple[str, ...] | None] = []
        for repo in (self.mem, self.store):
            try:
                change(repo)
                outcomes.append(None)
            except DuplicateIdentityError as exc:
                outcomes.append(("duplicate", exc.identity_key, exc.owner_id))
            except NotFoundError as exc:
                outcomes.append(("not found", str(exc)))
        assert outcomes[0] == outcomes[1], (what, outcomes)

    def event(self, pid: str, payload: Any, at: datetime, pipeline: str) -> Event:
        """A new event (ids increase along the sequence)."""
        self.event_no += 1
        return Event(f"E{self.event_no:04d}", pid, at, payload, "rep1", pipeline)

    def fail_midway(
        self, repo: Repository, p: Prospect, pid: str, event: Event, value: Any
    ) -> None:
        """Nested changes in one transaction that then raises: nothing may remain."""
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

    # ------------------------------------------------------------------ writes
    @rule(data=st.data())
    def put(self, data: st.DataObject) -> None:
        self.both("put", data.draw(prospects(self.network)))

    @rule(data=st.data())
    def put_many(self, data: st.DataObject) -> None:
        """A batch in a transaction is all or nothing (``put_all``: the backend's
        ``put_many`` if it has one)."""
        batch = data.draw(st.lists(prospects(self.network), min_size=1, max_size=4))

        def write(repo: Repository) -> None:
            with repo.transaction():
                put_all(repo, batch)

        self.agree(write, "put_many")

    @rule(pid=st.sampled_from(IDS))
    def delete(self, pid: str) -> None:
        self.both("delete", pid)

    @rule(pid=st.sampled_from(IDS), payload=payloads, at=times, pipeline=st.sampled_from(PIPELINES))
    def append_event(self, pid: str, payload: Any, at: datetime, pipeline: str) -> None:
        self.both("append_event", self.event(pid, payload, at, pipeline))

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

    @rule(data=st.data(), pid=st.sampled_from(IDS), payload=payloads, value=meta_values)
    def transaction_failing_midway(
        self, data: st.DataObject, pid: str, payload: Any, value: Any
    ) -> None:
        self.failing_midway_on_both(data, pid, payload, value)

    def failing_midway_on_both(
        self,
        data: st.DataObject,
        pid: str,
        payload: Any,
        value: Any,
        around_store: Callable[[], AbstractContextManager[object]] = nullcontext,
    ) -> None:
        """:meth:`fail_midway` on both, the store's inside ``around_store()``."""
        p = data.draw(prospects(self.network))
        event = self.event(p.id, payload, T0, p.pipeline)
        self.fail_midway(self.mem, p, pid, event, value)
        with around_store():
            self.fail_midway(self.store, p, pid, event, value)

    @rule()
    def close_and_reopen(self) -> None:
        reopened = self.reopen(self.store)
        if reopened is not None:
            self.store = reopened

    # ------------------------------------------------------------------ what a caller sees
    @invariant()
    def same_observable_state(self) -> None:
        mem, store = self.mem, self.store
        assert store.list_pipelines() == mem.list_pipelines()
        for name in [*PIPELINES, "renamed"]:
            assert store.get_pipeline(name) == mem.get_pipeline(name)
        for key in META_KEYS:
            assert store.get_meta(key) == mem.get_meta(key)
        for pid in IDS:
            assert store.get(pid) == mem.get(pid)
            assert store.events(pid) == mem.events(pid)
        batch = list(store.events_for([*reversed(IDS), IDS[0]]))  # in its own order, each once
        assert len(batch) == len(IDS)
        assert dict(batch) == dict(mem.events_for(IDS))
        for pipeline in [*PIPELINES, "renamed", "renamed-2"]:
            assert store.count(pipeline) == mem.count(pipeline)
            for query in (
                Query(pipeline=pipeline),
                Query(pipeline=pipeline, stage=Stage.CONTACT),
                Query(pipeline=pipeline, sort="-name", tag="vip"),
                Query(pipeline=pipeline, status=Status.OPEN, network=self.network),
                Query(pipeline=pipeline, text="zoe", limit=1),
            ):
                assert store.query(query) == mem.query(query)
            for handle in HANDLES:
                key = f"{self.network}:{handle}"
                assert store.find_by_identity(pipeline, key) == mem.find_by_identity(pipeline, key)
            for email in EMAILS:
                assert store.find_by_email(pipeline, email) == mem.find_by_email(pipeline, email)
            for prefix in ("01a", "01AAB", IDS[-1], IDS[-1].lower()):
                found = store.find_by_id_prefix(pipeline, prefix)
                assert found == mem.find_by_id_prefix(pipeline, prefix)

    def teardown(self) -> None:
        self.store.close()
