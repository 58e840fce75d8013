"""``privacy …``: erasure, objection, suppression, audit log (GDPR).

Kept minimal: each module of this package adds its commands to
:data:`privacy_app`; :func:`register` imports them and adds the group.
"""

import importlib

import typer

__all__ = ["privacy_app", "register"]

privacy_app = typer.Typer(
    name="privacy",
    help="Data protection: erase, object, suppress, audit log.",
    no_args_is_help=True,
)

#: The modules adding commands to the group.
MODULES = ("socialcrm.cli.privacy.erasure", "socialcrm.cli.privacy.suppression")


def register(app: typer.Typer) -> None:
    for dotted in MODULES:
        importlib.import_module(dotted)
    app.add_typer(privacy_app, rich_help_panel="Data protection")
