"""The right of access (GDPR art. 15): one document with everything about one person.

The person is found in the current pipeline by any reference, then in
**every** pipeline by what identifies them (prospect id, e-mails, profile
identities), so their records across offers come together.  The document
holds each record's fields, identities, source and lawful basis, the notice's
status, the retention date, every event (notes and messages included), the
suppression status, and which backups still hold them.  Nothing about anyone
else: only the person's own records are read (a test checks).

The JSON form validates against ``docs/schema/access-export.schema.json``;
:func:`render_html` gives a readable page, every value escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from socialcrm.atomic_files import write_atomic
from socialcrm.models import MessageReceived, MessageSent, Note, Prospect
from socialcrm.privacy import identifiers as ids
from socialcrm.privacy.basis import BASIS_TEXT
from socialcrm.privacy.notice import notice_status
from socialcrm.privacy.retention import retention_of
from socialcrm.privacy.settings import settings_of
from socialcrm.serialization import to_dict

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "EXPORT_FORMAT",
    "access_document",
    "html_path_for",
    "person_records",
    "render_html",
    "suppression_status",
    "write_access_export",
]

EXPORT_FORMAT = "socialcrm-access-export"
_ROUNDS = 5  # identifiers found in one pipeline may lead to another: a few rounds suffice


def person_records(crm: CRM, ref: str) -> list[Prospect]:
    """The person ``ref`` names (current pipeline) and their records in every pipeline.

    Records are the same person when they share an e-mail or a profile
    identity; a name alone never joins two records.
    """
    first = crm.resolve(ref)
    found: dict[str, Prospect] = {first.id: first}
    pipelines = [p.name for p in crm.repository.list_pipelines()]
    for _ in range(_ROUNDS):
        emails = {e.casefold() for p in found.values() for e in p.emails}
        keys = {i.key for p in found.values() for i in p.identities}
        before = len(found)
        for name in pipelines:
            for email in sorted(emails):
                for p in crm.repository.find_by_email(name, email):
                    found.setdefault(p.id, p)
            for key in sorted(keys):
                owner = crm.repository.find_by_identity(name, key)
                if owner is not None:
                    found.setdefault(owner.id, owner)
        if len(found) == before:
            break
    return sorted(found.values(), key=lambda p: (p.pipeline, p.created_at, p.id))


class FoundBackup(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class BackupScanResult(Protocol):
    @property
    def holding(self) -> Sequence[FoundBackup]: ...
    @property
    def unreadable(self) -> Sequence[str]: ...
    @property
    def scanned(self) -> int: ...


@runtime_checkable
class ScansBackups(Protocol):
    """A store whose own backups can be searched for a person (directory stores)."""

    def backups_holding(self, needles: Iterable[str]) -> BackupScanResult:
        """The backups whose files contain one of ``needles`` (case-insensitive)."""
        ...


def suppression_status(crm: CRM, records: list[Prospect]) -> dict[str, Any]:
    """Whether any identifier of the person is on the store's suppression list.

    A stored person normally is not (an erasure or objection removes them, and
    ``privacy suppress`` refuses a stored person's identifier); the export says
    what it checked either way.
    """
    from socialcrm.privacy.suppression import Suppression

    listed = Suppression(crm.repository)
    kinds = sorted({k for p in records for k in listed.matching(ids.of_prospect(p))})
    return {
        "suppressed": bool(kinds),
        "status": f"suppressed ({', '.join(kinds)})" if kinds else "not suppressed",
        "checked_against": f"the store's suppression list ({len(listed)} keyed digest(s))",
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _record(crm: CRM, p: Prospect, now: datetime) -> dict[str, Any]:
    pipeline = crm.get_pipeline(p.pipeline)
    settings = settings_of(pipeline)
    events = crm.repository.events(p.id)
    article, english, _french = BASIS_TEXT[p.lawful_basis]
    notes: list[dict[str, Any]] = []
    if p.notes:
        notes.append({"at": None, "text": p.notes, "kind": "description"})
    messages: list[dict[str, Any]] = []
    for e in events:
        payload = e.payload
        if isinstance(payload, Note):
            notes.append({"at": e.at.isoformat(), "text": payload.text, "kind": "note"})
        elif isinstance(payload, MessageSent | MessageReceived):
            messages.append(
                {
                    "at": e.at.isoformat(),
                    "direction": "sent" if isinstance(payload, MessageSent) else "received",
                    "network": payload.network,
                    "channel": payload.channel,
                    "text": payload.text,
                }
            )
    source = p.source
    return {
        "pipeline": p.pipeline,
        "controller": settings.controller,
        "contact": settings.contact,
        "purpose": settings.purpose,
        "prospect": to_dict(p),
        "source": {
            "network": source.network if source else None,
            "url": source.url if source else None,
            "collected_at": _iso(source.collected_at if source else None) or _iso(p.created_at),
            "note": source.note if source else None,
        },
        "lawful_basis": {"value": p.lawful_basis.value, "article": article, "meaning": english},
        "notice": notice_status(events).to_dict(),
        "retention": retention_of(p, events, settings.retention).to_dict(now),
        "notes": notes,
        "messages": messages,
        "events": [to_dict(e) for e in events],
    }


def access_document(
    crm: CRM,
    ref: str,
    *,
    now: datetime | None = None,
    suppression: Callable[[CRM, list[Prospect]], dict[str, Any]] = suppression_status,
) -> dict[str, Any]:
    """The access export of the person ``ref`` names, as a JSON-able document.

    The backups that still hold the person are listed when the store keeps
    backups of its own (:class:`ScansBackups`: the directory store); a
    database's backups are its administrator's.
    """
    from socialcrm import __version__

    now = now or crm.now()
    records = person_records(crm, ref)
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "v": 1,
        "generated_at": now.isoformat(),
        "generator": f"socialcrm {__version__}",
        "records": [_record(crm, p, now) for p in records],
        "suppression": suppression(crm, records),
    }
    scanner = crm.repository if isinstance(crm.repository, ScansBackups) else None
    if scanner is None:
        document["backups"] = {
            "applicable": False,
            "note": "a database store: its backups are the database's own (ask its administrator)",
            "scanned": 0,
            "holding": [],
            "unreadable": [],
        }
    else:
        needles = {p.id for p in records}
        needles |= {e for p in records for e in p.emails}
        needles |= {i.key for p in records for i in p.identities}
        needles |= {i.url for p in records for i in p.identities}
        scan = scanner.backups_holding(sorted(needles))
        document["backups"] = {
            "applicable": True,
            "note": "backups of this store that still hold this person (until rotated away)",
            "scanned": scan.scanned,
            "holding": [h.to_dict() for h in scan.holding],
            "unreadable": list(scan.unreadable),
        }
    return document


# ----------------------------------------------------------------------- rendering


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def render_html(document: dict[str, Any]) -> str:
    """A readable page of the access export; every value escaped."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Personal data held about you</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "th{text-align:left;vertical-align:top;padding-right:1em}"
        "td{white-space:pre-wrap}</style></head><body>",
        "<h1>Personal data held about you</h1>",
        f"<p>Generated {_e(document['generated_at'])} by {_e(document['generator'])}.</p>",
    ]
    for record in document["records"]:
        p = record["prospect"]
        parts.append(f"<h2>{_e(p['name'])} — pipeline {_e(record['pipeline'])}</h2>")
        fields = [(k, v) for k, v in p.items() if k not in {"v", "identities", "source"} and v]
        fields += [(f"profile ({i['network']})", i["url"]) for i in p["identities"]]
        parts.append(_table([(str(k), v) for k, v in fields]))
        parts.append("<h3>Source, basis, notice, retention</h3>")
        source = record["source"]
        basis = record["lawful_basis"]
        notice = record["notice"]
        retention = record["retention"]
        parts.append(
            _table(
                [
                    ("controller", record["controller"]),
                    ("contact", record["contact"]),
                    ("purpose", record["purpose"]),
                    ("source", " ".join(str(x) for x in (source["note"], source["url"]) if x)),
                    ("collected", source["collected_at"]),
                    ("lawful basis", f"{basis['meaning']} (GDPR {basis['article']})"),
                    (
                        "information notice",
                        f"given {notice['at']}" if notice["given"] else "not recorded as given",
                    ),
                    (
                        "kept until",
                        retention["expires_at"]
                        or "the end of the customer relationship + " + retention["period"],
                    ),
                ]
            )
        )
        if record["notes"]:
            parts.append("<h3>Notes</h3>")
            parts.append(_table([(n["at"] or "description", n["text"]) for n in record["notes"]]))
        if record["messages"]:
            parts.append("<h3>Messages</h3>")
            parts.append(
                _table([(f"{m['at']} {m['direction']}", m["text"]) for m in record["messages"]])
            )
        parts.append("<h3>History</h3>")
        parts.append(
            _table(
                [
                    (e["at"], json.dumps(e["payload"], ensure_ascii=False, sort_keys=True))
                    for e in record["events"]
                ]
            )
        )
    suppression = document["suppression"]
    backups = document["backups"]
    parts.append("<h2>Objection and backups</h2>")
    parts.append(
        _table(
            [
                ("suppression list", suppression["status"]),
                ("backups", backups["note"]),
                *[(h["created_at"], f"{h['kind']} {h['file']}") for h in backups["holding"]],
            ]
        )
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def html_path_for(out: Path) -> Path:
    """Where the readable page of an export written to ``out`` goes (``x.json`` → ``x.html``)."""
    return (
        out.with_suffix(".html")
        if out.suffix.lower() == ".json"
        else out.with_name(out.name + ".html")
    )


def write_access_export(crm: CRM, ref: str, out: Path) -> tuple[dict[str, Any], Path, Path]:
    """Write the access export of ``ref`` to ``out`` (JSON) and its HTML page next to it,
    both 0600; returns the document and the two paths."""
    document = access_document(crm, ref)
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    page = html_path_for(out)
    write_atomic(out, data)
    write_atomic(page, render_html(document).encode("utf-8"))
    return document, out, page
