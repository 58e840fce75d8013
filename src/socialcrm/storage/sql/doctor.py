"""Checking a SQL store's health without changing it: ``socialcrm doctor`` on a URL.

The TinyDB doctor (:mod:`socialcrm.storage.doctor`) checks files; here the
database keeps its own pages whole, so what is left to check is what socialcrm
asks of it: that it can be reached (and, across a network, encrypted), that its
schema is the one this code uses, that every document is a valid model whose
copied-out columns agree with it, that the identity and e-mail tables say
what the prospects say, that the database still enforces unique identities,
and that each prospect has its history.  The tables are read as streams
(``yield_per``), one at a time, keeping per prospect only its id, pipeline and
index keys.  Nothing is ever written.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from socialcrm.errors import SocialCRMError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.storage.doctor import DoctorReport, Finding, chmod_command
from socialcrm.storage.sql.urls import mask_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from socialcrm.storage.sql.connections import SQLStore

__all__ = ["doctor"]

_MAX_REPORTED = 5  # bad documents reported one by one
_STREAM = 1000
_LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}
_UPGRADE_FIX = N_("run 'socialcrm db upgrade'")
_DATA_FIX = N_(
    "a row was changed outside socialcrm: find it with the id given, then fix or delete it "
    "(or restore the database from its backup)"
)
_BAD_DOCUMENT = {
    "prospect": N_("prospect {id}: {error}"),
    "event": N_("event {id}: {error}"),
}
_COLUMNS_DISAGREE = {
    "prospect": N_("prospect {id}: columns {columns} disagree"),
    "event": N_("event {id}: columns {columns} disagree"),
}
_INDEX_DIFFERS = {
    "identities": N_(
        "the identities table differs from the prospects' identities "
        "({missing} missing, {extra} extra)"
    ),
    "e-mails": N_(
        "the e-mails table differs from the prospects' e-mails ({missing} missing, {extra} extra)"
    ),
}


def doctor(url: str) -> DoctorReport:
    """Check the database store at ``url`` (connectivity, schema, documents, indexes)."""
    label = mask_url(url)
    report = DoctorReport(label)
    findings = report.findings
    try:
        from socialcrm.storage.sql.connections import SQLStore

        store = SQLStore(url)
        store.connect(create=False)
    except SocialCRMError as exc:
        findings.append(Finding("error", "connect", exc.message, None, exc.hint))
        return report
    try:
        with store._translated(), store.engine.connect() as conn:
            _diagnose(store, conn, report)
    except SocialCRMError as exc:
        findings.append(Finding("error", "database", exc.message, None, exc.hint))
    finally:
        store.close()
    if not report.problems:
        findings.insert(0, Finding("ok", "healthy", _("the database is reachable and consistent")))
    return report


def _diagnose(store: SQLStore, conn: Connection, report: DoctorReport) -> None:
    from socialcrm.storage.sql.migrate import read_status, refusal

    findings = report.findings
    if conn.dialect.name == "postgresql":
        _server_findings(store, conn, findings)
    else:
        _file_findings(store, findings)
    status = read_status(conn)
    report.schema = status.schema
    problem = refusal(status, report.path)
    if problem is not None:
        level = "warning" if status.state == "older" else "error"
        code = {"missing": "not-upgraded", "older": "schema-older", "newer": "schema-newer"}
        fix = problem.hint or _(_UPGRADE_FIX)
        findings.append(
            Finding(level, code.get(status.state, "schema-unknown"), problem.message, None, fix)
        )
        return
    _constraint_findings(conn, findings)
    _Checks(conn, report).run()


def _server_findings(store: SQLStore, conn: Connection, findings: list[Finding]) -> None:
    from sqlalchemy import text

    url = store.engine.url
    encrypted = conn.execute(
        text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    ).scalar()
    local = url.host in _LOCAL_HOSTS or str(url.host).startswith("/")
    if not encrypted and not local:
        findings.append(
            Finding(
                "warning",
                "tls",
                _(
                    "the connection to {host} is not encrypted: personal data crosses the "
                    "network in clear"
                ).format(host=url.host),
                None,
                _("add ?sslmode=verify-full (or at least require) to the URL"),
            )
        )
    dead = conn.execute(
        text(
            "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables "
            "WHERE relname LIKE 'socialcrm\\_%'"
        )
    ).scalar()
    if dead:
        findings.append(
            Finding(
                "info",
                "dead-rows",
                _("about {count} deleted or replaced row version(s) are still on disk").format(
                    count=int(dead)
                ),
                None,
                _("autovacuum reclaims them; after an erasure run VACUUM (see docs/storage.md)"),
            )
        )


def _file_findings(store: SQLStore, findings: list[Finding]) -> None:
    from socialcrm.storage.sql.engine import sqlite_file

    path = sqlite_file(store.engine.url)
    if path is None:
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077:
            findings.append(
                Finding(
                    "warning",
                    "permissions",
                    _(
                        "file is accessible to other users (mode {mode}); it holds personal data"
                    ).format(mode=f"{mode:04o}"),
                    str(file),
                    chmod_command(file, 0o600),
                )
            )


def _constraint_findings(conn: Connection, findings: list[Finding]) -> None:
    from sqlalchemy import inspect

    inspector = inspect(conn)
    key = inspector.get_pk_constraint("socialcrm_identities").get("constrained_columns")
    if sorted(key or ()) != ["key", "pipeline"]:
        findings.append(
            Finding(
                "error",
                "identity-constraint",
                _(
                    "the database no longer enforces one prospect per identity and pipeline "
                    "(the primary key of socialcrm_identities was changed)"
                ),
                None,
                _(
                    "restore the schema: drop the database objects changed by hand, then "
                    "'socialcrm db upgrade', or restore a backup"
                ),
            )
        )


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):  # SQLite gives naive UTC times back
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


class _Checks:
    """The document and index checks, one table at a time."""

    def __init__(self, conn: Connection, report: DoctorReport) -> None:
        self.conn = conn
        self.report = report
        self.pipelines: dict[str, str] = {}  # prospect id -> pipeline
        self.keys: set[tuple[str, str, str]] = set()  # (pipeline, network:handle, id)
        self.emails: set[tuple[str, str, str]] = set()  # (pipeline, e-mail, id)
        self.with_events: set[str] = set()
        self.bad = 0

    def _stream(self, *columns: Any) -> Iterator[Any]:
        from sqlalchemy import select

        stmt = select(*columns).execution_options(yield_per=_STREAM)
        yield from self.conn.execute(stmt)

    def _bad(self, code: str, message: str) -> None:
        self.bad += 1
        if self.bad <= _MAX_REPORTED:
            self.report.findings.append(Finding("error", code, message, None, _(_DATA_FIX)))

    def run(self) -> None:
        self._prospects()
        self._indexes()
        self._events()
        self._summaries()
        self._summary()

    def _documents(self, table: Any, what: str, build: Any, expect: Any) -> Iterator[Any]:
        """Each row of ``table`` whose document builds a model agreeing with its columns.

        Yields ``(row, model)``; a bad document or disagreeing columns are reported.
        """
        columns = [c for c in table.c if c.name != "doc"]
        for row in self._stream(*columns, table.c.doc):
            if what == "event" and row.prospect_id not in self.pipelines:
                self._bad(
                    "orphan-event",
                    _("event {id} of unknown prospect {prospect}").format(
                        id=row.id, prospect=row.prospect_id
                    ),
                )
                continue
            try:
                model = build(row.doc)
            except SocialCRMError as exc:
                self._bad(f"bad-{what}", _(_BAD_DOCUMENT[what]).format(id=row.id, error=exc))
                yield row, None
                continue
            expected = expect(model)
            differ = [c.name for c in columns if _utc(row._mapping[c.name]) != expected[c.name]]
            if differ:
                self._bad(
                    "columns",
                    _(_COLUMNS_DISAGREE[what]).format(id=row.id, columns=", ".join(differ)),
                )
            yield row, model

    def _prospects(self) -> None:
        from socialcrm.storage.sql.rows import prospect_from_doc, prospect_row
        from socialcrm.storage.sql.schema import prospects

        for row, prospect in self._documents(
            prospects, "prospect", prospect_from_doc, prospect_row
        ):
            self.pipelines[row.id] = row.pipeline
            if prospect is None:
                continue
            pid = prospect.id
            self.keys.update((prospect.pipeline, i.key, pid) for i in prospect.identities)
            self.emails.update(
                (prospect.pipeline, e.casefold(), pid) for e in dict.fromkeys(prospect.emails)
            )

    def _indexes(self) -> None:
        from socialcrm.storage.sql.schema import emails, identities

        found = {
            tuple(r)
            for r in self._stream(identities.c.pipeline, identities.c.key, identities.c.prospect_id)
        }
        self._compare("identity-index", "identities", found, self.keys)
        found = {
            tuple(r) for r in self._stream(emails.c.pipeline, emails.c.email, emails.c.prospect_id)
        }
        self._compare("email-index", "e-mails", found, self.emails)

    def _compare(self, code: str, what: str, found: set[Any], expected: set[Any]) -> None:
        if found != expected:
            self.report.findings.append(
                Finding(
                    "error",
                    code,
                    _(_INDEX_DIFFERS[what]).format(
                        missing=len(expected - found), extra=len(found - expected)
                    ),
                    None,
                    _("re-save the prospects concerned (socialcrm edit), or restore a backup"),
                )
            )

    def _events(self) -> None:
        from socialcrm.storage.sql.rows import event_from_doc, event_row
        from socialcrm.storage.sql.schema import events

        count = 0
        for row, _event in self._documents(events, "event", event_from_doc, event_row):
            count += 1
            self.with_events.add(row.prospect_id)
        self.report.events = count

    def _summaries(self) -> None:
        """Each prospect's summary row equals the one its record and events give."""
        from sqlalchemy import select

        from socialcrm.storage.sql.connections import chunks
        from socialcrm.storage.sql.schema import prospects, summaries
        from socialcrm.storage.sql.summaries import expected_rows
        from socialcrm.storage.summary_check import out_of_step

        wrong: list[str] = []
        for chunk in chunks(sorted(self.pipelines)):
            stored = {
                row.prospect_id: dict(row._mapping)
                for row in self.conn.execute(
                    select(summaries).where(summaries.c.prospect_id.in_(chunk))
                )
            }
            docs = self.conn.execute(
                select(prospects.c.id, prospects.c.doc).where(prospects.c.id.in_(chunk))
            )
            try:
                expected = expected_rows(self.conn, dict(docs.all()))
            except SocialCRMError:  # a bad document, reported above: check one at a time
                expected = {}
                for pid in chunk:
                    try:
                        expected |= expected_rows(self.conn, {pid: self._doc(pid)})
                    except SocialCRMError:
                        stored.pop(pid, None)
            wrong += sorted(p for p in {*stored, *expected} if stored.get(p) != expected.get(p))
        self.report.findings += out_of_step(wrong, None)

    def _doc(self, pid: str) -> Any:
        from sqlalchemy import select

        from socialcrm.storage.sql.schema import prospects

        return self.conn.execute(select(prospects.c.doc).where(prospects.c.id == pid)).scalar()

    def _summary(self) -> None:
        from sqlalchemy import select

        from socialcrm.storage.sql.schema import pipelines

        findings = self.report.findings
        self.report.prospects = len(self.pipelines)
        if self.bad > _MAX_REPORTED:
            findings.append(
                Finding(
                    "error",
                    "more",
                    _("{count} more bad row(s) not listed").format(count=self.bad - _MAX_REPORTED),
                )
            )
        silent = sorted(self.pipelines.keys() - self.with_events)
        if silent:
            findings.append(
                Finding(
                    "warning",
                    "no-history",
                    _(
                        "{count} prospect(s) without any event (e.g. {id}): their "
                        "history was lost or never written"
                    ).format(count=len(silent), id=silent[0]),
                    None,
                    _("restore the database from a backup if events went missing"),
                )
            )
        declared = set(self.conn.execute(select(pipelines.c.name)).scalars())
        unknown = sorted(set(self.pipelines.values()) - declared)
        if unknown:
            findings.append(
                Finding(
                    "info",
                    "pipelines",
                    _("prospects in pipeline(s) not declared: {names}").format(
                        names=", ".join(unknown)
                    ),
                    None,
                    _("create them with 'socialcrm pipeline create NAME' to give them settings"),
                )
            )
