"""Stage 4, contact: follow-up sequences the rep runs by hand.

A sequence is a named, ordered list of steps; each step waits ``delay_days``
after the previous one (after enrolment for the first), then asks for a
message on a network channel from a template.  socialcrm never sends anything:
:func:`due` renders the message for the rep, who sends it and logs it
(``socialcrm next REF --sent`` or ``socialcrm message REF --sent … --channel``).

The progress of an enrolment is *derived from events*, never stored twice:
after the last ``sequence_enrolled`` event, each outbound message on the
step's network and channel (or logged without one) completes the next step; an
inbound message (a reply) stops the sequence — no follow-up after a reply, as
mature tools do; ``sequence_stopped`` (unenroll) stops it too; so does winning
or losing the prospect.  Definitions live in the pipeline's
``settings["sequences"]``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import (
    Event,
    EventKind,
    Prospect,
    SequenceEnrolled,
    SequenceStopped,
    nfc,
)
from socialcrm.playbook import SEQUENCES_KEY, key_name
from socialcrm.playbook.followups import FollowUp, Step, get_sequence, list_sequences, parse_step
from socialcrm.playbook.templates import Rendered, get_template, list_templates, render_for
from socialcrm.stages import Status
from socialcrm.summary import EventsSummary
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "Due",
    "FollowUp",
    "Progress",
    "State",
    "Step",
    "define",
    "delete_sequence",
    "due",
    "enroll",
    "get_sequence",
    "list_sequences",
    "mark_sent",
    "parse_step",
    "progress",
    "progress_of_summary",
    "unenroll",
]


def define(
    crm: CRM,
    name: str,
    steps: Iterable[Step | str],
    *,
    description: str = "",
    replace: bool = False,
) -> FollowUp:
    """Create (or with ``replace`` redefine) a sequence after checking every step.

    Each step's network and channel must exist and its template be defined.
    """
    key = key_name(name, "sequence", "warm-intro")
    parsed = [s if isinstance(s, Step) else parse_step(s) for s in steps]
    if not parsed:
        raise ValidationError(_("a sequence needs at least one step"), field="steps")
    templates = list_templates(crm.pipeline)
    for i, step in enumerate(parsed, 1):
        if step.delay_days < 0:
            raise ValidationError(
                _("step {i}: delay must be >= 0 days").format(i=i), field="delay_days"
            )
        crm.networks.channel(step.network, step.channel)  # both must exist
        if step.template not in templates:
            raise ValidationError(
                _("step {i}: no template named {template!r}").format(i=i, template=step.template),
                field="template",
                value=step.template,
                hint=_("create it first with 'socialcrm template set NAME TEXT'"),
            )
    sequence = FollowUp(key, tuple(parsed), nfc(description))
    with crm.repository.transaction():
        existing = dict(crm.pipeline.settings.get(SEQUENCES_KEY) or {})
        if key in existing and not replace:
            raise ValidationError(
                _("sequence {key!r} already exists").format(key=key),
                field="name",
                value=key,
                hint=_("use --replace"),
            )
        existing[key] = sequence.to_dict()
        crm.update_pipeline_settings({SEQUENCES_KEY: existing})
    return sequence


def delete_sequence(crm: CRM, name: str) -> None:
    """Delete a sequence definition; prospects enrolled in it stop being followed."""
    with crm.repository.transaction():
        sequence = get_sequence(crm.pipeline, name)
        existing = dict(crm.pipeline.settings.get(SEQUENCES_KEY) or {})
        existing.pop(sequence.name, None)
        crm.update_pipeline_settings({SEQUENCES_KEY: existing or None})


# ---------------------------------------------------------------------------
# Progress, derived from the prospect's events.


class State(enum.StrEnum):
    ACTIVE = "active"
    REPLIED = "replied"
    STOPPED = "stopped"
    COMPLETED = "completed"
    CLOSED = "closed"  # the prospect was won or lost
    MISSING = "missing"  # the sequence was deleted


@frozen
class Progress:
    """Where a prospect stands in its latest sequence."""

    sequence: str
    enrolled_at: datetime
    state: State
    done: tuple[datetime, ...]
    step_count: int
    next_step: int | None  # 0-based index of the step to do next, when active
    due_at: datetime | None
    ended_at: datetime | None = None
    reason: str | None = None

    @property
    def active(self) -> bool:
        return self.state is State.ACTIVE


def _matches(network: str | None, channel: str | None, step: Step) -> bool:
    return network in (None, step.network) and channel in (None, step.channel)


def progress(
    prospect: Prospect, events: Sequence[Event], sequences: Iterable[FollowUp]
) -> Progress | None:
    """The prospect's latest enrolment replayed over its events (``None``: never enrolled)."""
    folded = EventsSummary.of(events).doc
    return progress_of_summary(folded, prospect.status, prospect.updated_at, sequences)


