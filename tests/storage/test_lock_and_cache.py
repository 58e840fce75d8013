"""The inter-process lock (timeout, clear error) and freshness across repository instances."""

from __future__ import annotations

from pathlib import Path

import pytest
from attrs import evolve

from socialcrm.errors import StoreLockedError, ValidationError
from socialcrm.storage import layout, open_repository
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import make_event, make_prospect

from .helpers import populate


def test_locked_store_raises_naming_the_lock(store_path: Path) -> None:
    repo = open_repository(store_path, lock_timeout=0.05)
    other = StoreLock(store_path / layout.LOCK_NAME, store_path=store_path, timeout=1)
    with other:
        with pytest.raises(StoreLockedError) as info:
            repo.put(make_prospect("01AAA"))
        assert str(store_path / layout.LOCK_NAME) in str(info.value)
        assert info.value.lock_path == str(store_path / layout.LOCK_NAME)
        with pytest.raises(StoreLockedError):
            repo.get("01AAA")
    repo.put(make_prospect("01AAA"))  # free again
    assert repo.get("01AAA") is not None


def test_lock_timeout_from_env(monkeypatch: pytest.MonkeyPatch, store_path: Path) -> None:
    monkeypatch.setenv("SOCIALCRM_LOCK_TIMEOUT", "0.01")
    assert lock_timeout_from_env() == 0.01
    repo = TinyDBRepository(store_path).open()
    holder = StoreLock(store_path / layout.LOCK_NAME, store_path=store_path, timeout=1)
    with holder, pytest.raises(StoreLockedError) as info:
        repo.get("x")
    assert info.value.timeout == 0.01
    monkeypatch.setenv("SOCIALCRM_LOCK_TIMEOUT", "soon")
    with pytest.raises(ValidationError, match="SOCIALCRM_LOCK_TIMEOUT"):
        lock_timeout_from_env()
    monkeypatch.delenv("SOCIALCRM_LOCK_TIMEOUT")
    assert lock_timeout_from_env() == 10.0


def test_lock_is_reentrant_and_released_after_errors(store_path: Path) -> None:
    repo = open_repository(store_path, lock_timeout=0.05)
    with pytest.raises(RuntimeError), repo.transaction():
        repo.put(make_prospect("01AAA"))
        with repo.transaction():
            repo.append_event(make_event("E1", "01AAA"))
        raise RuntimeError("boom")
    probe = StoreLock(store_path / layout.LOCK_NAME, store_path=store_path, timeout=0)
    probe.acquire()  # not left held
    probe.release()
    assert repo.get("01AAA") is None


def test_no_stale_cache_between_instances(store_path: Path) -> None:
    a = open_repository(store_path)
    b = open_repository(store_path)
    populate(a, 3)
    assert b.get("01P00001") is not None  # b had read nothing yet
    assert b.count("default") == 3
    p = b.get("01P00000")
    assert p is not None
    a.put(evolve(p, company="Changed Inc"))
    a.append_event(make_event("ENEW", "01P00000"))
    again = b.get("01P00000")
    assert again is not None and again.company == "Changed Inc"
    assert [e.id for e in b.events("01P00000")][-1] == "ENEW"
    b.delete("01P00002")
    assert a.get("01P00002") is None
    assert a.count("default") == 2


def test_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    from socialcrm.errors import StoreError

    target = tmp_path / "crm.json"
    target.write_text("{}")
    with pytest.raises(StoreError, match="not a socialcrm store"):
        open_repository(target)
    assert target.read_text() == "{}"


def test_threads_sharing_one_repository(store_path: Path) -> None:
    import threading

    repo = open_repository(store_path)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                with repo.transaction():
                    pid = f"01T{n}{i:03d}"
                    repo.put(make_prospect(pid, f"Thread {n} {i}"))
                    repo.append_event(make_event(f"E{pid}", pid))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert repo.count("default") == 100
    other = open_repository(store_path)
    assert other.count("default") == 100
    assert all(len(other.events(f"01T{n}{i:03d}")) == 1 for n in range(4) for i in range(25))
