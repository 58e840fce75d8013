"""``init`` and ``demo``: getting a store ready, or a sample one to explore."""

from __future__ import annotations

import typer

from socialcrm.cli.context import get_state

__all__ = ["register"]


def init(ctx: typer.Context) -> None:
    """Create the store and its default pipeline (safe to run again).

    Example:  socialcrm --db ~/crm/store init
    """
    state = get_state(ctx)
    crm = state.open_crm()
    pipeline = crm.init()
    typer.echo(f"store ready: {state.db_path} (pipeline {pipeline.name!r})")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Setup")(init)
