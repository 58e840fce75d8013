"""The layout keeps one-prospect operations small and bulk writes single.

No timing here: the tests count the files an operation reads and writes,
which is what makes its cost independent of the size of the store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from attrs import evolve

from socialcrm.repository import Query
from socialcrm.stages import Stage
from socialcrm.storage import generations, layout, open_repository, resolve_db_path
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import make_event, make_prospect

from .helpers import Counter, populate


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big"
    repo = open_repository(path)
    populate(repo, 600)
    repo.close()
    return path


def test_one_prospect_operations_touch_few_files(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    repo = open_repository(big)
    pid = "01P00321"
    p = repo.get(pid)
    assert p is not None
    assert len(counter.reads) == 2  # its locator shard, then its prospect shard
    counter.reset()
    assert repo.find_by_identity("default", "linkedin:01p-321") == p
    assert [x.id for x in repo.find_by_email("default", "01P321@EXAMPLE.org")] == [pid]
    assert len(repo.events(pid)) == 2
    assert len(counter.reads) <= 3  # two key shards, one event shard
    counter.reset()
    # a short id prefix (not a whole 26-character id) scans the id lists, only them
    assert repo.find_by_id_prefix("default", pid) == [p]
    assert repo.find_by_id_prefix("default", "01P0032") == [
        repo.get(f"01P0032{i}") for i in range(10)
    ]
    kinds = {Path(r).name.split("-")[0] for r in counter.reads}
    assert kinds == {"i", "l", "p"}  # the id lists, then the matches' locators and records
    counter.reset()
    with repo.transaction():
        repo.put(evolve(p, stage=Stage.IDENTIFY))
        repo.append_event(make_event("E-MOVE", pid))
    # it leaves the "profile" shard for an "identify" one: both prospect files, both
    # summary files and both journey files, its locator, its events and the
    # manifest; identities unchanged => no key file
    assert len(counter.writes) == 9
    assert sum(Path(w).name.startswith("s-") for w in counter.writes) == 2
    assert sum(Path(w).name.startswith("r-") for w in counter.writes) == 2
    assert counter.writes[-1] == layout.MANIFEST_NAME
    counter.reset()
    with repo.transaction():
        repo.append_event(make_event("E-NOTE", pid))
    # a note: its events file, its summary file and the manifest
    assert len(counter.writes) == 3
    counter.reset()
    repo.put(make_prospect("01NEWONE", "New One"))
    # an add: prospect, its summary and journey, locator, one id-list shard, the
    # manifest (no identity, no e-mail)
    assert len(counter.writes) == 6
    assert sum(w.startswith("i-") for w in counter.writes) == 1
    repo.close()


def test_bulk_transaction_writes_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = Counter(monkeypatch)
    repo = TinyDBRepository(
        tmp_path / "s",
        prospect_shards=8,
        event_shards=8,
        key_shards=4,
        locator_shards=4,
        id_shards=4,
    ).open()
    populate(repo, 500)
    # 8 prospect (all at stage profile) + their 8 summary and 8 journey + 8 event
    # + 4 key + 4 locator + 4 id-list shards, each once; and the manifest twice: a
    # new store's empty manifest is written before its first data file
    # (storage.directory), then the commit's
    data_writes = [w for w in counter.writes if w != layout.MANIFEST_NAME]
    assert len(data_writes) == 44
    assert len(set(data_writes)) == 44
    assert counter.writes.count(layout.MANIFEST_NAME) == 2
    assert repo.count("default") == 500


def test_query_reads_prospect_shards_only(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = Counter(monkeypatch)
    repo = open_repository(big)
    with repo.transaction():
        for pid in ("01P00001", "01P00002"):
            p = repo.get(pid)
            assert p is not None
            repo.put(evolve(p, stage=Stage.CONTACT))
    counter.reset()
    repo.close()
    repo = open_repository(big)
    assert [p.id for p in repo.query(Query(stage=Stage.CONTACT))] == ["01P00001", "01P00002"]
    assert counter.reads and all(Path(r).name.startswith("p-contact-") for r in counter.reads)
    counter.reset()
    assert len(repo.query(Query(stage=Stage.PROFILE))) == 598
    assert all(Path(r).name.startswith("p-profile-") for r in counter.reads)


def test_resolve_db_path_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOCIALCRM_DB", str(tmp_path / "env"))
    assert resolve_db_path(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_db_path(None) == tmp_path / "env"
    assert resolve_db_path("~/x") == Path.home() / "x"
    monkeypatch.delenv("SOCIALCRM_DB")
    default = resolve_db_path(None)
    assert default.name == "store" and "socialcrm" in default.parts


def test_memory_cache_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generations, "_CACHE_BYTES", 4000)
    repo = TinyDBRepository(tmp_path / "s", prospect_shards=16, event_shards=16).open()
    ids = populate(repo, 80)
    for _ in range(2):
        for pid in ids:
            p = repo.get(pid)
            assert p is not None and p.id == pid
            assert len(repo.events(pid)) == 2
        assert 0 < repo.engine.cache.size <= 4000
        assert repo.engine.cache.size == sum(size for _rel, size, _crc in repo.engine.cache.files)


def test_events_for_reads_each_events_file_once(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole-pipeline work (agenda, export) reads each events file once, even with a cache
    too small to hold them: asking events() per prospect re-read a file per prospect."""
    monkeypatch.setattr(generations, "_CACHE_BYTES", 0)
    counter = Counter(monkeypatch)
    repo = open_repository(big)
    ids = [p.id for p in repo.query(Query())]
    counter.reset()
    got = dict(repo.events_for(ids))
    event_reads = [r for r in counter.reads if Path(r).name.startswith("e-")]
    assert len(got) == 600 and all(len(events) == 2 for events in got.values())
    assert (
        len(event_reads)
        == len(set(event_reads))
        == len({repo._index.events_file(pid) for pid in ids})
    )
    counter.reset()
    for pid in ids[:50]:  # the per-prospect way, for contrast: one read per call here
        repo.events(pid)
    assert len([r for r in counter.reads if Path(r).name.startswith("e-")]) == 50
