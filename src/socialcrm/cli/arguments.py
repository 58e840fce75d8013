"""Arguments shared by many commands, so that command modules import each other never."""

from typing import Annotated

import typer

from socialcrm.cli.completion import complete_prospect
from socialcrm.i18n import gettext as _

__all__ = ["Ref"]

Ref = Annotated[
    str,
    typer.Argument(
        metavar="REF",
        help=_("Id or unique id prefix, e-mail, profile URL, network:handle, or exact name."),
        show_default=False,
        autocompletion=complete_prospect,
    ),
]
