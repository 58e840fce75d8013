"""Calendar follow-ups: the agenda as an iCalendar file the rep's calendar imports.

``today --ics`` and ``agenda export --ics`` write one event per thing to do —
a reply to answer, a sequence step, a prospect waiting too long in a stage —
each holding the command that does it.  Re-importing a newer export *updates*
the events instead of adding copies: each event's ``UID`` is derived from what
it is about (the pipeline, the prospect, the step of the sequence, the reply,
the stage entered), never from when the file was written.

Times are written in UTC (``DTSTART:…Z``), placed in the rep's day: what is
due today or overdue is laid out from :data:`DAY_START` (rep's time zone) in
the agenda's order, one :data:`SLOT` each; a future step goes on its due day,
in the same way.  Calendars show them in the rep's own zone.

Where entries come from is a list, :data:`SOURCES`, of functions
``(crm, now, until) -> entries``: the agenda, the coming sequence steps and the
retention reviews of the privacy due list (:func:`retention_reviews`); another
feature adds its own function there and its events land in the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import frozen

from socialcrm.repository import Query
from socialcrm.stages import Status

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "DAY_START",
    "SLOT",
    "SOURCES",
    "CalendarEntry",
    "EntrySource",
    "agenda_entries",
    "entries",
    "retention_reviews",
    "to_ics",
    "upcoming_steps",
    "write_ics",
]

DAY_START = time(9, 0)
"""When the rep's follow-ups start, in the rep's time zone."""
SLOT = timedelta(minutes=15)
"""How long each event lasts; the day's events follow one another."""
PRODID = "-//socialcrm//calendar follow-ups//EN"


@frozen
class CalendarEntry:
    """One thing to do on a day: what, about whom, the command, and its stable identity."""

    key: str  # what the event is about: the same thing to do gives the same key
    kind: str  # "reply" | "step" | "waiting" | "retention" (and whatever a source adds)
    prospect_id: str
    name: str
    due: datetime  # UTC: when it is (or was) due
    summary: str
    why: str
    command: str

    @property
    def uid(self) -> str:
        """The event's UID: a digest of :attr:`key`, so re-exports update the same event."""
        digest = hashlib.sha256(self.key.encode("utf-8")).hexdigest()[:32]
        return f"{digest}@socialcrm"


EntrySource = Callable[["CRM", datetime, datetime], Iterable[CalendarEntry]]
"""A function giving the entries due before ``until`` (``now`` for what is overdue)."""


def agenda_entries(crm: CRM, now: datetime, until: datetime) -> list[CalendarEntry]:
    """Today's agenda (:func:`socialcrm.playbook.agenda.today`) as entries."""
    from socialcrm.playbook.agenda import today

    pipeline = crm.pipeline.name
    found = []
    for item in today(crm, now):
        if item.kind in ("expired", "expiring"):
            continue  # a retention review: :func:`retention_reviews` places it
        if item.kind == "reply":
            key = f"{pipeline}/{item.prospect_id}/reply/{item.since.isoformat()}"
            summary = f"Answer {item.name}"
        elif item.kind == "step":
            key = f"{pipeline}/{item.prospect_id}/step/{item.since.isoformat()}"
            summary = f"Follow up {item.name} (sequence step)"
        else:
            key = f"{pipeline}/{item.prospect_id}/{item.kind}/{item.since.isoformat()}"
            summary = f"Move {item.name} on ({item.stage.value})"
        due = item.since if item.kind == "step" else now
        found.append(
            CalendarEntry(
                key,
                item.kind,
                item.prospect_id,
                item.name,
                due,
                summary,
                item.summary,
                item.command,
            )
        )
    return found


def upcoming_steps(crm: CRM, now: datetime, until: datetime) -> list[CalendarEntry]:
    """The next step of each active sequence falling due after today and before ``until``."""
    from socialcrm.playbook.sequences import list_sequences, progress

    pipeline = crm.pipeline
    sequences = list_sequences(pipeline)
    if not sequences:
        return []
    horizon = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    prospects = {
        p.id: p for p in crm.repository.query(Query(pipeline=pipeline.name, status=Status.OPEN))
    }
    found = []
    for pid, events in crm.repository.events_for(prospects):
        p = prospects[pid]
        current = progress(p, events, sequences)
        if current is None or not current.active or current.due_at is None:
            continue
        if not horizon <= current.due_at < until or current.next_step is None:
            continue  # due today (the agenda has it) or beyond the export
        step = next(s for s in sequences if s.name == current.sequence).steps[current.next_step]
        found.append(
            CalendarEntry(
                f"{pipeline.name}/{p.id}/step/{current.due_at.isoformat()}",
                "step",
                p.id,
                p.name,
                current.due_at,
                f"Follow up {p.name} (sequence step)",
                f"step {current.next_step + 1}/{current.step_count} of sequence "
                f"'{current.sequence}' ({step.network} {step.channel}, template "
                f"'{step.template}')",
                f"socialcrm next {p.id}",
            )
        )
    return found


