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

from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.models import (
    Event,
    MessageReceived,
    MessageSent,
    Pipeline,
    Prospect,
    SequenceEnrolled,
    SequenceStopped,
    nfc,
)
from socialcrm.playbook import SEQUENCES_KEY, key_name
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.playbook.templates import Rendered

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
    "unenroll",
]


@frozen
class Step:
    """Wait ``delay_days``, then send ``template`` on ``network``'s ``channel``."""

    delay_days: int
    network: str
    channel: str
    template: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "delay_days": self.delay_days,
            "network": self.network,
            "channel": self.channel,
            "template": self.template,
        }

    def __str__(self) -> str:
        return f"+{self.delay_days}d {self.network}.{self.channel} {self.template}"


def parse_step(text: str) -> Step:
    """Read ``DAYS:NETWORK.CHANNEL:TEMPLATE`` (e.g. ``0:linkedin.connection_note:hello``)."""
    parts = text.strip().split(":")
    if len(parts) != 3 or "." not in parts[1]:
        raise ValidationError(
            f"invalid step {text!r}",
            field="step",
            value=text,
            hint="write DAYS:NETWORK.CHANNEL:TEMPLATE, e.g. 3:linkedin.message:follow-up",
        )
    days, target, template = parts
    network, _, channel = target.partition(".")
    try:
        delay = int(days)
    except ValueError:
        raise ValidationError(
            f"invalid delay {days!r} in step {text!r}", field="step", value=text
        ) from None
    return Step(delay, network.strip().lower(), channel.strip(), template.strip().lower())


@frozen
class FollowUp:
    """A named sequence of steps (``FollowUp`` to avoid clashing with typing's Sequence)."""

    name: str
    steps: tuple[Step, ...]
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"description": self.description, "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> FollowUp:
        """Read a stored definition; a damaged one is named in a ValidationError."""
        try:
            steps = tuple(
                Step(int(s["delay_days"]), str(s["network"]), str(s["channel"]), str(s["template"]))
                for s in data.get("steps", [])
            )
            return cls(name, steps, str(data.get("description", "")))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                f"sequence {name!r} is damaged in the pipeline settings ({exc!r})",
                field=SEQUENCES_KEY,
                value=name,
                hint=f"redefine it: 'socialcrm sequence create {name} --replace --step …'",
            ) from None


def list_sequences(pipeline: Pipeline) -> list[FollowUp]:
    raw = pipeline.settings.get(SEQUENCES_KEY) or {}
    if not isinstance(raw, Mapping):
        return []
    return [FollowUp.from_dict(str(k), v) for k, v in sorted(raw.items())]


