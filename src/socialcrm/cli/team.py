"""``assign``: give a prospect to a rep of the team (its owner)."""

from typing import Annotated

import typer

from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["register"]

PANEL = N_("Prospects")


def assign(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF",
            help=_("Id or unique id prefix, e-mail, profile URL, network:handle, or exact name."),
            show_default=False,
        ),
    ],
    rep: Annotated[
        str, typer.Argument(metavar="REP", help=_("The rep who owns them from now on."))
    ],
) -> None:
    """Make a rep the owner of a prospect (its history keeps the previous owner).

    \b
    Example:
      socialcrm assign "Jane Doe" lea
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().assign(ref, rep)
    render.emit_one(
        state,
        prospect,
        _("{name} ({id}) is {owner}'s").format(
            name=prospect.name, id=prospect.id, owner=prospect.owner
        ),
    )


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(assign)
