"""The pipeline as an import plan sees it, and how a record finds its prospect.

The plan looks every row up by identity key, e-mail or name instead of
querying the store row by row.  Those keys, and every prospect the import has
read or planned, live in a private SQLite file (:class:`PlanIndex`), not in
memory: kept as models, a 200,000-row import peaked at 527 MiB and a
1,000,000-row dry run at 2 GB.  Memory now stays at SQLite's page cache
(:data:`CACHE_KIB`) whatever the file or the store holds; the file is
deleted when the import ends.  Planned changes are added as they are decided,
so a later row of the same file sees them.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from socialcrm.io.formats import ProspectRecord
from socialcrm.io.importing.rows import RowError
from socialcrm.models import Identity, Prospect, nfc
from socialcrm.serialization import from_stored_dict, prospect_to_dict

__all__ = ["CACHE_KIB", "PlanIndex", "Target"]

#: SQLite's page cache for the index (KiB): the memory it may use, whatever its size.
CACHE_KIB = 8_192

_SCHEMA = """
CREATE TABLE prospect (
    id TEXT PRIMARY KEY, pipeline TEXT NOT NULL, name TEXT NOT NULL,
    doc BLOB,                -- the prospect as planned or read (NULL: ask the store)
    keys BLOB NOT NULL,      -- its match keys, to remove them when it changes
    created_row INTEGER,     -- the row that created it in this import
    changed INTEGER NOT NULL DEFAULT 0,  -- staged by this import
    scored INTEGER NOT NULL DEFAULT 0    -- staged as the plan scored it
) WITHOUT ROWID;
CREATE INDEX prospect_pipeline ON prospect (pipeline);
CREATE INDEX prospect_changed ON prospect (changed) WHERE changed;
CREATE TABLE ident (pipeline TEXT, key TEXT, id TEXT, PRIMARY KEY (pipeline, key)) WITHOUT ROWID;
CREATE TABLE email (pipeline TEXT, key TEXT, id TEXT, PRIMARY KEY (pipeline, key, id))
    WITHOUT ROWID;
CREATE TABLE name (pipeline TEXT, key TEXT, id TEXT, PRIMARY KEY (pipeline, key, id))
    WITHOUT ROWID;