def get_sequence(pipeline: Pipeline, name: str) -> FollowUp:
    key = name.strip().lower()
    found = next((s for s in list_sequences(pipeline) if s.name == key), None)
    if found is None:
        names = ", ".join(s.name for s in list_sequences(pipeline)) or "none yet"
        raise NotFoundError(name, what="sequence", hint=f"sequences: {names}")
    return found


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
    from socialcrm.playbook.templates import list_templates

    key = key_name(name, "sequence", "warm-intro")
    parsed = [s if isinstance(s, Step) else parse_step(s) for s in steps]
    if not parsed:
        raise ValidationError("a sequence needs at least one step", field="steps")
    templates = list_templates(crm.pipeline)
    for i, step in enumerate(parsed, 1):
        if step.delay_days < 0:
            raise ValidationError(f"step {i}: delay must be >= 0 days", field="delay_days")
        crm.networks.channel(step.network, step.channel)  # both must exist
        if step.template not in templates:
            raise ValidationError(
                f"step {i}: no template named {step.template!r}",
                field="template",
                value=step.template,
                hint="create it first with 'socialcrm template set NAME TEXT'",
            )
    sequence = FollowUp(key, tuple(parsed), nfc(description))
    with crm.repository.transaction():
        existing = dict(crm.pipeline.settings.get(SEQUENCES_KEY) or {})
        if key in existing and not replace:
            raise ValidationError(
                f"sequence {key!r} already exists", field="name", value=key, hint="use --replace"
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


def _matches(payload: MessageSent, step: Step) -> bool:
    return payload.network in (None, step.network) and payload.channel in (None, step.channel)


def progress(
    prospect: Prospect, events: Sequence[Event], sequences: Iterable[FollowUp]
) -> Progress | None:
    """The prospect's latest enrolment replayed over its events (``None``: never enrolled)."""
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    start = next(
        (
            i
            for i in range(len(ordered) - 1, -1, -1)
            if isinstance(ordered[i].payload, SequenceEnrolled)
        ),
        None,
    )
    if start is None:
        return None
    enrolled = ordered[start]
    assert isinstance(enrolled.payload, SequenceEnrolled)
    name = enrolled.payload.sequence
    definition = next((s for s in sequences if s.name == name), None)
    steps = definition.steps if definition else ()
    done: list[datetime] = []

    def ended(state: State, at: datetime | None, reason: str | None = None) -> Progress:
        return Progress(name, enrolled.at, state, tuple(done), len(steps), None, None, at, reason)

    for event in ordered[start + 1 :]:
        payload = event.payload
        if isinstance(payload, MessageReceived):
            return ended(State.REPLIED, event.at, "the prospect replied")
        if isinstance(payload, SequenceStopped):
            return ended(State.STOPPED, event.at, payload.reason)
        if (
            isinstance(payload, MessageSent)
            and len(done) < len(steps)
            and _matches(payload, steps[len(done)])
        ):
            done.append(event.at)
    if definition is None:
        return ended(State.MISSING, None, "the sequence was deleted")  # no steps
    if not prospect.is_open:
        return ended(State.CLOSED, prospect.updated_at, f"the prospect is {prospect.status.value}")
    if len(done) == len(steps):
        return ended(State.COMPLETED, done[-1] if done else enrolled.at)
    index = len(done)
    last = done[-1] if done else enrolled.at
    due_at = last + timedelta(days=steps[index].delay_days)
    return Progress(name, enrolled.at, State.ACTIVE, tuple(done), len(steps), index, due_at)


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

    def change(p: Prospect) -> tuple[Prospect, list[Any]]:
        if not p.is_open:
            raise ValidationError(
                f"{p.name} ({p.id}) is {p.status.value}: nothing to follow up",
                field="status",
            )
        current = progress_of(crm, p)
        if current is not None and current.active:
            raise ValidationError(
                f"{p.name} ({p.id}) is already in sequence {current.sequence!r}",
                field="sequence",
                value=current.sequence,
                hint=f"unenroll first: 'socialcrm sequence unenroll {p.id}'",
            )
        if not p.identity(sequence.steps[0].network):
            raise ValidationError(
                f"{p.name} ({p.id}) has no {sequence.steps[0].network} identity for step 1",
                field="identities",
                hint="add their profile URL with 'socialcrm edit REF --add-url URL'",
            )
        return p, [SequenceEnrolled(sequence.name)]

    return crm._change(ref, change)


def unenroll(crm: CRM, ref: str, *, reason: str | None = None) -> Prospect:
    """Stop the prospect's active sequence."""
    if reason is not None:
        check(reason, "reason")

    def change(p: Prospect) -> tuple[Prospect, list[Any]]:
        current = progress_of(crm, p)
        if current is None or not current.active:
            raise ValidationError(f"{p.name} ({p.id}) is in no active sequence", field="sequence")
        return p, [SequenceStopped(current.sequence, nfc(reason) if reason else "unenrolled")]

    return crm._change(ref, change)


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
    from socialcrm.playbook.templates import get_template, render_for

    prospect = crm.resolve(ref)
    current = progress_of(crm, prospect)
    if current is None or not current.active or current.next_step is None:
        who = f"{prospect.name} ({prospect.id})"
        enrol = f"enroll them: 'socialcrm sequence enroll {prospect.id} NAME'"
        if current is None:
            why, hint = "is in no sequence", enrol
        elif current.state is State.REPLIED:
            why = f"replied: sequence {current.sequence!r} stopped, no follow-up after a reply"
            hint = f"answer them yourself: 'socialcrm message {prospect.id} --sent TEXT'"
        elif current.state is State.COMPLETED:
            why, hint = f"has done every step of sequence {current.sequence!r}", enrol
        elif current.state is State.CLOSED:
            why, hint = f"is {prospect.status.value}: nothing to follow up", None
        else:
            why = f"left sequence {current.sequence!r} ({current.reason})"
            hint = enrol
        raise ValidationError(f"{who} {why}", field="sequence", hint=hint)
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
