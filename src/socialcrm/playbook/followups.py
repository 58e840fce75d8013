"""Follow-up sequences as the pipeline stores them: named, ordered steps.

A step waits ``delay_days`` after the previous one (after enrolment for the
first), then asks for a message on a network channel from a template.  The
definitions live in the pipeline's ``settings["sequences"]``; running them
(enrolment, progress, what is due) is :mod:`socialcrm.playbook.sequences`,
and templates (:mod:`socialcrm.playbook.templates`) read them to refuse
deleting a template in use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline
from socialcrm.playbook import SEQUENCES_KEY

__all__ = ["FollowUp", "Step", "get_sequence", "list_sequences", "parse_step"]


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
            _("invalid step {text!r}").format(text=text),
            field="step",
            value=text,
            hint=_("write DAYS:NETWORK.CHANNEL:TEMPLATE, e.g. 3:linkedin.message:follow-up"),
        )
    days, target, template = parts
    network, _dot, channel = target.partition(".")
    try:
        delay = int(days)
    except ValueError:
        raise ValidationError(
            _("invalid delay {days!r} in step {text!r}").format(days=days, text=text),
            field="step",
            value=text,
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
                _("sequence {name!r} is damaged in the pipeline settings ({exc!r})").format(
                    name=name, exc=exc
                ),
                field=SEQUENCES_KEY,
                value=name,
                hint=_("redefine it: 'socialcrm sequence create {name} --replace --step …'").format(
                    name=name
                ),
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
        raise NotFoundError(name, what="sequence", hint=_("sequences: {names}").format(names=names))
    return found