def progress_of_summary(
    folded: Mapping[str, Any],
    status: Status,
    updated_at: datetime,
    sequences: Iterable[FollowUp],
) -> Progress | None:
    """:func:`progress` from the events' part of a prospect's summary
    (:class:`~socialcrm.summary.EventsSummary`: the latest enrolment and what followed)."""
    enrolled = folded.get("sq")
    if enrolled is None:
        return None
    name: str = enrolled[1]
    enrolled_at = datetime.fromisoformat(enrolled[0])
    definition = next((s for s in sequences if s.name == name), None)
    steps = definition.steps if definition else ()
    done: list[datetime] = []

    def ended(state: State, at: datetime | None, reason: str | None = None) -> Progress:
        return Progress(name, enrolled_at, state, tuple(done), len(steps), None, None, at, reason)

    for item in folded.get("sa", ()):
        at, kind = datetime.fromisoformat(item[0]), item[2]
        if kind == EventKind.MESSAGE_RECEIVED.value:
            return ended(State.REPLIED, at, "the prospect replied")
        if kind == EventKind.SEQUENCE_STOPPED.value:
            return ended(State.STOPPED, at, item[3])
        if len(done) < len(steps) and _matches(item[3], item[4], steps[len(done)]):
            done.append(at)
    if definition is None:
        return ended(State.MISSING, None, "the sequence was deleted")  # no steps
    if status is not Status.OPEN:
        return ended(State.CLOSED, updated_at, f"the prospect is {status.value}")
    if len(done) == len(steps):
        return ended(State.COMPLETED, done[-1] if done else enrolled_at)
    index = len(done)
    last = done[-1] if done else enrolled_at
    due_at = last + timedelta(days=steps[index].delay_days)
    return Progress(name, enrolled_at, State.ACTIVE, tuple(done), len(steps), index, due_at)


def progress_of(crm: CRM, prospect: Prospect) -> Progress | None:
    pipeline = crm.repository.get_pipeline(prospect.pipeline) or crm.pipeline
    return progress(prospect, crm.repository.events(prospect.id), list_sequences(pipeline))


def enrolled_in(crm: CRM, name: str) -> list[tuple[Prospect, Progress]]:
    """Prospects of the current pipeline following sequence ``name``, by name."""
    from socialcrm.repository import Query

    found = []
    for p in crm.repository.query(Query(pipeline=crm.pipeline_name, sort="name")):
        current = progress_of(crm, p)
        if current is not None and current.sequence == name:
            found.append((p, current))
    return found


