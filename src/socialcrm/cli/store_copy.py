"""``store copy``: move a whole store between a directory and a database, either way."""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

__all__ = ["register"]

store_app = typer.Typer(
    name="store",
    help=_("The store as a whole: copy it between a directory and a database."),
    no_args_is_help=True,
)


@store_app.command("copy")
def copy(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--from", metavar="PATH_OR_URL", help=_("The store to copy: a directory or a URL.")
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to", metavar="PATH_OR_URL", help=_("An empty store to fill: a directory or a URL.")
        ),
    ],
) -> None:
    """Copy a whole store: every pipeline, prospect, event and setting.

    Works between a store directory and a database (PostgreSQL, SQLite), in
    either direction.  The target must be empty (a new directory, or a new
    database after 'socialcrm db upgrade'); it is filled in one transaction,
    so a failure leaves it as it was.  The source is only read.

    \b
    Examples:
      socialcrm store copy --from ~/.local/share/socialcrm/store --to postgresql://crm@db/crm
      socialcrm store copy --from postgresql://crm@db/crm --to ./crm-copy
    """
    from socialcrm.storage.copy import copy_store

    state = get_state(ctx)
    summary = copy_store(source, target)
    if state.output_format == "json":
        render.emit_json(summary.to_dict())
        return
    render.echo(
        _(
            "copied {prospects} prospect(s), {events} event(s), {pipelines} "
            "pipeline(s) and {settings} setting(s) from {source} to {target}"
        ).format(
            prospects=summary.prospects,
            events=summary.events,
            pipelines=summary.pipelines,
            settings=summary.settings,
            source=summary.source,
            target=summary.target,
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(store_app, rich_help_panel=_("Store"))
