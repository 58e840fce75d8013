"""The host's SQLite repository passes socialcrm's Repository contract, and more."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from host_crm.sqlite_repository import SCHEMA_VERSION, SQLiteRepository

from socialcrm import (
    DuplicateIdentityError,
    Identity,
    SchemaVersionError,
    StoreCorruptError,
    StoreLockedError,
)
from socialcrm.testing.contract import RepositoryContract, make_event, make_prospect


def li(handle: str) -> Identity:
    return Identity("linkedin", handle, f"https://www.linkedin.com/in/{handle}")


class TestSQLiteRepository(RepositoryContract):
    """The whole contract suite, including the durability test (``reopen``)."""

    @pytest.fixture
    def repository(self, tmp_path: Path) -> Iterator[SQLiteRepository]:
        repo = SQLiteRepository(tmp_path / "host.db")
        yield repo
        repo.close()

    def reopen(self, repository: SQLiteRepository) -> SQLiteRepository:  # type: ignore[override]
        repository.close()
        return SQLiteRepository(repository.path)


def test_database_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "private" / "host.db"
    SQLiteRepository(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_identity_unique_across_connections(tmp_path: Path) -> None:
    """Two processes (two connections) cannot give one identity to two prospects."""
    first = SQLiteRepository(tmp_path / "host.db")
    second = SQLiteRepository(tmp_path / "host.db")
    try:
        first.put(make_prospect("01AAA", identities=[li("zoe")]))
        with pytest.raises(DuplicateIdentityError) as info:
            second.put(make_prospect("01BBB", "Other", identities=[li("zoe")]))
        assert info.value.owner_id == "01AAA"
        assert second.get("01BBB") is None
    finally:
        first.close()
        second.close()


def test_database_enforces_identity_uniqueness(tmp_path: Path) -> None:
    """The primary key backs the Python check: a raw duplicate row is refused."""
    repo = SQLiteRepository(tmp_path / "host.db")
    try:
        repo.put(make_prospect("01AAA", identities=[li("zoe")]))
        with pytest.raises(sqlite3.IntegrityError):
            repo.connection.execute(
                "INSERT INTO sc_identities (pipeline, key, prospect_id) VALUES (?, ?, ?)",
                ("default", "linkedin:zoe", "01BBB"),
            )
    finally:
        repo.close()


def test_inner_savepoint_rolls_back_alone(tmp_path: Path) -> None:
    repo = SQLiteRepository(tmp_path / "host.db")
    try:
        with repo.transaction():
            repo.put(make_prospect("01OUT"))
            with pytest.raises(RuntimeError), repo.transaction():
                repo.put(make_prospect("01IN"))
                raise RuntimeError("inner failure, caught by the caller")
            repo.append_event(make_event("E1", "01OUT"))
        assert repo.get("01OUT") is not None
        assert repo.get("01IN") is None
        assert [e.id for e in repo.events("01OUT")] == ["E1"]
    finally:
        repo.close()


def test_write_lock_held_elsewhere_is_a_typed_error(tmp_path: Path) -> None:
    holder = SQLiteRepository(tmp_path / "host.db")
    waiter = SQLiteRepository(tmp_path / "host.db", timeout=0.05)
    try:
        with holder.transaction():
            holder.put(make_prospect("01AAA"))
            with pytest.raises(StoreLockedError):
                waiter.put(make_prospect("01BBB"))
        assert waiter.get("01AAA") is not None
    finally:
        holder.close()
        waiter.close()


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "host.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(SchemaVersionError) as info:
        SQLiteRepository(path)
    assert info.value.found == SCHEMA_VERSION + 1
    assert path.read_bytes() == before


def test_garbage_file_is_reported_corrupt_untouched(tmp_path: Path) -> None:
    path = tmp_path / "host.db"
    path.write_bytes(b"this is not a database, just some text " * 100)
    before = path.read_bytes()
    with pytest.raises(StoreCorruptError) as info:
        SQLiteRepository(path)
    assert info.value.path == str(path)
    assert path.read_bytes() == before
