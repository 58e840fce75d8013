"""``socialcrm privacy …``: the data-protection commands, one module per duty.

Each module in :data:`MODULES` exposes ``register(group)`` and adds its
commands to the ``privacy`` group; the group itself holds nothing else.
"""

import importlib

import typer

from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["MODULES", "register"]

PANEL = N_("Data protection (GDPR)")

MODULES = (
    "socialcrm.cli.privacy.notice",
    "socialcrm.cli.privacy.access",
    "socialcrm.cli.privacy.retention",
    "socialcrm.cli.privacy.erasure",
    "socialcrm.cli.privacy.suppression",
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        name="privacy",
        help=_(
            "Data protection: notice, access export, retention, erasure, objection, "
            "suppression, audit log (see docs/privacy.md)."
        ),
        no_args_is_help=True,
    )
    for dotted in MODULES:
        importlib.import_module(dotted).register(group)
    app.add_typer(group, rich_help_panel=PANEL)
