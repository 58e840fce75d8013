"""The playbook's commands, one module per stage of the journey.

:mod:`.profile` (your own profile per network, stage 1), :mod:`.identify`
(``icp`` and ``score``), :mod:`.notoriety` (``warmth`` and ``post``),
:mod:`.contact` (``template``, ``sequence`` and ``next``) and :mod:`.agenda`
(``today`` and ``stage-limit``).  Each is a command module of
:data:`socialcrm.cli.app.MODULE_COMMANDS`, so a run imports only its own.
Every command parses, makes one call into :mod:`socialcrm.playbook`, and
renders.

This package keeps real annotations (no ``from __future__ import
annotations``), as every command module does: see :mod:`socialcrm.cli.app`.
"""

from typing import TYPE_CHECKING

from socialcrm.i18n import N_

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState

__all__ = ["PANEL", "percent", "report_ok"]

#: The ``--help`` panel listing every playbook command.
PANEL = N_("Playbook")


def percent(value: float | None) -> str:
    """A ratio as a percentage for tables (``—`` when there is none), in the rep's language."""
    from socialcrm.cli.localised import percent as localised_percent

    return localised_percent(value)


def report_ok(state: "CLIState", message: str) -> None:
    """Confirm a change: a green tick on a terminal, the plain message otherwise."""
    from socialcrm.cli.render import ok

    ok(state, message)
