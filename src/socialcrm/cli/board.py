"""``board``: the pipeline at a glance."""

from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cards import Card
    from socialcrm.cli.context import CLIState
    from socialcrm.crm import Board

__all__ = ["print_board", "register"]

PANEL = N_("Pipeline")


def _names(people: "list[Card]", limit: int | None) -> str:
    names = [p.name for p in people]
    if limit is not None and len(names) > limit:
        return ", ".join(names[:limit]) + f", … (+{len(names) - limit})"
    return ", ".join(names)


def print_board(state: "CLIState", board: "Board") -> None:
    """Render a board in the run's format (also used by ``demo``)."""
    from socialcrm.cli import localised, render

    if state.output_format == "json":
        render.emit_json(render.board_record(board))
        return
    groups: list[tuple[str, list[Card]]] = [
        (stage.value, people) for stage, people in board.stages.items()
    ]
    groups += [("won", board.won), ("lost", board.lost)]
    if state.output_format == "csv":
        render.emit_csv(
            ["stage", "count", "prospects"],
            [[name, len(people), "; ".join(p.name for p in people)] for name, people in groups],
        )
        return
    limit = 8 if state.is_terminal else None
    render.emit_table(
        state,
        [_("STAGE"), _("COUNT"), _("PROSPECTS")],
        [[localised.word(name), len(people), _names(people, limit)] for name, people in groups],
        title=_("Pipeline {pipeline!r} — {total} prospect(s)").format(
            pipeline=board.pipeline, total=board.total
        ),
        styles={0: "stage"},
    )


def board(
    ctx: typer.Context,
    owner: Annotated[
        str | None, typer.Option(metavar="REP", help=_("Only the prospects this rep owns."))
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help=_("Only the prospects you own."))] = False,
) -> None:
    """The pipeline at a glance: count and names per stage, won and lost totals.

    \b
    Example:
      socialcrm board --pipeline agencies
      socialcrm board --owner lea
    """
    state = get_state(ctx)
    rep = state.owner_filter(owner, mine)
    print_board(state, state.open_crm().board(owner=rep))
    if state.output_format == "table":
        from socialcrm.cli.goals import print_behind

        print_behind(state)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(board)
