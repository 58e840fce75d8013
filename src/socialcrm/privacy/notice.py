"""The GDPR art. 14 information notice: given or not, given with a message, overdue.

The data comes from social networks, not from the person, so the controller
must tell them — at the latest with the first message, and within one month
of collection otherwise (art. 14(3)); the right to object is presented
separately (art. 21(4)).  The tool cannot send the notice, but it records that
it was given (a ``notice_given`` event, with its channel and language), offers
to append the short notice to a first message (checked against the channel's
length limit), and lists who is overdue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.activity import message_change
from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import Event, EventKind, NoticeGiven, Payload, Prospect
from socialcrm.privacy.settings import LANGUAGES, settings_of
from socialcrm.privacy.texts import render_text
from socialcrm.repository import Query
from socialcrm.text import check
from socialcrm.value import Value

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "NOTICE_DEADLINE_DAYS",
    "LoggedMessage",
    "NoticeStatus",
    "Overdue",
    "collected_at",
    "log_message",
    "notice_status",
    "notice_text",
    "overdue",
    "record_notice",
]

NOTICE_DEADLINE_DAYS = 30
"""GDPR art. 14(3)(a): "within a reasonable period … at the latest within one month"."""

CONTACT_KINDS = frozenset({EventKind.MESSAGE_SENT, EventKind.MESSAGE_RECEIVED})


@frozen(repr=False, eq=False)
class NoticeStatus(Value):
    """Whether and how the notice was given (the latest time)."""

    given: bool
    at: datetime | None = None
    channel: str | None = None
    language: str | None = None
    with_message: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "given": self.given,
            "at": self.at.isoformat() if self.at else None,
            "channel": self.channel,
            "language": self.language,
            "with_message": self.with_message,
        }


def notice_status(events: list[Event]) -> NoticeStatus:
    """The notice as the events record it (the last ``notice_given``)."""
    given = [e for e in events if isinstance(e.payload, NoticeGiven)]
    if not given:
        return NoticeStatus(False)
    last = max(given, key=lambda e: (e.at, e.id))
    assert isinstance(last.payload, NoticeGiven)
    p = last.payload
    return NoticeStatus(True, last.at, p.channel, p.language, p.with_message)


def collected_at(p: Prospect) -> datetime:
    """When the data was collected: the source's date, else when the person was added."""
    return p.source.collected_at if p.source and p.source.collected_at else p.created_at


def _language(crm: CRM, language: str | None) -> str:
    chosen = (language or settings_of(crm.pipeline).language).strip().lower()
    if chosen not in LANGUAGES:
        raise ValidationError(
            _("unsupported language {language!r}").format(language=language),
            field="language",
            hint=_("one of: ") + ", ".join(LANGUAGES),
        )
    return chosen


def notice_text(
    crm: CRM, ref: str, *, short: bool = False, language: str | None = None
) -> tuple[Prospect, str]:
    """The notice (full or ``short``) for the person ``ref`` names, in ``language``."""
    prospect = crm.resolve(ref)
    chosen = _language(crm, language)
    kind = "short" if short else "notice"
    return prospect, render_text(settings_of(crm.pipeline), kind, prospect, language=chosen)


def record_notice(
    crm: CRM, ref: str, *, channel: str | None = None, language: str | None = None
) -> Prospect:
    """Record that the notice was given to ``ref`` another way (e-mail, letter, in person)."""
    if channel is not None:
        check(channel, "channel")
    chosen = _language(crm, language)
    with crm.recording.transaction() as recorder:
        prospect = crm.resolve(ref)
        payload = NoticeGiven(channel=channel or None, language=chosen, with_message=False)
        recorded = recorder.record(prospect, [payload], prospect_id=prospect.id)
    return recorded.prospect or prospect


@frozen(repr=False, eq=False)
class LoggedMessage(Value):
    """A message logged: the prospect, the text as logged, and whether the notice is missing."""

    prospect: Prospect
    text: str
    notice_missing: bool
    notice_appended: bool