CREATE TABLE told (prospect_id TEXT, event_id TEXT);
CREATE INDEX told_prospect ON told (prospect_id);
CREATE TABLE activity (key INTEGER PRIMARY KEY);
CREATE TABLE events_read (id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE entry (id TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID;
"""


class Target(NamedTuple):
    """What an activity needs of its prospect: where to attach it, whom to name."""

    id: str
    name: str
    pipeline: str


def _keys(p: Prospect) -> tuple[list[str], list[str], str]:
    """A prospect's identity keys, e-mail keys and name key."""
    return (
        [i.key for i in p.identities],
        sorted({e.casefold() for e in p.emails}),
        p.name.casefold(),
    )


def _encode(p: Prospect) -> bytes:
    return orjson.dumps(prospect_to_dict(p))


class PlanIndex:
    """Every prospect an import has read or planned, and its match keys, on disk.

    ``load(pipeline)`` reads the pipeline from the store once, one stage at a
    time.  ``add`` records a planned prospect (replacing its keys).  The file
    is private (a 0700 temporary directory) and removed by :meth:`close`.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="socialcrm-import-")
        path = Path(self._dir.name) / "plan.sqlite"
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # personal data: 0600
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            f"PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=FILE;"
            f"PRAGMA cache_size=-{CACHE_KIB}; BEGIN; {_SCHEMA} COMMIT;"
        )
        self.db.execute("BEGIN")  # one transaction for the whole import: no syncs
        self.loaded: dict[str, bool] = {}  # pipeline -> read with documents

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    # -- reading the store ------------------------------------------------------------
    def load(self, pipeline: str, prospects: Iterable[Prospect], *, docs: bool) -> None:
        """Index ``prospects`` (the store's, for ``pipeline``) unless already done.

        Without ``docs`` only keys, ids and names are kept (what activities need);
        a document is then read from the store when asked for.
        """
        loaded = self.loaded.get(pipeline)
        if loaded is not None and (loaded or not docs):
            return
        for p in prospects:
            found = self.db.execute("SELECT changed FROM prospect WHERE id = ?", (p.id,)).fetchone()
            if found is not None and found[0]:
                continue  # already planned: the plan's version wins
            self._put(p, _encode(p) if docs else None)
        self.loaded[pipeline] = docs

    # -- the plan -------------------------------------------------------------------------
    def _put(self, p: Prospect, doc: bytes | None, **state: Any) -> None:
        row = self.db.execute("SELECT keys FROM prospect WHERE id = ?", (p.id,)).fetchone()
        if row is not None:
            self._unkey(p.id, row[0])
        identities, emails, name = _keys(p)
        keys = orjson.dumps([p.pipeline, identities, emails, name])
        columns = ["id", "pipeline", "name", "doc", "keys", *state]
        self.db.execute(
            f"INSERT OR REPLACE INTO prospect ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            (p.id, p.pipeline, p.name, doc, keys, *state.values()),
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO ident VALUES (?, ?, ?)",
            [(p.pipeline, key, p.id) for key in identities],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO email VALUES (?, ?, ?)", [(p.pipeline, e, p.id) for e in emails]
        )
        self.db.execute("INSERT OR IGNORE INTO name VALUES (?, ?, ?)", (p.pipeline, name, p.id))

    def _unkey(self, pid: str, keys: bytes) -> None:
        pipeline, identities, emails, name = orjson.loads(keys)
        for key in identities:
            self.db.execute(
                "DELETE FROM ident WHERE pipeline = ? AND key = ? AND id = ?", (pipeline, key, pid)
            )
        for key in emails:
            self.db.execute(
                "DELETE FROM email WHERE pipeline = ? AND key = ? AND id = ?", (pipeline, key, pid)
            )
        self.db.execute(
            "DELETE FROM name WHERE pipeline = ? AND key = ? AND id = ?", (pipeline, name, pid)
        )

    def add(self, p: Prospect, *, scored: bool, created_row: int | None = None) -> None:
        """Plan ``p`` as it will be stored (``scored``: as the plan's ICP scored it)."""
        row = None
        if created_row is None:
            found = self.db.execute(
                "SELECT created_row FROM prospect WHERE id = ?", (p.id,)
            ).fetchone()
            row = found[0] if found else None
        self._put(
            p, _encode(p), created_row=created_row or row, changed=1, scored=1 if scored else 0
        )

    def get(self, pid: str) -> Prospect | None:
        """The prospect as planned or read; ``None`` if unknown or only indexed by key."""
        found = self.db.execute("SELECT doc FROM prospect WHERE id = ?", (pid,)).fetchone()
        if found is None or found[0] is None:
            return None
        return from_stored_dict(Prospect, orjson.loads(found[0]))

    def knows(self, pid: str) -> bool:
        return self.db.execute("SELECT 1 FROM prospect WHERE id = ?", (pid,)).fetchone() is not None

    def created_row(self, pid: str) -> int | None:
        """The row of this import that created ``pid``, if it did."""
        found = self.db.execute("SELECT created_row FROM prospect WHERE id = ?", (pid,)).fetchone()
        return None if found is None else found[0]

    def changed(self, *, unscored_only: bool) -> Iterator[Prospect]:
        """The prospects the import staged (only those not staged as scored, if asked)."""
        sql = "SELECT doc FROM prospect WHERE changed" + (
            " AND NOT scored" if unscored_only else ""
        )
        for (doc,) in _rows(self.db, sql):
            yield from_stored_dict(Prospect, orjson.loads(doc))

    # -- matching ----------------------------------------------------------------------
    def owner(self, pipeline: str, key: str) -> str | None:
        """The prospect holding identity ``key`` in ``pipeline``."""
        found = self.db.execute(
            "SELECT id FROM ident WHERE pipeline = ? AND key = ?", (pipeline, key)
        ).fetchone()
        return None if found is None else str(found[0])

    def target(self, pipeline: str, key: str) -> Target | None:
        """The prospect holding identity ``key``, as activities need it."""
        found = self.db.execute(
            "SELECT p.id, p.name, p.pipeline FROM ident i JOIN prospect p ON p.id = i.id "
            "WHERE i.pipeline = ? AND i.key = ?",
            (pipeline, key),
        ).fetchone()
        return None if found is None else Target(*found)

    def ids(self, pipeline: str, chunk: int) -> Iterator[list[str]]:
        """Every prospect id of ``pipeline`` known to the index, ``chunk`` at a time."""
        last = ""
        while True:
            page = [
                row[0]
                for row in self.db.execute(
                    "SELECT id FROM prospect WHERE pipeline = ? AND id > ? ORDER BY id LIMIT ?",
                    (pipeline, last, chunk),
                )
            ]
            if not page:
                return
            last = page[-1]
            yield page

    def first_entry(self, pid: str, row: int) -> int | None:
        """The row that first named ``pid`` in a backup, ``None`` if it is ``row``."""
        found = self.db.execute("SELECT row FROM entry WHERE id = ?", (pid,)).fetchone()
        if found is not None:
            return int(found[0])
        self.db.execute("INSERT INTO entry VALUES (?, ?)", (pid, row))
        return None

    def _ids_by(self, table: str, pipeline: str, key: str) -> list[str]:
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT id FROM {table} WHERE pipeline = ? AND key = ? ORDER BY id",
                (pipeline, key),
            )
        ]

    def match(
        self,
        pipeline: str,
        identities: Sequence[Identity],
        emails: Sequence[str],
        record: ProspectRecord | None,
        fetch: Any,
    ) -> Prospect | None:
        """The known prospect a record stands for, ``None`` for a new one.

        By profile (identity key) or e-mail (ignoring case); a record with
        neither matches by name (ignoring case) when its company and custom
        fields agree.  A record matching two prospects is refused: they are
        the same person and must be merged first.  ``fetch(pid)`` gives a
        prospect's model.
        """
        ids: dict[str, None] = {}
        for identity in identities:
            pid = self.owner(pipeline, identity.key)
            if pid is not None:
                ids.setdefault(pid, None)
        for email in emails:
            for pid in self._ids_by("email", pipeline, email.casefold()):
                ids.setdefault(pid, None)
        if not ids and not identities and not emails and record is not None:
            for pid in self._ids_by("name", pipeline, nfc(record.name).casefold()):
                p = fetch(pid)
                same_company = (
                    not record.company
                    or not p.company
                    or (nfc(record.company).casefold() == p.company.casefold())
                )
                same_custom = all(p.custom.get(nfc(k)) == nfc(v) for k, v in record.custom.items())
                if same_company and same_custom:
                    ids.setdefault(pid, None)
        if len(ids) > 1:
            listed = ", ".join(f"{pid} ({fetch(pid).name})" for pid in ids)
            raise RowError(
                f"matches several prospects: {listed}; merge them first ('socialcrm merge')",
                "identity",
            )
        return fetch(next(iter(ids))) if ids else None

    # -- activities and notifications -----------------------------------------------------
    def seen_activity(self, key: int) -> bool:
        """Record activity ``key``; whether it was recorded already."""
        cursor = self.db.execute("INSERT OR IGNORE INTO activity VALUES (?)", (key,))
        return cursor.rowcount == 0

    def add_activities(self, keys: Iterable[int]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO activity VALUES (?)", ((k,) for k in keys))

    def events_read(self, pid: str) -> bool:
        found = self.db.execute("SELECT 1 FROM events_read WHERE id = ?", (pid,)).fetchone()
        return found is not None

    def mark_events_read(self, pid: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO events_read VALUES (?)", (pid,))

    def count_events_read(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM events_read").fetchone()[0])

    def tell(self, prospect_id: str, event_id: str) -> None:
        """Remember an added event, to tell ``on_event`` after the commit."""
        self.db.execute("INSERT INTO told VALUES (?, ?)", (prospect_id, event_id))

    def told(self, chunk: int = 5_000) -> Iterator[dict[str, set[str]]]:
        """The added events' ids by prospect, ``chunk`` prospects at a time."""
        last = ""
        while True:
            batch: dict[str, set[str]] = {}
            for pid, eid in self.db.execute(
                "SELECT prospect_id, event_id FROM told WHERE prospect_id IN (SELECT DISTINCT "
                "prospect_id FROM told WHERE prospect_id > ? ORDER BY prospect_id LIMIT ?)",
                (last, chunk),
            ):
                batch.setdefault(pid, set()).add(eid)
            if not batch:
                return
            last = max(batch)
            yield batch


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
    """Rows of ``sql`` one at a time (a cursor, never the whole result in memory)."""
    yield from db.execute(sql, params)
