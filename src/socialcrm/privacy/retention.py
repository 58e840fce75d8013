"""The retention clock (GDPR art. 5(1)(e); CNIL référentiel "activités commerciales").

A prospect's data is kept for the pipeline's period (3 years by default) from
its collection or from the **last contact initiated by the prospect**,
whichever is later; then the rep may ask once whether they still want to hear
from the company, and without a yes the data is erased.  Customers (won) are
kept for the relationship plus the period: the tool does not know when a
relationship ends, so it never expires them (that stays the user's call).

Only what the prospect did moves the clock (:func:`prospect_initiated`): a
received message (a reply), an inbound comment or mention, an accepted
meeting (``engage … --inbound``).  The rep's messages, views, imports and
edits never do — the CNIL fined KASPR for restarting the clock on every
profile update.  Everything is computed from events and takes ``now``
explicitly, so tests run on a frozen clock.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.models import Event, Interaction, MessageReceived, Prospect
from socialcrm.privacy.notice import people_with_events
from socialcrm.privacy.settings import Duration, parse_duration, settings_of
from socialcrm.privacy.texts import render_text
from socialcrm.stages import Status
from socialcrm.summary import summary_of
from socialcrm.value import Value

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "INBOUND_CONTACT_TYPES",
    "Draft",
    "PurgeReport",
    "Retention",
    "add_duration",
    "ask_draft",
    "due",
    "erase",
    "expired",
    "prospect_initiated",
    "purge_expired",
    "retention_of",
    "retention_of_summary",
]

INBOUND_CONTACT_TYPES = frozenset({"comment", "mention", "meeting"})
"""Interactions that are a contact *from* the prospect when ``inbound`` (a like or a
view is not: the CNIL does not count merely opening an e-mail)."""


def prospect_initiated(event: Event) -> bool:
    """Whether ``event`` is a contact initiated by the prospect (it restarts the clock)."""
    payload = event.payload
    if isinstance(payload, MessageReceived):
        return True
    return (
        isinstance(payload, Interaction)
        and payload.inbound
        and payload.type in INBOUND_CONTACT_TYPES
    )


def add_duration(start: datetime, duration: Duration) -> datetime:
    """``start`` plus calendar months (the day clamped to the month's end) plus days."""
    month_index = start.month - 1 + duration.months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day) + timedelta(days=duration.days)


@frozen(repr=False, eq=False)
class Retention(Value):
    """When one prospect's data expires, and why then."""

    prospect_id: str
    name: str
    pipeline: str
    collected_at: datetime
    last_inbound_at: datetime | None
    expires_at: datetime | None  # None: a customer, kept while the relationship lasts
    period: Duration

    @property
    def customer(self) -> bool:
        return self.expires_at is None

    @property
    def anchor(self) -> str:
        """What the clock runs from: ``collection`` or ``their last contact``."""
        if self.last_inbound_at is not None and self.last_inbound_at > self.collected_at:
            return "their last contact"
        return "collection"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def days_left(self, now: datetime) -> int | None:
        return None if self.expires_at is None else (self.expires_at - now).days

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "prospect_id": self.prospect_id,
            "name": self.name,
            "pipeline": self.pipeline,
            "collected_at": self.collected_at.isoformat(),
            "last_contact_by_them_at": self.last_inbound_at.isoformat()
            if self.last_inbound_at
            else None,
            "runs_from": "relationship" if self.customer else self.anchor,
            "period": str(self.period),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "customer": self.customer,
        }
        if now is not None:
            data["days_left"] = self.days_left(now)
            data["expired"] = self.is_expired(now)
        return data


def retention_of(p: Prospect, events: list[Event], period: Duration) -> Retention:
    """``p``'s retention: ``period`` from collection or their last contact, whichever is later."""
    return retention_of_summary(p.id, summary_of(p, events), period)


def last_inbound(folded: Mapping[str, Any]) -> datetime | None:
    """The last contact initiated by the prospect (:func:`prospect_initiated`), from
    the events' part of their summary (:class:`~socialcrm.summary.EventsSummary`)."""
    times = [folded["rx"][0]] if "rx" in folded else []
    times += [at for kind, at in folded.get("ib", {}).items() if kind in INBOUND_CONTACT_TYPES]
    return max(map(datetime.fromisoformat, times), default=None)