def retention_reviews(crm: CRM, now: datetime, until: datetime) -> list[CalendarEntry]:
    """Retention reviews from the privacy due list (:func:`socialcrm.privacy.retention.due`).

    A person's review falls :data:`~socialcrm.playbook.agenda.RETENTION_NOTICE_DAYS`
    before their data expires (time to ask whether they still want to hear from
    the rep); once expired, the review is today's and the command erases.
    """
    from socialcrm.playbook.agenda import RETENTION_NOTICE_DAYS
    from socialcrm.privacy.retention import due

    notice = timedelta(days=RETENTION_NOTICE_DAYS)
    span = f"{max(0, (until - now).days) + RETENTION_NOTICE_DAYS + 1}d"
    found = []
    for r in due(crm, within=span, now=now):
        assert r.expires_at is not None  # due() lists no customer
        review = r.expires_at - notice
        if review >= until:
            continue
        expired = r.is_expired(now)
        found.append(
            CalendarEntry(
                f"{r.pipeline}/{r.prospect_id}/retention/{r.expires_at.isoformat()}",
                "retention",
                r.prospect_id,
                r.name,
                max(review, now) if not expired else now,
                f"Retention review: {r.name}",
                f"data {'expired' if expired else 'expires'} {r.expires_at:%Y-%m-%d} "
                f"({r.period} from {r.anchor})",
                "socialcrm privacy purge --expired"
                if expired
                else f"socialcrm privacy ask {r.prospect_id}",
            )
        )
    return found


SOURCES: list[EntrySource] = [agenda_entries, upcoming_steps, retention_reviews]
"""Where calendar entries come from; a feature appends its own source here."""


def entries(
    crm: CRM,
    *,
    now: datetime | None = None,
    days: int = 1,
    sources: Sequence[EntrySource] | None = None,
) -> list[CalendarEntry]:
    """Entries due today (or overdue) and over the next ``days`` days (0: today's), one per key."""
    now = now or crm.now()
    until = now + timedelta(days=max(days, 0))
    seen: dict[str, CalendarEntry] = {}
    for source in SOURCES if sources is None else sources:
        for entry in source(crm, now, until):
            seen.setdefault(entry.key, entry)
    return list(seen.values())


def _placed(
    entries_: Iterable[CalendarEntry], now: datetime, tz: tzinfo
) -> list[tuple[CalendarEntry, datetime]]:
    """Each entry with its start (UTC): its day (today if overdue) from DAY_START, in order."""
    today = now.astimezone(tz).date()
    next_slot: dict[date, datetime] = {}
    placed = []
    for entry in entries_:
        day = max(entry.due.astimezone(tz).date(), today)
        start = next_slot.get(day) or datetime.combine(day, DAY_START, tzinfo=tz)
        next_slot[day] = start + SLOT
        placed.append((entry, start.astimezone(UTC)))
    return placed


def to_ics(
    found: Iterable[CalendarEntry],
    *,
    now: datetime,
    tz: tzinfo,
    runnable: Callable[[str], str] = str,
) -> bytes:
    """The iCalendar document (RFC 5545) of ``found``; ``runnable`` completes each command."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "socialcrm follow-ups")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for entry, start in _placed(found, now, tz):
        command = runnable(entry.command)
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + SLOT)
        event.add("summary", entry.summary)
        event.add("description", f"{entry.why}\n\nRun: {command}")
        event.add("categories", ["socialcrm", entry.kind])
        event.add("x-socialcrm-command", command)
        event.add("x-socialcrm-prospect", entry.prospect_id)
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def write_ics(path: Path, data: bytes) -> None:
    """Write the file crash-safely, mode 0600 (it names prospects: personal data)."""
    from socialcrm.atomic_files import write_atomic

    write_atomic(path, data)
