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

from socialcrm.formats import ProspectRecord
from socialcrm.i18n import text as _
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


#: Planned prospects held in memory before they are written to the file together
#: (one statement per batch instead of several per prospect).
PENDING_MAX = 500


class _Planned(NamedTuple):
    """A planned prospect not written to the file yet, and its keys."""

    prospect: Prospect
    created_row: int | None
    scored: bool
    keys: tuple[list[str], list[str], str]


class PlanIndex:
    """Every prospect an import has read or planned, and its match keys, on disk.

    ``load(pipeline)`` reads the pipeline from the store once, one stage at a
    time.  ``add`` records a planned prospect (replacing its keys); the last
    :data:`PENDING_MAX` are kept in memory, looked up first, and written to the
    file together.  The file is private (a 0700 temporary directory) and
    removed by :meth:`close`.
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
        self.pending: dict[str, _Planned] = {}
        # keys of the pending prospects: (pipeline, key) -> ids
        self.pending_keys: dict[str, dict[tuple[str, str], set[str]]] = {
            "ident": {},
            "email": {},
            "name": {},
        }

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    # -- reading the store ------------------------------------------------------------
    def load(self, pipeline: str, prospects: Iterable[Prospect], *, docs: bool) -> None:
        """Index ``prospects`` (the store's, for ``pipeline``) unless already done.

        Without ``docs`` only keys, ids and names are kept (what activities need);
        a document is then read from the store when asked for.  A prospect the
        plan has changed keeps the plan's version.
        """
        loaded = self.loaded.get(pipeline)
        if loaded is not None and (loaded or not docs):
            return
        self.flush()
        batch: list[Prospect] = []
        for p in prospects:
            batch.append(p)
            if len(batch) >= PENDING_MAX:
                self._load_batch(batch, docs)
                batch = []
        self._load_batch(batch, docs)
        self.loaded[pipeline] = docs

    def _load_batch(self, prospects: list[Prospect], docs: bool) -> None:
        changed = {
            row[0]
            for row in self.db.execute(
                f"SELECT id FROM prospect WHERE changed AND id IN ({_marks(len(prospects))})",
                [p.id for p in prospects],
            )
        }
        rows, keyed = [], []
        for p in prospects:
            if p.id in changed:
                continue  # the plan's version wins
            keys = _keys(p)
            rows.append((p.id, p.pipeline, p.name, _encode(p) if docs else None, _pack(p, keys)))
            keyed.append((p, keys))
        self.db.executemany(
            "INSERT INTO prospect (id, pipeline, name, doc, keys) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET doc = coalesce(excluded.doc, doc)",
            rows,
        )
        self._insert_keys(keyed)

    # -- the plan -------------------------------------------------------------------------
    def add(self, p: Prospect, *, scored: bool, created_row: int | None = None) -> None:
        """Plan ``p`` as it will be stored (``scored``: as the plan's ICP scored it)."""
        old = self.pending.pop(p.id, None)
        if old is not None:
            self._forget_pending_keys(old)
            created_row = created_row or old.created_row
        planned = _Planned(p, created_row, scored, _keys(p))
        self.pending[p.id] = planned
        identities, emails, name = planned.keys
        keys = self.pending_keys
        for table, values in (("ident", identities), ("email", emails), ("name", [name])):
            for key in values:
                keys[table].setdefault((p.pipeline, key), set()).add(p.id)
        if len(self.pending) >= PENDING_MAX:
            self.flush()

    def _forget_pending_keys(self, old: _Planned) -> None:
        identities, emails, name = old.keys
        pipeline = old.prospect.pipeline
        for table, values in (("ident", identities), ("email", emails), ("name", [name])):
            for key in values:
                ids = self.pending_keys[table].get((pipeline, key))
                if ids is not None:
                    ids.discard(old.prospect.id)
                    if not ids:
                        del self.pending_keys[table][(pipeline, key)]

    def flush(self) -> None:
        """Write the pending prospects (documents and keys) to the file."""
        if not self.pending:
            return
        planned = list(self.pending.values())
        ids = [item.prospect.id for item in planned]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for pid, keys in self.db.execute(
                f"SELECT id, keys FROM prospect WHERE id IN ({_marks(len(chunk))})", chunk
            ).fetchall():
                self._unkey(pid, keys)
        self.db.executemany(
            "INSERT INTO prospect (id, pipeline, name, doc, keys, created_row, changed, scored) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (id) DO UPDATE SET "
            "pipeline = excluded.pipeline, name = excluded.name, doc = excluded.doc, "
            "keys = excluded.keys, created_row = coalesce(excluded.created_row, created_row), "
            "changed = 1, scored = excluded.scored",
            [
                (
                    p.id,
                    p.pipeline,
                    p.name,
                    _encode(p),
                    _pack(p, item.keys),
                    item.created_row,
                    1 if item.scored else 0,
                )
                for item in planned
                for p in (item.prospect,)
            ],
        )
        self._insert_keys([(item.prospect, item.keys) for item in planned])
        self.pending.clear()
        for table in self.pending_keys.values():
            table.clear()

    def _insert_keys(self, keyed: list[tuple[Prospect, tuple[list[str], list[str], str]]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO ident VALUES (?, ?, ?)",
            [(p.pipeline, key, p.id) for p, (identities, _, _) in keyed for key in identities],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO email VALUES (?, ?, ?)",
            [(p.pipeline, key, p.id) for p, (_, emails, _) in keyed for key in emails],
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO name VALUES (?, ?, ?)",
            [(p.pipeline, name, p.id) for p, (_, _, name) in keyed],
        )

    def _unkey(self, pid: str, keys: bytes) -> None:
        pipeline, identities, emails, name = orjson.loads(keys)
        self.db.executemany(
            "DELETE FROM ident WHERE pipeline = ? AND key = ? AND id = ?",
            [(pipeline, key, pid) for key in identities],
        )
        self.db.executemany(
            "DELETE FROM email WHERE pipeline = ? AND key = ? AND id = ?",
            [(pipeline, key, pid) for key in emails],
        )
        self.db.execute(
            "DELETE FROM name WHERE pipeline = ? AND key = ? AND id = ?", (pipeline, name, pid)
        )

    def get(self, pid: str) -> Prospect | None:
        """The prospect as planned or read; ``None`` if unknown or only indexed by key."""
        planned = self.pending.get(pid)
        if planned is not None:
            return planned.prospect
        found = self.db.execute("SELECT doc FROM prospect WHERE id = ?", (pid,)).fetchone()
        if found is None or found[0] is None:
            return None
        return from_stored_dict(Prospect, orjson.loads(found[0]))

    def knows(self, pid: str) -> bool:
        if pid in self.pending:
            return True
        return self.db.execute("SELECT 1 FROM prospect WHERE id = ?", (pid,)).fetchone() is not None

    def created_row(self, pid: str) -> int | None:
        """The row of this import that created ``pid``, if it did."""
        planned = self.pending.get(pid)
        if planned is not None and planned.created_row is not None:
            return planned.created_row
        found = self.db.execute("SELECT created_row FROM prospect WHERE id = ?", (pid,)).fetchone()
        return None if found is None else found[0]

    def changed(self, *, unscored_only: bool) -> Iterator[Prospect]:
        """The prospects the import staged (only those not staged as scored, if asked)."""
        self.flush()
        sql = "SELECT doc FROM prospect WHERE changed"
        if unscored_only:
            sql += " AND NOT scored"
        for (doc,) in _rows(self.db, sql):
            yield from_stored_dict(Prospect, orjson.loads(doc))

    # -- matching ----------------------------------------------------------------------
    def _lookup(self, table: str, pipeline: str, key: str) -> list[str]:
        """Ids holding ``key`` in ``table``: pending ones, and written ones whose
        pending version (if any) still holds it."""
        found = set(self.pending_keys[table].get((pipeline, key), ()))
        for (pid,) in self.db.execute(
            f"SELECT id FROM {table} WHERE pipeline = ? AND key = ?", (pipeline, key)
        ):
            if pid not in self.pending:
                found.add(pid)
        return sorted(found)

    def owner(self, pipeline: str, key: str) -> str | None:
        """The prospect holding identity ``key`` in ``pipeline``."""
        ids = self._lookup("ident", pipeline, key)
        return ids[-1] if ids else None

    def target(self, pipeline: str, key: str) -> Target | None:
        """The prospect holding identity ``key``, as activities need it."""
        pid = self.owner(pipeline, key)
        if pid is None:
            return None
        planned = self.pending.get(pid)
        if planned is not None:
            return Target(pid, planned.prospect.name, planned.prospect.pipeline)
        name, pipeline_of = self.db.execute(
            "SELECT name, pipeline FROM prospect WHERE id = ?", (pid,)
        ).fetchone()
        return Target(pid, name, pipeline_of)

    def ids(self, pipeline: str, chunk: int) -> Iterator[list[str]]:
        """Every prospect id of ``pipeline`` known to the index, ``chunk`` at a time."""
        self.flush()
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
            for pid in self._lookup("email", pipeline, email.casefold()):
                ids.setdefault(pid, None)
        if not ids and not identities and not emails and record is not None:
            for pid in self._lookup("name", pipeline, nfc(record.name).casefold()):
                p = fetch(pid)
                same_company = (
                    not record.company
                    or not p.company
                    or (nfc(record.company).casefold() == p.company.casefold())
                )
                # a name-only prospect (a Facebook friend) may lack the record's keys (a
                # friend request's date); any other must hold the same values
                loose = not p.identities
                same_custom = all(
                    p.custom.get(nfc(k)) == nfc(v) or (loose and nfc(k) not in p.custom)
                    for k, v in record.custom.items()
                )
                if same_company and same_custom:
                    ids.setdefault(pid, None)
        if len(ids) > 1:
            listed = ", ".join(f"{pid} ({fetch(pid).name})" for pid in ids)
            raise RowError(
                _(
                    "matches several prospects: {listed}; merge them first ('socialcrm merge')"
                ).format(listed=listed),
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


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _pack(p: Prospect, keys: tuple[list[str], list[str], str]) -> bytes:
    identities, emails, name = keys
    return orjson.dumps([p.pipeline, identities, emails, name])


def _rows(db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
    """Rows of ``sql`` one at a time (a cursor, never the whole result in memory)."""
    yield from db.execute(sql, params)
