"""Stage and outcome commands: ``move``, ``advance``, ``won``, ``lost``, ``reopen``, ``qualify``.

A refused move is a :class:`~socialcrm.errors.TransitionRefusedError`; the
root group prints each problem with its fix and exits with code 5.
"""

from typing import Annotated

import typer

from socialcrm.cli.arguments import Ref
from socialcrm.cli.completion import complete_stage
from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["register"]

PANEL = N_("Stages and outcomes")

Force = Annotated[
    bool,
    typer.Option("--force", help=_("Override unmet exit criteria (recorded in the history).")),
]
Reason = Annotated[str | None, typer.Option(help=_("Why (kept in the history)."))]


def move(
    ctx: typer.Context,
    ref: Ref,
    stage: Annotated[
        str,
        typer.Argument(
            metavar="STAGE",
            help=_("profile, identify, notoriety, contact or convert."),
            autocompletion=complete_stage,
        ),
    ],
    force: Force = False,
    reason: Reason = None,
) -> None:
    """Move a prospect to a stage; moving forward checks the exit criteria.

    A refused move lists each unmet criterion and how to fix it (exit code 5).

    \b
    Example:
      socialcrm move jane@acme.example contact --force --reason "met at a conference"
    """
    from socialcrm.cli import localised, render

    state = get_state(ctx)
    prospect = state.open_crm().move(ref, stage, force=force, reason=reason)
    render.emit_one(
        state, prospect, f"{prospect.name} ({prospect.id}) → {localised.word(prospect.stage.value)}"
    )


def advance(ctx: typer.Context, ref: Ref, force: Force = False, reason: Reason = None) -> None:
    """Move a prospect to the next stage (checking the exit criteria).

    \b
    Example:
      socialcrm advance linkedin:janedoe
    """
    from socialcrm.cli import localised, render

    state = get_state(ctx)
    prospect = state.open_crm().advance(ref, force=force, reason=reason)
    render.emit_one(
        state, prospect, f"{prospect.name} ({prospect.id}) → {localised.word(prospect.stage.value)}"
    )


def won(ctx: typer.Context, ref: Ref, force: Force = False) -> None:
    """Mark a prospect at stage convert as won.

    \b
    Example:
      socialcrm won jane@acme.example
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().win(ref, force=force)
    render.emit_one(
        state, prospect, _("{name} ({id}) won").format(name=prospect.name, id=prospect.id)
    )


def lost(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option(help=_('Why it was lost, e.g. "no budget".'))],
) -> None:
    """Mark a prospect lost, from any stage, with a reason.

    \b
    Example:
      socialcrm lost jane@acme.example --reason "chose a competitor"
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().lose(ref, reason)
    render.emit_one(
        state,
        prospect,
        _("{name} ({id}) lost: {lost_reason}").format(
            name=prospect.name, id=prospect.id, lost_reason=prospect.lost_reason
        ),
    )


def reopen(ctx: typer.Context, ref: Ref) -> None:
    """Reopen a won or lost prospect, in the stage it was in.

    \b
    Example:
      socialcrm reopen jane@acme.example
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().reopen(ref)
    render.emit_one(
        state,
        prospect,
        _("{name} ({id}) reopened at {value}").format(
            name=prospect.name, id=prospect.id, value=prospect.stage.value
        ),
    )


def qualify(
    ctx: typer.Context,
    ref: Ref,
    no: Annotated[
        bool, typer.Option("--no", help=_("Record that they do NOT match your ideal customer."))
    ] = False,
    note: Annotated[str | None, typer.Option(help=_("Why (kept with the assessment)."))] = None,
) -> None:
    """Record whether a prospect matches your ideal customer profile.

    Leaving stage identify needs a positive assessment.

    \b
    Example:
      socialcrm qualify jane@acme.example --note "VP Sales, 200 people, uses our stack"
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().assess(ref, qualified=not no, note=note)
    verdict = _("does not match") if no else _("matches")
    render.emit_one(
        state,
        prospect,
        _("{name} ({id}) {verdict} the ideal customer profile").format(
            name=prospect.name, id=prospect.id, verdict=verdict
        ),
    )


def register(app: typer.Typer) -> None:
    for command in (move, advance, won, lost, reopen, qualify):
        app.command(rich_help_panel=PANEL)(command)
