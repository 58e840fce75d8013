"""The agenda: today's work (``today``) and how long each stage may last (``stage-limit``)."""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.cli.playbook import PANEL

__all__ = ["register"]


def today(
    ctx: typer.Context,
    everyone: Annotated[
        bool, typer.Option("--all", help="Everyone's work, not only yours.")
    ] = False,
    owner: Annotated[
        str | None, typer.Option(metavar="REP", help="This rep's work instead of yours.")
    ] = None,
) -> None:
    """What to do now: replies to answer, sequence steps due, prospects waiting too long.

    Your own work: the prospects you own and those nobody owns yet (--all: everyone's).
    Sorted by urgency; each line ends with the command to act.

    Example:  socialcrm today --format json
    """
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.agenda import today as agenda

    state = get_state(ctx)
    if everyone and owner is not None:
        raise ValidationError("give --all or --owner, not both", field="owner")
    rep = None if everyone else state.owner_filter(owner, False) or state.actor
    items = agenda(state.open_crm(), owner=rep)
    if state.output_format == "json":
        render.emit_json([i.to_dict() for i in items])
        return
    rows = [
        [i.kind, i.prospect_id, i.name, i.stage.value, i.summary, state.runnable(i.command)]
        for i in items
    ]
    heads = ["kind", "prospect_id", "name", "stage", "what", "command"]
    if everyone:
        heads.insert(3, "owner")
        for row, item in zip(rows, items, strict=True):
            row.insert(3, item.owner or "")
    if state.output_format == "csv":
        render.emit_csv(heads, rows)
        return
    if not items:
        render.echo("nothing due today")
        return
    titles = ["WHAT", "ID", "NAME", "STAGE", "WHY", "DO"]
    if everyone:
        titles.insert(3, "OWNER")
    render.emit_table(state, titles, rows, styles={titles.index("STAGE"): "stage"})


def stage_limit(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Argument(help="A stage, e.g. contact.")] = None,
    days: Annotated[int | None, typer.Argument(min=1, help="Days allowed in it.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default.")] = False,
) -> None:
    """Show or set how many days a prospect may wait in a stage before 'today' flags it.

    Example:  socialcrm stage-limit contact 10
    """
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.agenda import set_stage_limit, stage_limits

    state = get_state(ctx)
    crm = state.open_crm()
    if stage is not None and (days is not None or reset):
        limits = set_stage_limit(crm, stage, None if reset else days)
    elif stage is not None:
        raise ValidationError("give the number of days, or --reset", field="days")
    else:
        limits = stage_limits(crm.pipeline)
    if state.output_format == "json":
        render.emit_json({s.value: d for s, d in limits.items()})
    else:
        render.emit_table(state, ["STAGE", "DAYS"], [[s.value, d] for s, d in limits.items()])


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(today)
    app.command("stage-limit", rich_help_panel=PANEL)(stage_limit)
