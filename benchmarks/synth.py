"""Synthetic stores for the benchmarks: N prospects x K events, built fast.

Everything goes through the repository in ONE transaction, so a 30,000-prospect
store is written once at commit (this doubles as a test of bulk writes).
Also writes the same data into an SQLite database for the comparison.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ulid import ULID

from socialcrm.models import (
    Created,
    Event,
    Identity,
    Interaction,
    MessageReceived,
    MessageSent,
    Note,
    Payload,
    Pipeline,
    Prospect,
    StageChanged,
)
from socialcrm.serialization import dumps, event_to_dict, prospect_to_dict
from socialcrm.stages import Stage

__all__ = ["build_sqlite", "build_store", "synthetic"]

FIRST = ["Zoé", "Ivan", "Ana", "Lucas", "Mia", "Noah", "Léa", "Omar", "Yuki", "Sara", "Tom", "Inès"]
LAST = ["Durand", "Petrov", "Silva", "Martin", "Rossi", "Kim", "Nguyen", "Müller", "Haddad", "Roux"]
COMPANIES = ["ACME", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Soylent"]
T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def synthetic(
    n: int, events_per: int = 10, seed: int = 7
) -> Iterator[tuple[Prospect, list[Event]]]:
    """Deterministic prospects with ``events_per`` events each."""
    rng = random.Random(seed)

    def new_id(at: datetime) -> str:  # deterministic ULIDs: same ids in every store built
        return str(ULID.from_int((int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)))

    stages = list(Stage)
    for i in range(n):
        at = T0 + timedelta(minutes=i)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        handle = f"{first.lower()}-{last.lower()}-{i}"
        stage = stages[rng.randrange(len(stages))]
        pid = new_id(at)
        p = Prospect(
            id=pid,
            name=f"{first} {last} {i}",
            first_name=first,
            last_name=last,
            title=rng.choice(["CTO", "CEO", "Head of Sales", "Founder", "VP Marketing"]),
            company=rng.choice(COMPANIES),
            location=rng.choice(["Lyon", "Paris", "Berlin", "Lisbon"]),
            emails=[f"{handle}@example.org"],
            identities=[Identity("linkedin", handle, f"https://www.linkedin.com/in/{handle}")],
            tags=rng.sample(["vip", "saas", "lyon", "event", "warm"], 2),
            notes="met at a fair" if i % 3 == 0 else "",
            stage=stage,
            created_at=at,
            updated_at=at,
        )
        events: list[Event] = []
        payloads: list[Payload] = [Created(stage=Stage.PROFILE)]
        for s_from, s_to in itertools.pairwise(stages):
            if s_to.order > stage.order:
                break
            payloads.append(StageChanged(s_from, s_to))
        kinds = [
            lambda: Interaction("like", "linkedin", None, "liked a post"),
            lambda: MessageSent("Hello, thanks for connecting!", "linkedin", "message"),
            lambda: MessageReceived("Thanks, happy to chat", "linkedin", "message"),
            lambda: Note("called, call back next week"),
        ]
        while len(payloads) < events_per:
            payloads.append(rng.choice(kinds)())
        for k, payload in enumerate(payloads[:events_per]):
            eat = at + timedelta(hours=k)
            events.append(Event(id=new_id(eat), prospect_id=pid, at=eat, payload=payload))
        yield p, events


def build_store(path: Path, n: int, events_per: int = 10) -> list[str]:
    """A TinyDB store of ``n`` prospects; returns their ids."""
    from socialcrm.storage import open_repository

    repo = open_repository(path)
    ids: list[str] = []
    with repo.transaction():
        repo.put_pipeline(Pipeline("default", T0))
        for p, events in synthetic(n, events_per):
            repo.put(p)
            for e in events:
                repo.append_event(e)
            ids.append(p.id)
    repo.close()
    return ids


def build_sqlite(path: Path, n: int, events_per: int = 10) -> None:
    """The same data in SQLite: one row per prospect / event (JSON bodies), indexed."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(
        """
        PRAGMA journal_mode=WAL;
        CREATE TABLE prospects (id TEXT PRIMARY KEY, pipeline TEXT, stage TEXT, status TEXT,
                                name TEXT, doc TEXT);
        CREATE INDEX prospects_stage ON prospects(pipeline, stage);
        CREATE TABLE events (id TEXT PRIMARY KEY, prospect_id TEXT, at TEXT, doc TEXT);
        CREATE INDEX events_prospect ON events(prospect_id, at);
        CREATE TABLE identities (pipeline TEXT, key TEXT, prospect_id TEXT,
                                 PRIMARY KEY (pipeline, key));
        """
    )
    with con:
        for p, events in synthetic(n, events_per):
            d = prospect_to_dict(p)
            con.execute(
                "INSERT INTO prospects VALUES (?,?,?,?,?,?)",
                (p.id, p.pipeline, p.stage.value, p.status.value, p.name, dumps(d)),
            )
            for i in p.identities:
                con.execute("INSERT INTO identities VALUES (?,?,?)", (p.pipeline, i.key, p.id))
            con.executemany(
                "INSERT INTO events VALUES (?,?,?,?)",
                [(e.id, e.prospect_id, e.at.isoformat(), dumps(event_to_dict(e))) for e in events],
            )
    con.close()
