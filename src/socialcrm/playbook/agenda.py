"""The agenda: what the rep should do now, most urgent first, with the command to act.

``today`` gathers, over the open prospects of the current pipeline:

1. **replies not yet answered** — their last inbound message is newer than the
   rep's last outbound one (most urgent: a prospect who answered waits);
2. **sequence steps due** — today (UTC day) or overdue;
3. **prospects waiting** in their stage longer than the pipeline's limit for
   that stage (defaults in :data:`DEFAULT_STAGE_LIMITS`, in days, overridden
   per stage in ``settings["stage_limits"]``);
4. **data expiring** — anyone (won customers excepted) whose data expires
   within :data:`RETENTION_NOTICE_DAYS` or has expired
   (:mod:`socialcrm.privacy.retention`): ask them, or purge.

Urgency is a tier (reply 2000, privacy 1500, step 1000, waiting 0) plus the days of delay,
so within a tier the longest wait comes first.  A prospect who replied is
never offered a follow-up: their sequence stopped with the reply, and their
item is the reply to answer, or, once answered, a move forward.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.digest import agenda_events_for
from socialcrm.errors import ValidationError
from socialcrm.history import last_event_of, stage_spans
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import EventKind, MessageReceived, Pipeline, Prospect
from socialcrm.playbook import STAGE_LIMITS_KEY
from socialcrm.repository import Query
from socialcrm.stages import Stage, Status

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.models import Event
    from socialcrm.privacy.retention import Retention

__all__ = [
    "DEFAULT_STAGE_LIMITS",
    "RETENTION_NOTICE_DAYS",
    "AgendaItem",
    "set_stage_limit",
    "stage_limits",
    "today",
]

DEFAULT_STAGE_LIMITS: dict[Stage, int] = {
    Stage.PROFILE: 7,
    Stage.IDENTIFY: 7,
    Stage.NOTORIETY: 21,
    Stage.CONTACT: 14,
    Stage.CONVERT: 30,
}
"""Days a prospect may stay in a stage before the agenda brings it up."""

_TIER = {"reply": 2000.0, "expired": 1500.0, "expiring": 1500.0, "step": 1000.0, "waiting": 0.0}

RETENTION_NOTICE_DAYS = 30
"""How long before a person's data expires ``today`` brings it up."""


@frozen
class AgendaItem:
    """One thing to do, why, since when, and the command that does it."""

    kind: str  # "reply" | "expired" | "expiring" | "step" | "waiting"
    prospect_id: str
    name: str
    stage: Stage
    since: datetime
    days: float
    summary: str
    command: str
    owner: str | None = None  # the rep whose prospect it is (``today --all``)
    template: str = ""
    """``summary`` as a message with ``{placeholders}`` (marked for translation): the
    CLI shows ``_(template).format(**values)``; ``summary`` (and JSON) stay English."""
    values: tuple[tuple[str, str], ...] = ()

    @property
    def urgency(self) -> float:
        return _TIER[self.kind] + self.days

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "prospect_id": self.prospect_id,
            "name": self.name,
            "stage": self.stage.value,
            "since": self.since.isoformat(),
            "days": round(self.days, 2),
            "urgency": round(self.urgency, 2),
            "summary": self.summary,
            "command": self.command,
            "owner": self.owner,
        }


def stage_limits(pipeline: Pipeline) -> dict[Stage, int]:
    """Days allowed per stage: the defaults overridden by ``settings["stage_limits"]``."""
    limits = dict(DEFAULT_STAGE_LIMITS)
    raw = pipeline.settings.get(STAGE_LIMITS_KEY) or {}
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            try:
                stage = Stage(str(key))
            except ValueError:
                continue
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                limits[stage] = value
    return limits


def set_stage_limit(crm: CRM, stage: Stage | str, days: int | None) -> dict[Stage, int]:
    """Set (or with ``None`` reset to the default) how long a stage may last."""
    target = stage if isinstance(stage, Stage) else Stage.parse(stage)
    if days is not None and days <= 0:
        raise ValidationError(_("a stage limit is a number of days > 0"), field="days", value=days)
    raw = dict(crm.pipeline.settings.get(STAGE_LIMITS_KEY) or {})
    if days is None:
        raw.pop(target.value, None)
    else:
        raw[target.value] = days
    return stage_limits(crm.update_pipeline_settings({STAGE_LIMITS_KEY: raw or None}))


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _item(
    kind: str,
    p: Prospect,
    since: datetime,
    overdue: float,
    message: str,
    command: str,
    owner: str | None = None,
    /,
    **values: object,
) -> AgendaItem:
    """An item whose summary is ``message`` filled with ``values`` (kept for display)."""
    texts = tuple((k, str(v)) for k, v in values.items())
    summary = message.format(**dict(texts))
    return AgendaItem(
        kind, p.id, p.name, p.stage, since, overdue, summary, command, owner, message, texts
    )


def _replied(days: float) -> str:
    whole = int(days)
    if whole <= 0:
        return N_("replied today: “{excerpt}” — answer them")
    if whole == 1:
        return N_("replied 1 day ago: “{excerpt}” — answer them")
    return N_("replied {days} days ago: “{excerpt}” — answer them")


def _unanswered(events: list[Event]) -> Event | None:
    received = last_event_of(events, {EventKind.MESSAGE_RECEIVED})
    if received is None:
        return None
    sent = last_event_of(events, {EventKind.MESSAGE_SENT})
    if sent is not None and (sent.at, sent.id) > (received.at, received.id):
        return None
    return received


