"""Built-in plugin: the seller-profile exit criterion of stage ``profile``.

Registered like any third-party plugin (through ``check_transition``) and with
``trylast=True``, so a plugin can add its own criteria first.  It refuses to
move a prospect out of ``profile`` on a network where the rep's recorded own
profile fails that network's checklist (see
:mod:`socialcrm.playbook.seller_profile`); ``force`` still overrides it.
"""

from __future__ import annotations

from collections.abc import Sequence

from socialcrm.hookspecs import hookimpl
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.rules import Problem
from socialcrm.stages import Stage


@hookimpl(trylast=True)
def check_transition(
    prospect: Prospect,
    from_stage: Stage,
    to_stage: Stage,
    pipeline: Pipeline,
    events: Sequence[Event],
) -> Sequence[Problem] | None:
    """Refuse leaving ``profile`` while the rep's own profile fails the checklist."""
    if from_stage is not Stage.PROFILE or to_stage <= Stage.PROFILE:
        return None
    from socialcrm.playbook.seller_profile_rule import problems_for

    return problems_for(prospect, pipeline)
