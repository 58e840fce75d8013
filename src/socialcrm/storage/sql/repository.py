"""The SQL store: a :class:`~socialcrm.repository.Repository` on SQLAlchemy Core.

One database transaction per ``transaction()`` block (nested blocks join it);
a write outside a block is a transaction of its own; a read outside a block
runs on a pooled connection of its own.  Concurrency (docs/storage.md):

* **prospects — row locks.** Inside a transaction every prospect a read
  returns is locked (PostgreSQL ``SELECT … FOR UPDATE``) until the commit, so
  a second rep's change to the same prospect waits, then reads the first one's
  result: the CRM computes each event from what it read, and none is lost or
  built on a stale stage.  SQLite writers are serialised whole (``BEGIN
  IMMEDIATE``).  Waits end after ``SOCIALCRM_LOCK_TIMEOUT`` seconds
  (:class:`~socialcrm.errors.StoreLockedError`).
* **pipelines and settings — versions.** They are read by nearly every
  command, so locking them would queue every rep behind every other; each row
  carries a version instead, and a transaction writing a row it read checks
  the version is still the one it read (else: "changed at the same time, run
  it again").
* **identities — the database.** ``(pipeline, network:handle)`` is a primary
  key; a conflict is reported as :class:`~socialcrm.errors.DuplicateIdentityError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from attrs import evolve
from sqlalchemy import bindparam, delete, exists, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from socialcrm.errors import DuplicateIdentityError, NotFoundError
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.repository import Query
from socialcrm.serialization import to_dict
from socialcrm.storage.sql import engine as engines
from socialcrm.storage.sql import summaries as kept
from socialcrm.storage.sql.connections import SQLStore, chunks
from socialcrm.storage.sql.filters import where_query
from socialcrm.storage.sql.migrate import refusal
from socialcrm.storage.sql.rows import (
    email_rows,
    event_from_doc,
    event_row,
    identity_rows,
    pipeline_from_doc,
    prospect_from_doc,
    prospect_row,
)
from socialcrm.storage.sql.schema import (
    emails,
    events,
    identities,
    pipelines,
    prospects,
    settings,
    summaries,
)

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.engine import Connection

    from socialcrm.cards import Card
    from socialcrm.journey import Item
    from socialcrm.summary import Summary

__all__ = ["SQLRepository"]

_IDENTITY_CONSTRAINT = "socialcrm_identities_unique"


class SQLRepository(SQLStore):
    """socialcrm's store in a PostgreSQL (or SQLite) database.

    :param url: a SQLAlchemy URL, ``postgresql://user@host/db`` or ``sqlite:///path``.
    :param lock_timeout: seconds to wait for another rep's lock (default:
        ``$SOCIALCRM_LOCK_TIMEOUT`` or 10).

    :meth:`open` checks the schema: a database never upgraded, or at an older
    revision, is refused ("run 'socialcrm db upgrade'"); a newer one raises
    :class:`~socialcrm.errors.SchemaVersionError`.  A new (missing or empty)
    SQLite file is created 0600 and upgraded on the spot.
    """

    created = False
    """Whether :meth:`open` created the database (a new SQLite file)."""

    def __repr__(self) -> str:
        return f"SQLRepository({self.label!r})"

    # ------------------------------------------------------------------ opening
    def open(self) -> Self:
        """Connect, and check the schema (creating a new SQLite file's)."""
        fresh = self.connect()
        try:
            status = self.status()
            if fresh and status.state == "missing":
                self.upgrade()
                self.created = True
            elif (problem := refusal(status, self.label)) is not None:
                raise problem
        except BaseException:
            self.close()
            raise
        return self

    # ------------------------------------------------------ pipelines and settings
    def list_pipelines(self) -> list[Pipeline]:
        with self._reading() as conn:
            docs = conn.execute(select(pipelines.c.doc)).scalars().all()
        return sorted((pipeline_from_doc(d) for d in docs), key=lambda p: p.name)

    def get_pipeline(self, name: str) -> Pipeline | None:
        with self._reading() as conn:
            doc = self._read_versioned(conn, pipelines, name)
        return None if doc is None else pipeline_from_doc(doc)

    def put_pipeline(self, pipeline: Pipeline) -> None:
        with self._writing() as conn:
            self._write_versioned(conn, pipelines, pipeline.name, to_dict(pipeline))

    def rename_pipeline(self, old: str, new: str) -> None:
        with self._writing() as conn:
            doc = self._read_versioned(conn, pipelines, old)
            if doc is None:
                raise NotFoundError(old, what="pipeline")
            self._write_versioned(conn, pipelines, old, None)
            self._write_versioned(
                conn, pipelines, new, to_dict(evolve(pipeline_from_doc(doc), name=new))
            )
            clash = conn.execute(
                select(identities.c.key, identities.c.prospect_id)
                .where(identities.c.pipeline == new)
                .where(
                    identities.c.key.in_(
                        select(identities.c.key).where(identities.c.pipeline == old)
                    )
                )
            ).first()
            if clash is not None:
                raise DuplicateIdentityError(clash[0], clash[1], new)
            docs = conn.execute(
                self._locking(select(prospects.c.doc).where(prospects.c.pipeline == old))
            ).scalars()
            moved = [evolve(prospect_from_doc(d), pipeline=new) for d in docs]
            if not moved:
                return
            for table in (identities, emails):
                conn.execute(update(table).where(table.c.pipeline == old).values(pipeline=new))
            conn.execute(
                update(prospects)
                .where(prospects.c.id == bindparam("pid"))
                .values(pipeline=new, doc=bindparam("newdoc")),
                [{"pid": p.id, "newdoc": to_dict(p)} for p in moved],
            )
            kept.prospects_written(conn, moved, self._locking)
            ids = [p.id for p in moved]
            for chunk in chunks(ids):
                rows = conn.execute(
                    select(events.c.id, events.c.doc).where(events.c.prospect_id.in_(chunk))
                ).all()
                if rows:
                    conn.execute(
                        update(events)
                        .where(events.c.id == bindparam("eid"))
                        .values(doc=bindparam("newdoc")),
                        [{"eid": eid, "newdoc": {**doc, "pipeline": new}} for eid, doc in rows],
                    )

    def delete_pipeline(self, name: str) -> None:
        with self._writing() as conn:
            if self._read_versioned(conn, pipelines, name) is not None:
                self._write_versioned(conn, pipelines, name, None)
            members = select(prospects.c.id).where(prospects.c.pipeline == name)
            conn.execute(delete(events).where(events.c.prospect_id.in_(members)))
            conn.execute(delete(identities).where(identities.c.pipeline == name))
            conn.execute(delete(emails).where(emails.c.pipeline == name))
            conn.execute(delete(summaries).where(summaries.c.prospect_id.in_(members)))
            conn.execute(delete(prospects).where(prospects.c.pipeline == name))

    def get_meta(self, key: str) -> Any:
        with self._reading() as conn:
            return self._read_versioned(conn, settings, key)

    def set_meta(self, key: str, value: Any) -> None:
        with self._writing() as conn:
            self._write_versioned(conn, settings, key, value)

    # ------------------------------------------------------------------ prospects
    def _prospects(self, conn: Connection, stmt: Select[Any]) -> list[Prospect]:
        return [prospect_from_doc(doc) for doc in conn.execute(stmt).scalars()]

    def get(self, prospect_id: str) -> Prospect | None:
        with self._reading() as conn:
            found = self._prospects(
                conn, self._locking(select(prospects.c.doc).where(prospects.c.id == prospect_id))
            )
        return found[0] if found else None

    def put(self, prospect: Prospect) -> None:
        with self._writing() as conn:
            nested = self._tx.depth > 1 and bool(prospect.identities)
            self._put_all(conn, [prospect], savepoint=nested)

    def put_many(self, prospects_: Iterable[Prospect]) -> None:
        """Like one :meth:`put` per prospect, in one transaction: all or none."""
        with self._writing() as conn:
            self._put_all(conn, list(prospects_), savepoint=self._tx.depth > 1)

    def _put_all(self, conn: Connection, batch: list[Prospect], *, savepoint: bool) -> None:
        nested = conn.begin_nested() if savepoint else None
        try:
            self._write_prospects(conn, batch)
        except IntegrityError as exc:
            if nested is not None:
                nested.rollback()
            raise self._identity_conflict(exc, batch) from None
        except BaseException:
            if nested is not None:
                nested.rollback()
            raise
        if nested is not None:
            nested.commit()

    def _write_prospects(self, conn: Connection, batch: list[Prospect]) -> None:
        """Write ``batch`` as one ``put`` per prospect would, in a few statements per chunk."""
        for chunk in chunks(batch):
            wanted = {(p.pipeline, i.key) for p in chunk for i in p.identities}
            owners: dict[tuple[str, str], str] = {}
            if wanted:
                pairs = tuple_(identities.c.pipeline, identities.c.key)
                rows = conn.execute(
                    select(identities.c.pipeline, identities.c.key, identities.c.prospect_id).where(
                        pairs.in_(sorted(wanted))
                    )
                ).all()
                owners = {(pipeline, key): pid for pipeline, key, pid in rows}
            check_claims(owners, list(chunk))
            final = list({p.id: p for p in chunk}.values())  # a prospect put twice: its last
            rows_ = [prospect_row(p) for p in final]
            stmt = self._insert(prospects)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[prospects.c.id],
                    set_={name: stmt.excluded[name] for name in rows_[0] if name != "id"},
                ),
                rows_,
            )
            ids = [p.id for p in final]
            for table, make in ((identities, identity_rows), (emails, email_rows)):
                conn.execute(delete(table).where(table.c.prospect_id.in_(ids)))
                new = [row for p in final for row in make(p)]
                if new:
                    conn.execute(insert(table), new)
            kept.prospects_written(conn, final, self._locking)

    def _identity_conflict(self, exc: IntegrityError, batch: list[Prospect]) -> Exception:
        """The error for a unique violation met while writing ``batch`` (a concurrent add).

        The other transaction has committed by now: its row is read on a connection
        of its own, as this transaction may be aborted.
        """
        orig = exc.orig
        constraint = getattr(getattr(orig, "diag", None), "constraint_name", None)
        if constraint != _IDENTITY_CONSTRAINT and "socialcrm_identities" not in str(orig):
            return engines.as_store_error(exc, self.url, timeout=self.lock_timeout)
        with self._translated(), self.engine.connect() as conn:
            for p in batch:
                for identity in p.identities:
                    owner = conn.execute(
                        select(identities.c.prospect_id)
                        .where(identities.c.pipeline == p.pipeline)
                        .where(identities.c.key == identity.key)
                    ).scalar()
                    if owner is not None and owner != p.id:
                        return DuplicateIdentityError(identity.key, owner, p.pipeline)
        return engines.as_store_error(exc, self.url, timeout=self.lock_timeout)

    def delete(self, prospect_id: str) -> None:
        with self._writing() as conn:
            for table in (events, identities, emails, summaries):
                conn.execute(delete(table).where(table.c.prospect_id == prospect_id))
            conn.execute(delete(prospects).where(prospects.c.id == prospect_id))

    def query(self, query: Query) -> list[Prospect]:
        stmt = where_query(select(prospects.c.doc), prospects, query)
        if query.min_score is not None:
            stmt = stmt.where(prospects.c.score >= query.min_score)
        if query.network is not None:
            stmt = stmt.where(
                exists().where(
                    (identities.c.prospect_id == prospects.c.id)
                    & (identities.c.network == query.network.lower())
                )
            )
        with self._reading() as conn:
            found = query.apply(self._prospects(conn, stmt))
            if not self._locks_rows() or not found:
                return found
            # Lock what the caller is given, and give it as it is once locked.
            locked: list[Prospect] = []
            for chunk in chunks([p.id for p in found]):
                locked += self._prospects(
                    conn,
                    self._locking(
                        select(prospects.c.doc)
                        .where(prospects.c.id.in_(chunk))
                        .order_by(prospects.c.id)
                    ),
                )
            return query.apply(locked)

    def count(self, pipeline: str) -> int:
        with self._reading() as conn:
            stmt = select(func.count()).select_from(prospects)
            return int(conn.execute(stmt.where(prospects.c.pipeline == pipeline)).scalar_one())

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        stmt = (
            select(prospects.c.doc)
            .where(prospects.c.pipeline == pipeline)
            .where(prospects.c.id.startswith(prefix.upper(), autoescape=True))
            .order_by(prospects.c.id)
        )
        with self._reading() as conn:
            return sorted(self._prospects(conn, self._locking(stmt)), key=lambda p: p.id)

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        stmt = (
            select(prospects.c.doc)
            .join(emails, emails.c.prospect_id == prospects.c.id)
            .where(emails.c.pipeline == pipeline)
            .where(emails.c.email == email.strip().casefold())
            .order_by(prospects.c.id)
        )
        with self._reading() as conn:
            found = self._prospects(conn, self._locking(stmt, prospects))
        return sorted(found, key=lambda p: p.id)

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        stmt = (
            select(prospects.c.doc)
            .join(identities, identities.c.prospect_id == prospects.c.id)
            .where(identities.c.pipeline == pipeline)
            .where(identities.c.key == key)
        )
        with self._reading() as conn:
            found = self._prospects(conn, self._locking(stmt, prospects))
        return found[0] if found else None

    # ------------------------------------------------------------------ events
    def append_event(self, event: Event) -> None:
        self.append_events([event])

    def append_events(self, batch: Iterable[Event]) -> None:
        """Append several events in one statement (``store copy``, imports)."""
        appended = list(batch)
        if appended:
            with self._writing() as conn:
                conn.execute(insert(events), [event_row(e) for e in appended])
                kept.events_appended(conn, appended, self._locking)

    def events(self, prospect_id: str) -> list[Event]:
        return next(iter(self.events_for([prospect_id])))[1]

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        wanted = list(dict.fromkeys(prospect_ids))
        for chunk in chunks(wanted):
            grouped: dict[str, list[Event]] = {pid: [] for pid in chunk}
            with self._reading() as conn:
                rows = conn.execute(
                    select(events.c.prospect_id, events.c.doc)
                    .where(events.c.prospect_id.in_(chunk))
                    .order_by(events.c.prospect_id, events.c.at, events.c.id)
                ).all()
            for pid, doc in rows:
                grouped[pid].append(event_from_doc(doc))
            for pid in chunk:
                yield pid, sorted(grouped[pid], key=lambda e: (e.at, e.id))

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        with self._writing() as conn:
            docs = conn.execute(
                select(events.c.doc).where(events.c.prospect_id == from_prospect_id)
            ).scalars()
            moved = [evolve(event_from_doc(d), prospect_id=to_prospect_id) for d in docs]
            if moved:
                conn.execute(
                    update(events)
                    .where(events.c.id == bindparam("eid"))
                    .values(prospect_id=to_prospect_id, doc=bindparam("newdoc")),
                    [{"eid": e.id, "newdoc": to_dict(e)} for e in moved],
                )
            kept.events_changed(conn, [from_prospect_id, to_prospect_id], self._locking)

    # ------------------------------------------- summaries and journeys (issue 23)
    def summaries(self, query: Query) -> Iterator[tuple[str, Summary]]:
        """:class:`~socialcrm.summary.KeepsSummaries`: the ``socialcrm_summaries`` rows."""
        with self._reading() as conn:
            yield from kept.read(conn, query)

    def journeys(self, query: Query) -> Iterator[tuple[str, Summary, list[Item]]]:
        """:class:`~socialcrm.journey.KeepsJourneys`: the same rows, with the journeys."""
        with self._reading() as conn:
            yield from kept.read(conn, query, journeys=True)

    def cards(self, query: Query) -> list[Card]:
        """:class:`~socialcrm.cards.ListsCards`: cards from the summaries, no model built."""
        from socialcrm.cards import Card

        return [Card.of_summary(pid, s) for pid, s in self.summaries(query)]

    def reindex(self) -> int:
        """Recompute every summary and journey in one transaction (``socialcrm reindex``)."""
        with self._writing() as conn:
            return kept.rebuild(conn)

    # ------------------------------------------------------------------ inventory
    def meta_keys(self) -> list[str]:
        """Every store setting's key (for ``store copy``)."""
        with self._reading() as conn:
            return sorted(conn.execute(select(settings.c.key)).scalars())

    def prospect_pipelines(self) -> list[str]:
        """The names of the pipelines holding prospects, declared or not (``store copy``)."""
        with self._reading() as conn:
            return sorted(conn.execute(select(prospects.c.pipeline).distinct()).scalars())


def check_claims(owners: dict[tuple[str, str], str], batch: list[Prospect]) -> None:
    """Raise as ``put`` one prospect after the other would, given the stored ``owners``.

    ``owners`` maps ``(pipeline, network:handle)`` to the owning prospect for every
    identity the batch wants.  Each prospect first frees the identities it no longer
    has (a later one of the batch may take them), then claims its own.
    """
    owned: dict[str, set[tuple[str, str]]] = {}
    for pair, pid in owners.items():
        owned.setdefault(pid, set()).add(pair)
    for p in batch:
        mine = {(p.pipeline, i.key) for i in p.identities}
        for pair in owned.pop(p.id, set()) - mine:
            del owners[pair]
        for identity in p.identities:
            owner = owners.get((p.pipeline, identity.key))
            if owner is not None and owner != p.id:
                raise DuplicateIdentityError(identity.key, owner, p.pipeline)
        for pair in mine:
            owners[pair] = p.id
        owned[p.id] = mine
