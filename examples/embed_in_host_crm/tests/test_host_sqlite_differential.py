"""Random operation sequences: the SQLite repository behaves like MemoryRepository.

The contract suite checks chosen cases; socialcrm's state machine
(``socialcrm.testing.differential``) drives both backends with the same random
puts, deletes, events, pipeline changes, settings and rolled-back
transactions, and compares everything a caller can observe after each step —
including after closing and reopening the SQLite file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from host_crm.sqlite_repository import SQLiteRepository
from hypothesis import settings

from socialcrm import Repository
from socialcrm.testing.differential import SameAsMemory


class SQLiteAsMemory(SameAsMemory):
    network = "forum"  # the host's own network plugin

    def open_store(self) -> Repository:
        self._dir = tempfile.TemporaryDirectory()
        self.path = Path(self._dir.name) / "host.db"
        return SQLiteRepository(self.path)

    def reopen(self, store: Repository) -> Repository | None:
        store.close()
        return SQLiteRepository(self.path)

    def teardown(self) -> None:
        super().teardown()
        self._dir.cleanup()


SQLiteAsMemory.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
TestSQLiteAsMemory = SQLiteAsMemory.TestCase
