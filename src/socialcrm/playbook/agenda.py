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

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from heapq import nsmallest
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline
from socialcrm.playbook import STAGE_LIMITS_KEY
from socialcrm.playbook.followups import FollowUp
from socialcrm.playbook.sequences import Progress, progress_of_summary
from socialcrm.privacy.retention import Retention, retention_of_summary
from socialcrm.privacy.settings import Duration
from socialcrm.repository import Query
from socialcrm.stages import STAGE_OF, Stage, Status
from socialcrm.summary import later, summaries, utc_text

if TYPE_CHECKING:
    from socialcrm.crm import CRM

#: ``(id, name, stage)`` of the prospect an item is about.
_Who = tuple[str, str, Stage]
_OPEN, _WON = Status.OPEN.value, Status.WON.value

__all__ = [
    "DEFAULT_STAGE_LIMITS",
    "PLACEHOLDERS",
    "RETENTION_NOTICE_DAYS",
    "Agenda",
    "AgendaItem",
    "agenda",
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

#: What the rep types in place of these words of a suggested command (the CLI
#: shows them in the rep's language; the item and its JSON keep them in English).
ANSWER, SHARED, SEQUENCE = N_("YOUR ANSWER"), N_("WHAT THEY SHARED"), N_("SEQUENCE")
PLACEHOLDERS = (ANSWER, SHARED, SEQUENCE)

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
    who: _Who,
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
    pid, name, stage = who
    return AgendaItem(
        kind, pid, name, stage, since, overdue, summary, command, owner, message, texts
    )


def _replied(days: float) -> str:
    whole = int(days)
    if whole <= 0:
        return N_("replied today: “{excerpt}” — answer them")
    if whole == 1:
        return N_("replied 1 day ago: “{excerpt}” — answer them")
    return N_("replied {days} days ago: “{excerpt}” — answer them")


def _unanswered(folded: Mapping[str, Any]) -> list[Any] | None:
    """The last message received, if no message was sent after it."""
    received: list[Any] | None = folded.get("rx")
    sent = folded.get("tx")
    if received is None or (sent is not None and later(sent, received)):
        return None
    return received


def _entered(folded: Mapping[str, Any]) -> datetime | None:
    """When the current stage began (``history.stage_spans``: none without a creation)."""
    if "cr" not in folded:
        return None
    return datetime.fromisoformat(folded.get("sg", folded["cr"]))


def _waiting_command(pid: str, s: Mapping[str, Any], stage: Stage, has_icp: bool) -> str:
    if stage is Stage.IDENTIFY:
        return f"socialcrm score {pid}" if has_icp else f"socialcrm qualify {pid}"
    if stage is Stage.NOTORIETY:
        if not s.get("poi"):
            return f'socialcrm interest {pid} "{SHARED}"'
        return f"socialcrm advance {pid}"
    if stage is Stage.CONTACT:
        if "rx" in s["e"]:  # never a follow-up after a reply: move on
            return f"socialcrm advance {pid}"
        return f"socialcrm sequence enroll {pid} {SEQUENCE}"
    if stage is Stage.CONVERT:
        return f"socialcrm won {pid}"
    return f"socialcrm advance {pid}"


def _expiry_item(who: _Who, retention: Retention, now: datetime) -> AgendaItem | None:
    """The privacy item of ``who`` when their data expires within the notice days (or did)."""
    expires = retention.expires_at
    if expires is None or expires > now + timedelta(days=RETENTION_NOTICE_DAYS):
        return None
    runs = {"period": retention.period, "anchor": retention.anchor, "date": f"{expires:%Y-%m-%d}"}
    if expires <= now:
        return _item(
            "expired",
            who,
            expires,
            _days(now - expires),
            N_("data expired {date} ({period} from {anchor}) — erase it"),
            "socialcrm privacy purge --expired",
            **runs,
        )
    return _item(
        "expiring",
        who,
        expires,
        0.0,
        N_(
            "data expires {date} ({period} from {anchor}) — ask if they still want to hear from you"
        ),
        f"socialcrm privacy ask {who[0]}",
        **runs,
    )


@frozen
class _Rules:
    """What the agenda applies to every prospect of the pipeline at ``now``."""

    now: datetime
    horizon: datetime  # sequence steps due before it (the end of today, UTC)
    limits: dict[Stage, int]
    sequences: list[FollowUp]
    has_icp: bool
    period: Duration
    #: Data collected after this instant (ISO text, UTC) expires after the notice
    #: window whatever the contacts since: a period of M months and D days lasts at
    #: least 28·M + D days (:func:`~socialcrm.privacy.retention.add_duration`).
    collected_safe_after: str


def _rules(crm: CRM, now: datetime) -> _Rules:
    from socialcrm.playbook.icp import get_icp
    from socialcrm.playbook.sequences import list_sequences
    from socialcrm.privacy.settings import settings_of

    pipeline = crm.pipeline
    period = settings_of(pipeline).retention
    shortest = timedelta(days=28 * period.months + period.days)
    return _Rules(
        now,
        (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0),
        stage_limits(pipeline),
        list_sequences(pipeline),
        get_icp(pipeline) is not None,
        period,
        (now + timedelta(days=RETENTION_NOTICE_DAYS + 1) - shortest).isoformat(),
    )


def _may_expire(s: Mapping[str, Any], rules: _Rules) -> bool:
    """Whether ``s``'s data may expire within the notice window (``False``: surely
    not; decided on the ISO text, which sorts as time for the store's UTC dates)."""
    if s["st"] == _WON:
        return False
    collected: str = s.get("sc") or s["c"]
    return not (utc_text(collected) and collected > rules.collected_safe_after)


#: One item before it is built: its kind, its days of delay, and how to build it.
_Candidate = tuple[str, float, Callable[[], AgendaItem]]


def _items_of(pid: str, s: Mapping[str, Any], rules: _Rules) -> Iterator[_Candidate]:
    """One prospect's items, from their summary (:mod:`socialcrm.summary`).

    Only what orders the items is computed here; an item is built when shown.
    """
    now, folded = rules.now, s["e"]
    stage, owner = STAGE_OF[s["s"]], s.get("o")
    who = (pid, s["n"], stage)
    if _may_expire(s, rules):
        expiry = _expiry_item(who, retention_of_summary(pid, s, rules.period), now)
        if expiry is not None:
            yield expiry.kind, expiry.days, lambda: expiry
    if s["st"] != _OPEN:
        return
    reply = _unanswered(folded)
    if reply is not None:
        text = reply[2]
        excerpt = text if len(text) <= 60 else text[:57] + "…"
        since = datetime.fromisoformat(reply[0])
        days = _days(now - since)
        command = f'socialcrm message {pid} --sent "{ANSWER}"'
        message = _replied(days)
        yield (
            "reply",
            days,
            partial(
                _item,
                "reply",
                who,
                since,
                days,
                message,
                command,
                owner,
                days=int(days),
                excerpt=excerpt,
            ),
        )
        return  # nothing else to propose before the reply is answered
    updated = datetime.fromisoformat(s["u"])
    current = progress_of_summary(folded, Status(s["st"]), updated, rules.sequences)
    if current is not None and current.active:
        assert current.due_at is not None
        if current.due_at < rules.horizon:
            step = _step_item(who, current, rules, owner)
            yield step.kind, step.days, lambda: step
        return  # the sequence sets the pace
    entered = _entered(folded)
    if entered is None:
        return
    waited = _days(now - entered)
    limit = rules.limits[stage]
    if waited > limit:
        yield (
            "waiting",
            waited - limit,
            partial(
                _item,
                "waiting",
                who,
                entered,
                waited - limit,
                N_("in {stage} for {days} days (limit {limit})"),
                _waiting_command(pid, s, stage, rules.has_icp),
                owner,
                stage=stage.value,
                days=int(waited),
                limit=limit,
            ),
        )


def _step_item(who: _Who, current: Progress, rules: _Rules, owner: str | None) -> AgendaItem:
    assert current.due_at is not None and current.next_step is not None
    step = next(s for s in rules.sequences if s.name == current.sequence).steps[current.next_step]
    days = _days(rules.now - current.due_at)
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
    return _item(
        "step",
        who,
        current.due_at,
        max(days, 0.0),
        template,
        f"socialcrm next {who[0]}",
        owner,
        step=current.next_step + 1,
        steps=current.step_count,
        sequence=current.sequence,
        network=step.network,
        channel=step.channel,
        template=step.template,
        late=int(days),
    )


@frozen
class Agenda:
    """The most urgent items (all, or the ``limit`` asked for) and how many are due."""

    items: list[AgendaItem]
    total: int


def agenda(
    crm: CRM,
    now: datetime | None = None,
    *,
    owner: str | None = None,
    replay: bool = False,
    limit: int | None = None,
) -> Agenda:
    """The agenda of the current pipeline at ``now``, most urgent first.

    With ``owner``, one rep's agenda: the prospects they own and those nobody
    owns yet (a store from before owners, or prospects added by a host without
    an actor), never a colleague's.  Each prospect's items come from their
    summary (:mod:`socialcrm.summary`), which the store keeps; ``replay``
    computes every summary from the records and whole histories instead (the
    same answer, slower: what tests compare against).  With ``limit``, only the
    ``limit`` most urgent items are built (``total`` counts them all).
    """
    rules = _rules(crm, now or crm.now())
    # every status: a lost prospect's data expires too
    query = Query(pipeline=crm.pipeline_name, owner=owner, unowned=True)
    keyed = [
        ((-(_TIER[kind] + days), s["n"].casefold(), pid), build)
        for pid, s in summaries(crm.repository, query, replay=replay)
        for kind, days, build in _items_of(pid, s, rules)
    ]
    order = itemgetter(0)
    # stable, as sorted(): a prospect's items keep their order on a tie
    chosen = sorted(keyed, key=order) if limit is None else nsmallest(limit, keyed, key=order)
    return Agenda([build() for _key, build in chosen], len(keyed))


def today(
    crm: CRM, now: datetime | None = None, *, owner: str | None = None, replay: bool = False
) -> list[AgendaItem]:
    """Every item of :func:`agenda`, most urgent first."""
    return agenda(crm, now, owner=owner, replay=replay).items
