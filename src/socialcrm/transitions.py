"""Stage moves: the exit criteria that apply, and the changes that move a prospect.

A forward move is judged on the prospect as it would be stored now (re-scored
by its pipeline's assessor), against the rule registry's criteria of every
stage crossed, then the plugins' (``check_transition``).  The pure
:mod:`socialcrm.machine` decides; the facade records the change.  Each change
reads the prospect inside the facade's transaction, so two reps moving the
same prospect never both move it from the same stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialcrm import machine
from socialcrm.errors import InvalidTransitionError
from socialcrm.i18n import text as _
from socialcrm.models import Payload, Pipeline, Prospect
from socialcrm.rules import Problem, TransitionContext
from socialcrm.stages import Stage

if TYPE_CHECKING:
    from socialcrm.editing import Change
    from socialcrm.workspace import Workspace

__all__ = [
    "advance_change",
    "context",
    "lose_change",
    "move_change",
    "problems",
    "reopen_change",
    "win_change",
    "win_problems",
]


def _pipeline_of(crm: Workspace, prospect: Prospect) -> Pipeline:
    return crm.repository.get_pipeline(prospect.pipeline) or crm.pipeline


def context(crm: Workspace, prospect: Prospect, to_stage: Stage) -> TransitionContext:
    """What exit criteria look at: the prospect, its pipeline and its history."""
    pipeline = _pipeline_of(crm, prospect)
    assessed = crm.recording.assessor(pipeline) is not None
    events = crm.repository.events(prospect.id)
    return TransitionContext(prospect, prospect.stage, to_stage, pipeline, events, assessed)


def problems(crm: Workspace, prospect: Prospect, to_stage: Stage) -> list[Problem]:
    """Unmet exit criteria (rules and plugins) for moving ``prospect`` to ``to_stage``."""
    if to_stage <= prospect.stage:
        return []
    pipeline = _pipeline_of(crm, prospect)
    assessor = crm.recording.assessor(pipeline)
    prospect, _assessment = crm.recording.assessed(
        prospect, assessor=assessor
    )  # on the current ICP
    events = crm.repository.events(prospect.id)
    ctx = TransitionContext(
        prospect, prospect.stage, to_stage, pipeline, events, assessor is not None
    )
    found = crm.rules.check(ctx)
    found += crm.hooks.check_transition(
        prospect=prospect,
        from_stage=prospect.stage,
        to_stage=to_stage,
        pipeline=ctx.pipeline,
        events=ctx.events,
    )
    return found


def win_problems(crm: Workspace, prospect: Prospect) -> list[Problem]:
    """Criteria for winning: the rules registered as leaving ``convert``."""
    ctx = context(crm, prospect, prospect.stage)
    return [p for rule in crm.rules.for_stage(Stage.CONVERT) for p in rule(ctx)]


def move_change(
    crm: Workspace, target: Stage, *, force: bool = False, reason: str | None = None
) -> Change:
    """Move to ``target`` (forward: exit criteria checked, or recorded when forced)."""

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        machine.require_open(p, "move")
        after, payload = machine.move(
            p, target, problems=problems(crm, p, target), at=crm.now(), force=force, reason=reason
        )
        return after, [payload]

    return change


def advance_change(crm: Workspace, *, force: bool = False, reason: str | None = None) -> Change:
    """Move to the next stage of the prospect as stored when the change runs."""

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        machine.require_open(p, "advance")  # a won prospect is not "at the last stage"
        target = p.stage.next
        if target is None:
            raise InvalidTransitionError(
                _("{id} is at the last stage").format(id=p.id),
                prospect_id=p.id,
                hint=_("mark it won or lost"),
            )
        after, payloads = move_change(crm, target, force=force, reason=reason)(p)
        return after, list(payloads)

    return change


def win_change(crm: Workspace, *, force: bool = False) -> Change:
    """Mark won (from ``convert``; its exit criteria checked unless forced)."""

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        found = win_problems(crm, p) if p.stage is Stage.CONVERT and p.is_open else []
        after, payload = machine.win(p, at=crm.now(), problems=found, force=force)
        return after, [payload]

    return change


def lose_change(crm: Workspace, reason: str) -> Change:
    """Mark lost, from any stage."""

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        after, payload = machine.lose(p, reason=reason, at=crm.now())
        return after, [payload]

    return change


def reopen_change(crm: Workspace) -> Change:
    """Back to ``open``, in the last stage."""

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        after, payload = machine.reopen(p, at=crm.now())
        return after, [payload]

    return change