def enroll(crm: CRM, ref: str, name: str) -> Prospect:
    """Put an open prospect in a sequence (one active sequence per prospect)."""
    sequence = get_sequence(crm.pipeline, name)
    with crm.recording.transaction() as recorder:
        p = crm.resolve(ref)
        if not p.is_open:
            raise ValidationError(
                _("{name} ({id}) is {value}: nothing to follow up").format(
                    name=p.name, id=p.id, value=p.status.value
                ),
                field="status",
            )
        current = progress_of(crm, p)
        if current is not None and current.active:
            raise ValidationError(
                _("{name} ({id}) is already in sequence {sequence!r}").format(
                    name=p.name, id=p.id, sequence=current.sequence
                ),
                field="sequence",
                value=current.sequence,
                hint=_("unenroll first: 'socialcrm sequence unenroll {id}'").format(id=p.id),
            )
        if not p.identity(sequence.steps[0].network):
            raise ValidationError(
                _("{name} ({id}) has no {network} identity for step 1").format(
                    name=p.name, id=p.id, network=sequence.steps[0].network
                ),
                field="identities",
                hint=_("add their profile URL with 'socialcrm edit REF --add-url URL'"),
            )
        return recorder.record(p, [SequenceEnrolled(sequence.name)]).prospect or p


def unenroll(crm: CRM, ref: str, *, reason: str | None = None) -> Prospect:
    """Stop the prospect's active sequence."""
    if reason is not None:
        check(reason, "reason")

    with crm.recording.transaction() as recorder:
        p = crm.resolve(ref)
        current = progress_of(crm, p)
        if current is None or not current.active:
            raise ValidationError(
                _("{name} ({id}) is in no active sequence").format(name=p.name, id=p.id),
                field="sequence",
            )
        stopped = SequenceStopped(current.sequence, nfc(reason) if reason else "unenrolled")
        return recorder.record(p, [stopped]).prospect or p


@frozen
class Due:
    """The next step of a prospect's sequence, rendered for the rep to send."""

    prospect: Prospect
    progress: Progress
    step: Step
    message: Rendered
    now: datetime

    @property
    def overdue(self) -> timedelta:
        """How late the step is at ``now`` (negative: not due yet)."""
        assert self.progress.due_at is not None
        return self.now - self.progress.due_at

    @property
    def is_due(self) -> bool:
        return self.overdue >= timedelta(0)


def due(crm: CRM, ref: str, now: datetime | None = None) -> Due:
    """Render the prospect's next step (whether or not its day has come).

    Raises :class:`ValidationError` when the prospect has no active sequence,
    saying why (replied, stopped, completed…).
    """
    prospect = crm.resolve(ref)
    current = progress_of(crm, prospect)
    if current is None or not current.active or current.next_step is None:
        enrol = _("enroll them: 'socialcrm sequence enroll {id} NAME'")
        hint: str | None = enrol
        if current is None:
            why = _("{name} ({id}) is in no sequence")
        elif current.state is State.REPLIED:
            why = _(
                "{name} ({id}) replied: sequence {sequence!r} stopped, no follow-up after a reply"
            )
            hint = _("answer them yourself: 'socialcrm message {id} --sent TEXT'")
        elif current.state is State.COMPLETED:
            why = _("{name} ({id}) has done every step of sequence {sequence!r}")
        elif current.state is State.CLOSED:
            why, hint = _("{name} ({id}) is {status}: nothing to follow up"), None
        else:
            why = _("{name} ({id}) left sequence {sequence!r} ({reason})")
        fields = {
            "name": prospect.name,
            "id": prospect.id,
            "sequence": current.sequence if current else None,
            "status": _(prospect.status.value),  # marked in socialcrm.machine
            "reason": current.reason if current else None,
        }
        raise ValidationError(
            why.format(**fields), field="sequence", hint=hint.format(**fields) if hint else None
        )
    step = get_sequence(crm.pipeline, current.sequence).steps[current.next_step]
    text = get_template(crm.pipeline, step.template)
    message = render_for(crm, text, prospect, step.network, step.channel, template=step.template)
    return Due(prospect, current, step, message, now or crm.now())


def mark_sent(crm: CRM, ref: str) -> Prospect:
    """Log the due message as sent (the rep sent it): completes the step."""
    item = due(crm, ref)
    return crm.log_message(
        item.prospect.id,
        item.message.text,
        network=item.step.network,
        channel=item.step.channel,
    )
