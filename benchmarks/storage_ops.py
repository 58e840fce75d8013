"""The benchmarked operations alone, in-process: the TinyDB store against sqlite3.

Each operation runs on a freshly opened store (a cold in-process cache), as a
CLI command would, without the process start-up; the same data in a stdlib
``sqlite3`` database (WAL, synchronous=FULL, indexed) is the yardstick.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialcrm.models import Event, Identity, Note, Prospect, StageChanged
from socialcrm.repository import Query
from socialcrm.serialization import dumps, event_to_dict, from_stored_dict, prospect_to_dict
from socialcrm.stages import Stage
from socialcrm.storage import open_repository

#: The operations measured, in the order of every table.
OPERATIONS = ("show", "move", "note", "add", "add+email", "list")


def bench_url(stamp: str, i: int) -> str:
    return f"https://www.linkedin.com/in/bench-{stamp}-{i}"


def bench_email(stamp: str, i: int) -> str:
    return f"bench.{stamp}.{i}@bench.example"


def spread(ids: list[str], offset: int, count: int) -> list[str]:
    """``count`` ids spread over the whole store (``offset`` keeps the sets apart)."""
    step = max(1, len(ids) // (count + 1))
    return [ids[(k * step + offset) % len(ids)] for k in range(1, count + 1)]


def median_ms(fn: Callable[[int], Any], runs: int) -> float:
    times = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def tinydb_ops(store: Path, ids: list[str], runs: int) -> dict[str, float]:
    """Each operation on a freshly opened repository (cold in-process cache)."""
    from attrs import evolve

    picks = spread(ids, 1, 3 * runs)
    now = datetime.now(UTC)

    def show(i: int) -> None:
        repo = open_repository(store)
        [p] = repo.find_by_id_prefix("default", picks[i])
        repo.events(p.id)
        repo.close()

    def move(i: int) -> None:
        repo = open_repository(store)
        with repo.transaction():
            p = repo.get(picks[runs + i])
            assert p is not None
            repo.put(evolve(p, stage=Stage.IDENTIFY, updated_at=now))
            payload = StageChanged(p.stage, Stage.IDENTIFY, forced=True)
            repo.append_event(Event(f"BM{i}{time.time_ns()}", p.id, now, payload))
        repo.close()

    def note(i: int) -> None:
        repo = open_repository(store)
        with repo.transaction():
            p = repo.get(picks[2 * runs + i])
            assert p is not None
            repo.append_event(Event(f"BN{i}{time.time_ns()}", p.id, now, Note("bench")))
        repo.close()

    def add(i: int) -> None:
        p = Prospect(f"01ZZBENCH{time.time_ns()}", f"Bench {i}", created_at=now, updated_at=now)
        _store_add(store, p, now, i)

    def add_full(i: int) -> None:
        stamp = str(time.time_ns())
        _store_add(store, _full_prospect(f"01ZZFULL{stamp}", stamp, i, now), now, i)

    def list_(_i: int) -> None:
        repo = open_repository(store)
        repo.query(Query(stage=Stage.CONTACT))
        repo.close()

    return _median_each(runs, show, move, note, add, add_full, list_)


def _full_prospect(pid: str, stamp: str, i: int, now: datetime) -> Prospect:
    """A prospect as ``add NAME --url URL --email EMAIL`` stores it."""
    url = bench_url(stamp, i)
    return Prospect(
        pid,
        f"Bench Full {stamp} {i}",
        identities=[Identity("linkedin", f"bench-{stamp}-{i}", url)],
        emails=[bench_email(stamp, i)],
        created_at=now,
        updated_at=now,
    )


def _median_each(runs: int, *ops: Callable[[int], object]) -> dict[str, float]:
    """Median ms of each operation, given in :data:`OPERATIONS` order."""
    return {name: median_ms(fn, runs) for name, fn in zip(OPERATIONS, ops, strict=True)}


def _store_add(store: Path, p: Prospect, now: datetime, i: int) -> None:
    """Write a new prospect and its first event in one transaction, on a fresh repository."""
    repo = open_repository(store)
    with repo.transaction():
        repo.put(p)
        repo.append_event(Event(f"BA{i}{time.time_ns()}", p.id, now, Note("created")))
    repo.close()


def _sqlite_add(con: sqlite3.Connection, p: Prospect, now: datetime, i: int) -> None:
    """Insert a new prospect and its first event in one transaction, then close."""
    con.execute("BEGIN IMMEDIATE")
    con.execute(
        "INSERT INTO prospects VALUES (?,?,?,?,?,?)",
        (p.id, p.pipeline, p.stage.value, p.status.value, p.name, dumps(prospect_to_dict(p))),
    )
    e = Event(f"SA{i}{time.time_ns()}", p.id, now, Note("created"))
    con.execute(
        "INSERT INTO events VALUES (?,?,?,?)",
        (e.id, p.id, e.at.isoformat(), dumps(event_to_dict(e))),
    )
    con.execute("COMMIT")
    con.close()


def sqlite_ops(db: Path, ids: list[str], runs: int) -> dict[str, float]:
    """The same operations on the same data with stdlib sqlite3.

    Models are built from the stored documents the same way as the TinyDB
    store builds them (``from_stored_dict``), so the comparison is about storage.
    """
    picks = spread(ids, 2, 3 * runs)
    now = datetime.now(UTC)

    def connect() -> sqlite3.Connection:
        con = sqlite3.connect(db, isolation_level=None)
        con.execute("PRAGMA synchronous=FULL")
        return con

    def show(i: int) -> None:
        con = connect()
        (doc,) = con.execute("SELECT doc FROM prospects WHERE id=?", (picks[i],)).fetchone()
        from_stored_dict(Prospect, json.loads(doc))
        rows = con.execute(
            "SELECT doc FROM events WHERE prospect_id=? ORDER BY at", (picks[i],)
        ).fetchall()
        [from_stored_dict(Event, json.loads(r[0])) for r in rows]
        con.close()

    def move(i: int) -> None:
        con = connect()
        con.execute("BEGIN IMMEDIATE")
        pid = picks[runs + i]
        (doc,) = con.execute("SELECT doc FROM prospects WHERE id=?", (pid,)).fetchone()
        p = from_stored_dict(Prospect, json.loads(doc))
        from attrs import evolve

        after = evolve(p, stage=Stage.IDENTIFY, updated_at=now)
        con.execute(
            "UPDATE prospects SET stage=?, doc=? WHERE id=?",
            (after.stage.value, dumps(prospect_to_dict(after)), pid),
        )
        e = Event(f"SM{i}{time.time_ns()}", pid, now, StageChanged(p.stage, Stage.IDENTIFY))
        con.execute(
            "INSERT INTO events VALUES (?,?,?,?)",
            (e.id, pid, e.at.isoformat(), dumps(event_to_dict(e))),
        )
        con.execute("COMMIT")
        con.close()

    def note(i: int) -> None:
        con = connect()
        con.execute("BEGIN IMMEDIATE")
        pid = picks[2 * runs + i]
        (doc,) = con.execute("SELECT doc FROM prospects WHERE id=?", (pid,)).fetchone()
        from_stored_dict(Prospect, json.loads(doc))
        e = Event(f"SN{i}{time.time_ns()}", pid, now, Note("bench"))
        con.execute(
            "INSERT INTO events VALUES (?,?,?,?)",
            (e.id, pid, e.at.isoformat(), dumps(event_to_dict(e))),
        )
        con.execute("COMMIT")
        con.close()

    def add(i: int) -> None:
        p = Prospect(f"01ZZSQL{time.time_ns()}", f"Bench {i}", created_at=now, updated_at=now)
        _sqlite_add(connect(), p, now, i)

    def add_full(i: int) -> None:
        stamp = str(time.time_ns())
        _sqlite_add(connect(), _full_prospect(f"01ZZSQLF{stamp}", stamp, i, now), now, i)

    def list_(_i: int) -> None:
        con = connect()
        rows = con.execute(
            "SELECT doc FROM prospects WHERE pipeline=? AND stage=? ORDER BY id",
            ("default", Stage.CONTACT.value),
        ).fetchall()
        [from_stored_dict(Prospect, json.loads(r[0])) for r in rows]
        con.close()

    return _median_each(runs, show, move, note, add, add_full, list_)
