"""Random operation sequences: the TinyDB store behaves exactly like MemoryRepository.

The state machine of :mod:`socialcrm.testing.differential`, on a store of two
shards of each kind (prospects share files, so every change rewrites a shared
file), plus what only this store has: transactions that write their files
early (too big for memory) and then commit or fail, and its inventory
(``meta_keys``, ``prospect_pipelines``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, rule

from socialcrm.models import Prospect
from socialcrm.repository import Repository
from socialcrm.storage import generations
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.differential import (
    IDS,
    META_KEYS,
    T0,
    SameAsMemory,
    meta_values,
    payloads,
    prospects,
)

SHARDS = {"prospect_shards": 2, "event_shards": 2, "key_shards": 2, "locator_shards": 2}


@contextmanager
def written_early() -> Iterator[None]:
    """Every change of the store's transactions written early (see test_spill.py)."""
    saved = generations._SPILL_BYTES
    generations._SPILL_BYTES = 0
    try:
        yield
    finally:
        generations._SPILL_BYTES = saved


class TinyDBAsMemory(SameAsMemory):
    def open_store(self) -> Repository:
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "store"
        return TinyDBRepository(self.path, **SHARDS).open()

    def reopen(self, store: Repository) -> Repository | None:
        store.close()
        return TinyDBRepository(self.path).open()

    @rule(data=st.data(), pid=st.sampled_from(IDS), payload=payloads, value=meta_values)
    def transaction_written_early_failing_midway(
        self, data: st.DataObject, pid: str, payload: Any, value: Any
    ) -> None:
        self.failing_midway_on_both(data, pid, payload, value, written_early)

    @rule(batch=st.lists(prospects(), min_size=1, max_size=3), payload=payloads)
    def transaction_written_early(self, batch: list[Prospect], payload: Any) -> None:
        events = [self.event(p.id, payload, T0, p.pipeline) for p in batch]

        def write(repo: Repository) -> None:
            early = written_early() if repo is self.store else nullcontext()
            with early, repo.transaction():
                for p, event in zip(batch, events, strict=True):
                    repo.put(p)
                    repo.append_event(event)

        self.agree(write, "a transaction written early")

    @invariant()
    def same_inventory(self) -> None:
        store = self.store
        assert isinstance(store, TinyDBRepository)
        assert store.meta_keys() == sorted(k for k in META_KEYS if self.mem.get_meta(k) is not None)
        in_use = sorted({p.pipeline for pid in IDS if (p := self.mem.get(pid)) is not None})
        assert store.prospect_pipelines() == in_use

    def teardown(self) -> None:
        super().teardown()
        self._dir.cleanup()


TinyDBAsMemory.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestTinyDBAsMemory = TinyDBAsMemory.TestCase
