"""The stage machine: which stage and status changes are allowed.

Pure functions over values — no storage, no plugins — so a host CRM can reuse
them and hypothesis can drive them.  They return the event payload describing
the change and the prospect after it; the :class:`~socialcrm.crm.CRM` facade
records both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import evolve

from socialcrm.errors import InvalidTransitionError, TransitionRefusedError, ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import Prospect, StageChanged, StatusChanged, nfc
from socialcrm.rules import Problem
from socialcrm.stages import Stage, Status

__all__ = ["lose", "move", "reopen", "require_open", "win"]


_CLOSED = {
    "move": N_("cannot move {id}: the prospect is {status}"),
    "win": N_("cannot win {id}: the prospect is {status}"),
    "lose": N_("cannot lose {id}: the prospect is {status}"),
    "advance": N_("cannot advance {id}: the prospect is {status}"),
}
"""The refusal of each ``action`` on a closed prospect, a whole sentence to translate."""
_STATUS = {Status.OPEN: N_("open"), Status.WON: N_("won"), Status.LOST: N_("lost")}


def require_open(prospect: Prospect, action: str) -> None:
    if prospect.status is not Status.OPEN:
        sentence = _CLOSED.get(action) or "cannot " + action + " {id}: the prospect is {status}"
        raise InvalidTransitionError(
            _(sentence).format(id=prospect.id, status=_(_STATUS[prospect.status])),
            prospect_id=prospect.id,
            hint=_("reopen it first"),
        )


def move(
    prospect: Prospect,
    to_stage: Stage,
    *,
    problems: Sequence[Problem],
    at: datetime,
    force: bool = False,
    reason: str | None = None,
) -> tuple[Prospect, StageChanged]:
    """Move ``prospect`` to ``to_stage``.

    ``problems`` are the unmet exit criteria of the stages crossed (empty when
    moving backward).  Unless ``force`` is set they refuse the move with a
    :class:`TransitionRefusedError`; with ``force`` they are recorded in the
    event as overridden.
    """
    require_open(prospect, "move")
    if to_stage is prospect.stage:
        raise InvalidTransitionError(
            _("{id} is already at stage {value}").format(id=prospect.id, value=to_stage.value),
            prospect_id=prospect.id,
        )
    if problems and not force:
        raise TransitionRefusedError(
            prospect_id=prospect.id,
            from_stage=prospect.stage.value,
            to_stage=to_stage.value,
            problems=problems,
        )
    payload = StageChanged(
        from_stage=prospect.stage,
        to_stage=to_stage,
        forced=bool(force and problems),
        reason=(nfc(reason) or None) if reason else None,
        overridden=tuple(p.record() for p in problems) if force else (),
    )
    return evolve(prospect, stage=to_stage, updated_at=at), payload


def win(
    prospect: Prospect, *, at: datetime, problems: Sequence[Problem] = (), force: bool = False
) -> tuple[Prospect, StatusChanged]:
    """Mark an open prospect at ``convert`` as won.

    Winning is only possible from the last stage.  ``problems`` are extra
    criteria (e.g. the playbook asks for a way to reach the customer); ``force``
    overrides those, never the stage requirement.
    """
    require_open(prospect, "win")
    if prospect.stage is not Stage.CONVERT:
        raise InvalidTransitionError(
            _("cannot win {id} at stage {value}").format(
                id=prospect.id, value=prospect.stage.value
            ),
            prospect_id=prospect.id,
            hint=_("a prospect is won only from the convert stage; move it there first"),
        )
    if problems and not force:
        raise TransitionRefusedError(
            prospect_id=prospect.id,
            from_stage=prospect.stage.value,
            to_stage="won",
            problems=problems,
        )
    payload = StatusChanged(Status.OPEN, Status.WON, forced=bool(force and problems))
    return evolve(prospect, status=Status.WON, lost_reason=None, updated_at=at), payload


def lose(prospect: Prospect, *, reason: str, at: datetime) -> tuple[Prospect, StatusChanged]:
    """Mark an open prospect as lost, from any stage; a reason is required."""
    require_open(prospect, "lose")
    reason = nfc(reason)  # the event and lost_reason hold the same text
    if not reason:
        raise ValidationError(
            _("a lost prospect needs a reason"), field="reason", hint=_("say why, e.g. 'no budget'")
        )
    payload = StatusChanged(Status.OPEN, Status.LOST, reason=reason)
    return evolve(prospect, status=Status.LOST, lost_reason=reason, updated_at=at), payload


def reopen(prospect: Prospect, *, at: datetime) -> tuple[Prospect, StatusChanged]:
    """Return a won or lost prospect to ``open`` in the stage it was in."""
    if prospect.status is Status.OPEN:
        raise InvalidTransitionError(
            _("{id} is already open").format(id=prospect.id), prospect_id=prospect.id
        )
    payload = StatusChanged(prospect.status, Status.OPEN)
    return evolve(prospect, status=Status.OPEN, lost_reason=None, updated_at=at), payload
