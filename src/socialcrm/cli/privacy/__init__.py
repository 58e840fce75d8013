"""``socialcrm privacy …``: the data-protection commands, one module per duty.

Each module in :data:`MODULES` exposes ``register(group)`` and adds its
commands to the ``privacy`` group; the group itself holds nothing else (the
same shape as main's, so the two lists merge by concatenation).
"""

import importlib

import typer

__all__ = ["MODULES", "register"]

PANEL = "Data protection (GDPR)"

MODULES = (
    "socialcrm.cli.privacy.erasure",
    "socialcrm.cli.privacy.suppression",
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="privacy",
        help="Data protection: erase, object, suppress, audit log.",
        no_args_is_help=True,
    )
    for dotted in MODULES:
        importlib.import_module(dotted).register(group)
    app.add_typer(group, rich_help_panel=PANEL)
