"""Built-in plugin: the playbook's exit criteria and its ICP scoring.

Registered like any third-party plugin and with ``trylast=True``, so a plugin
can add its own criteria first, or assess prospects its own way:

* ``check_transition``: leaving ``profile`` is refused on a network where the
  rep's recorded own profile fails that network's checklist (see
  :mod:`socialcrm.playbook.seller_profile`); leaving ``identify`` in a
  pipeline with an ICP needs score >= threshold (see
  :func:`socialcrm.playbook.icp.problems`).  ``force`` still overrides both.
* ``prospect_assessor``: a pipeline with an ICP scores its prospects on every
  change (:func:`socialcrm.playbook.icp.assessor`).

A pipeline without an ICP costs one settings look-up: the scoring code is
imported only for pipelines that have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socialcrm.hookspecs import hookimpl
from socialcrm.models import Event, Pipeline, Prospect
from socialcrm.playbook import has_icp
from socialcrm.rules import Problem
from socialcrm.stages import Stage

if TYPE_CHECKING:
    from socialcrm.hooks import Hooks
    from socialcrm.scoring import Assessor


@hookimpl(trylast=True)
def check_transition(
    prospect: Prospect,
    from_stage: Stage,
    to_stage: Stage,
    pipeline: Pipeline,
    events: Sequence[Event],
) -> Sequence[Problem] | None:
    """The seller-profile criterion (leaving ``profile``) and the ICP's (leaving ``identify``)."""
    problems: list[Problem] = []
    if from_stage is Stage.PROFILE and to_stage > Stage.PROFILE:
        from socialcrm.playbook.seller_profile_rule import problems_for

        problems += problems_for(prospect, pipeline)
    if from_stage <= Stage.IDENTIFY < to_stage and has_icp(pipeline):
        from socialcrm.playbook.icp import problems as icp_problems

        problems += icp_problems(prospect, pipeline)
    return problems or None


@hookimpl(trylast=True)
def prospect_assessor(pipeline: Pipeline, hooks: Hooks) -> Assessor | None:
    """The pipeline's ICP score, when it has an ICP."""
    if not has_icp(pipeline):
        return None
    from socialcrm.playbook.icp import assessor

    return assessor(pipeline, hooks)