def log_message(
    crm: CRM,
    ref: str,
    text: str,
    *,
    received: bool = False,
    channel: str | None = None,
    network: str | None = None,
    with_notice: bool = False,
    language: str | None = None,
) -> LoggedMessage:
    """Log a message as :meth:`CRM.log_message` does, minding the notice.

    ``with_notice`` appends the pipeline's short notice to a sent message (the
    whole text checked against the channel's limit) and records
    ``notice_given``; otherwise a sent message to someone who never had the
    notice is logged and reported (``notice_missing``) so the rep can give it.
    """
    if with_notice and received:
        raise ValidationError(_("--with-notice is for a message you send"), field="with_notice")
    plain = message_change(crm, text, received=received, channel=channel, network=network)
    chosen = _language(crm, language) if with_notice else None
    with crm.recording.transaction() as recorder:
        before = crm.resolve(ref)
        status = notice_status(crm.repository.events(before.id))
        logged = text
        if with_notice:
            notice = render_text(settings_of(crm.pipeline), "short", before, language=chosen)
            logged = f"{text.rstrip()}\n\n{notice}"
            after, payloads = message_change(crm, logged, channel=channel, network=network)(before)
            sent = payloads[-1]
            where = ".".join(x for x in (getattr(sent, "network", None), channel) if x)
            extra: list[Payload] = [
                NoticeGiven(channel=where or None, language=chosen, with_message=True)
            ]
            payloads = [*payloads, *extra]
        else:
            after, payloads = plain(before)
        recorded = recorder.record(after, payloads, prospect_id=before.id)
    missing = not received and not with_notice and not status.given
    return LoggedMessage(recorded.prospect or after, logged, missing, with_notice)


@frozen(repr=False, eq=False)
class Overdue(Value):
    """Someone who should have had the notice by now."""

    prospect_id: str
    name: str
    pipeline: str
    collected_at: datetime
    days: int
    reason: str  # "no notice, no contact" | "messaged without the notice" (English, N_)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prospect_id": self.prospect_id,
            "name": self.name,
            "pipeline": self.pipeline,
            "collected_at": self.collected_at.isoformat(),
            "days_since_collection": self.days,
            "reason": self.reason,
        }


def _pipelines(crm: CRM, all_pipelines: bool) -> list[str]:
    if all_pipelines:
        return [p.name for p in crm.repository.list_pipelines()]
    return [crm.pipeline.name]


def people_with_events(crm: CRM, all_pipelines: bool) -> Iterator[tuple[Prospect, list[Event]]]:
    """Every prospect of the pipeline(s) with its events (one read per events file)."""
    for name in _pipelines(crm, all_pipelines):
        prospects = {p.id: p for p in crm.repository.query(Query(pipeline=name, sort="id"))}
        for pid, events in crm.repository.events_for(prospects):
            yield prospects[pid], events


def overdue(crm: CRM, *, now: datetime | None = None, all_pipelines: bool = False) -> list[Overdue]:
    """People collected over 30 days ago with neither notice nor contact, and people
    messaged without ever having had it; oldest collection first."""
    now = now or crm.now()
    found: list[Overdue] = []
    for p, events in people_with_events(crm, all_pipelines):
        if notice_status(events).given:
            continue
        collected = collected_at(p)
        days = (now - collected).days
        if any(e.kind is EventKind.MESSAGE_SENT for e in events):
            reason = N_("messaged without the notice")
        elif any(e.kind in CONTACT_KINDS for e in events):
            continue  # they wrote first: the notice is due with the answer (message --sent)
        elif now - collected > timedelta(days=NOTICE_DEADLINE_DAYS):
            reason = N_("no notice, no contact")
        else:
            continue
        found.append(Overdue(p.id, p.name, p.pipeline, collected, days, reason))
    found.sort(key=lambda o: (o.collected_at, o.prospect_id))
    return found