def _waiting_command(crm: CRM, p: Prospect, events: list[Event], has_icp: bool) -> str:
    replied = any(e.kind is EventKind.MESSAGE_RECEIVED for e in events)
    if p.stage is Stage.IDENTIFY:
        return f"socialcrm score {p.id}" if has_icp else f"socialcrm qualify {p.id}"
    if p.stage is Stage.NOTORIETY:
        if p.point_of_interest is None:
            return f'socialcrm interest {p.id} "WHAT THEY SHARED"'
        return f"socialcrm advance {p.id}"
    if p.stage is Stage.CONTACT:
        if replied:  # never a follow-up after a reply: move on
            return f"socialcrm advance {p.id}"
        return f"socialcrm sequence enroll {p.id} SEQUENCE"
    if p.stage is Stage.CONVERT:
        return f"socialcrm won {p.id}"
    return f"socialcrm advance {p.id}"


def _expiry_item(p: Prospect, retention: Retention, now: datetime) -> AgendaItem | None:
    """The privacy item of ``p`` when its data expires within the notice days (or did)."""
    expires = retention.expires_at
    if expires is None or expires > now + timedelta(days=RETENTION_NOTICE_DAYS):
        return None
    runs = {"period": retention.period, "anchor": retention.anchor, "date": f"{expires:%Y-%m-%d}"}
    if expires <= now:
        return _item(
            "expired",
            p,
            expires,
            _days(now - expires),
            N_("data expired {date} ({period} from {anchor}) — erase it"),
            "socialcrm privacy purge --expired",
            **runs,
        )
    return _item(
        "expiring",
        p,
        expires,
        0.0,
        N_(
            "data expires {date} ({period} from {anchor}) — ask if they still want to hear from you"
        ),
        f"socialcrm privacy ask {p.id}",
        **runs,
    )


def today(
    crm: CRM, now: datetime | None = None, *, owner: str | None = None, replay: bool = False
) -> list[AgendaItem]:
    """The agenda of the current pipeline at ``now``, most urgent first.

    With ``owner``, one rep's agenda: the prospects they own and those nobody
    owns yet (a store from before owners, or prospects added by a host without
    an actor), never a colleague's.  Each prospect's items come from the few
    events they depend on (:mod:`socialcrm.digest`); ``replay`` reads every
    event instead (the same answer, slower: what tests compare against).
    """
    from socialcrm.playbook.icp import get_icp
    from socialcrm.playbook.sequences import list_sequences, progress
    from socialcrm.privacy.retention import retention_of
    from socialcrm.privacy.settings import settings_of

    now = now or crm.now()
    horizon = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    pipeline = crm.pipeline
    limits = stage_limits(pipeline)
    sequences = list_sequences(pipeline)
    has_icp = get_icp(pipeline) is not None
    period = settings_of(pipeline).retention
    items: list[AgendaItem] = []
    # every status: a lost prospect's data expires too
    prospects = {
        p.id: p
        for p in crm.repository.query(Query(pipeline=pipeline.name, owner=owner, unowned=True))
    }
    # in the store's order (one read per events file), not one read per prospect:
    # the items are sorted at the end
    read = crm.repository.events_for if replay else partial(agenda_events_for, crm.repository)
    for pid, events in read(list(prospects)):
        p = prospects[pid]
        expiry = _expiry_item(p, retention_of(p, events, period), now)
        if expiry is not None:
            items.append(expiry)
        if p.status is not Status.OPEN:
            continue
        reply = _unanswered(events)
        if reply is not None:
            assert isinstance(reply.payload, MessageReceived)
            text = " ".join(reply.payload.text.split())
            excerpt = text if len(text) <= 60 else text[:57] + "…"
            days = _days(now - reply.at)
            items.append(
                _item(
                    "reply",
                    p,
                    reply.at,
                    days,
                    _replied(days),
                    f'socialcrm message {p.id} --sent "YOUR ANSWER"',
                    p.owner,
                    days=int(days),
                    excerpt=excerpt,
                )
            )
            continue  # nothing else to propose before the reply is answered
        current = progress(p, events, sequences)
        if current is not None and current.active:
            assert current.due_at is not None and current.next_step is not None
            if current.due_at < horizon:
                step = next(s for s in sequences if s.name == current.sequence).steps[
                    current.next_step
                ]
                days = _days(now - current.due_at)
                template = (
                    N_(
                        "step {step}/{steps} of sequence '{sequence}' ({network} {channel}, "
                        "template '{template}') due today"
                    )
                    if days < 1
                    else N_(
                        "step {step}/{steps} of sequence '{sequence}' ({network} {channel}, "
                        "template '{template}') {late} day(s) overdue"
                    )
                )
                items.append(
                    _item(
                        "step",
                        p,
                        current.due_at,
                        max(days, 0.0),
                        template,
                        f"socialcrm next {p.id}",
                        p.owner,
                        step=current.next_step + 1,
                        steps=current.step_count,
                        sequence=current.sequence,
                        network=step.network,
                        channel=step.channel,
                        template=step.template,
                        late=int(days),
                    )
                )
            continue  # the sequence sets the pace
        spans = stage_spans(events)
        if not spans:
            continue
        entered = spans[-1].start
        waited = _days(now - entered)
        limit = limits[p.stage]
        if waited > limit:
            items.append(
                _item(
                    "waiting",
                    p,
                    entered,
                    waited - limit,
                    N_("in {stage} for {days} days (limit {limit})"),
                    _waiting_command(crm, p, events, has_icp),
                    p.owner,
                    stage=p.stage.value,
                    days=int(waited),
                    limit=limit,
                )
            )
    items.sort(key=lambda i: (-i.urgency, i.name.casefold(), i.prospect_id))
    return items