def retention_of_summary(prospect_id: str, s: Mapping[str, Any], period: Duration) -> Retention:
    """:func:`retention_of` from a prospect's summary (:mod:`socialcrm.summary`)."""
    collected = datetime.fromisoformat(s.get("sc") or s["c"])  # as notice.collected_at
    last = last_inbound(s["e"])
    anchor = max(collected, last) if last is not None else collected
    expires = None if s["st"] == Status.WON.value else add_duration(anchor, period)
    return Retention(prospect_id, s["n"], s["pl"], collected, last, expires, period)


def _periods(crm: CRM) -> dict[str, Duration]:
    return {pl.name: settings_of(pl).retention for pl in crm.repository.list_pipelines()}


def retention_for(crm: CRM, p: Prospect, events: list[Event] | None = None) -> Retention:
    """One prospect's retention, with its own pipeline's period."""
    pipeline = crm.get_pipeline(p.pipeline)
    found = crm.repository.events(p.id) if events is None else events
    return retention_of(p, found, settings_of(pipeline).retention)


def due(
    crm: CRM,
    *,
    within: Duration | str = "30d",
    now: datetime | None = None,
    all_pipelines: bool = False,
) -> list[Retention]:
    """People whose data expires before ``now + within`` (expired ones included), soonest first."""
    now = now or crm.now()
    span = parse_duration(within, field="within") if isinstance(within, str) else within
    horizon = add_duration(now, span)
    periods = _periods(crm)
    found = [
        r
        for p, events in people_with_events(crm, all_pipelines)
        if (r := retention_of(p, events, periods[p.pipeline])).expires_at is not None
        and r.expires_at <= horizon
    ]
    found.sort(key=lambda r: (r.expires_at, r.prospect_id))
    return found


def expired(
    crm: CRM, *, now: datetime | None = None, all_pipelines: bool = False
) -> list[Retention]:
    """People whose data has expired at ``now`` (customers never), oldest expiry first."""
    now = now or crm.now()
    return [
        r for r in due(crm, within="1d", now=now, all_pipelines=all_pipelines) if r.is_expired(now)
    ]


def erase(crm: CRM, prospects: list[Prospect]) -> None:
    """Erase ``prospects`` through the one wipe path (reason ``expiry``: every
    pipeline, event, index key and backup; the audit log and journal get their
    lines; no suppression — they did not object, their time ran out)."""
    from socialcrm.privacy.erasure import wipe

    if prospects:
        wipe(crm, prospects, "expiry")


@frozen(repr=False, eq=False)
class PurgeReport(Value):
    """What a purge erased (or, in a dry run, would erase)."""

    erased: list[Retention]
    dry_run: bool
    now: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "count": len(self.erased),
            "erased" if not self.dry_run else "would_erase": [
                r.to_dict(self.now) for r in self.erased
            ],
        }


def purge_expired(
    crm: CRM, *, dry_run: bool = False, now: datetime | None = None, all_pipelines: bool = False
) -> PurgeReport:
    """Erase everyone whose data has expired at ``now``, all at once through :func:`erase`.

    Each person is checked again just before erasure (a reply logged meanwhile
    restarts their clock and saves them).
    """
    now = now or crm.now()
    candidates = expired(crm, now=now, all_pipelines=all_pipelines)
    if dry_run:
        return PurgeReport(candidates, True, now)
    done: list[Retention] = []
    going: list[Prospect] = []
    for r in candidates:
        current = crm.repository.get(r.prospect_id)
        if current is None:
            continue
        again = retention_for(crm, current)
        if again.is_expired(now):
            going.append(current)
            done.append(again)
    erase(crm, going)
    return PurgeReport(done, False, now)


@frozen(repr=False, eq=False)
class Draft(Value):
    """The "do you still want to hear from us?" message for one person."""

    prospect: Prospect
    text: str
    retention: Retention
    length: int | None = None
    limit: int | None = None


def ask_draft(
    crm: CRM,
    ref: str,
    *,
    network: str | None = None,
    channel: str | None = None,
    language: str | None = None,
) -> Draft:
    """The re-contact message for ``ref`` from the pipeline's ``ask`` text (checked against
    the channel's limit when a channel is given)."""
    prospect = crm.resolve(ref)
    settings = settings_of(crm.pipeline)
    text = render_text(settings, "ask", prospect, language=language)
    net = network or (prospect.identities[0].network if len(prospect.identities) == 1 else None)
    length = limit = None
    if channel and net:
        length = crm.networks.check_message(net, channel, text)
        limit = crm.networks.channel(net, channel).limit
    return Draft(prospect, text, retention_for(crm, prospect), length, limit)
