"""The ideal customer profile (stage 2, identify): weighted criteria and an explained score.

An :class:`ICP` is a threshold plus weighted criteria on a prospect's sector,
company size, location, title, networks, tags and custom fields.  A prospect's
score is the sum of the weights of the criteria it matches plus the points that
plugins give through the ``score_prospect`` hook; it qualifies when the score
reaches the threshold.  Every point is explained by a
:class:`~socialcrm.scoring.Contribution`, so ``socialcrm score REF`` can say
*why* a prospect is (not) a fit.

Text criteria match whole words, case-insensitively (``cto`` matches
"CTO & co-founder" but not "Director").  A criterion without ``values`` asks
only that the field be filled in.  Negative weights express exclusions.

The ICP is stored as a plain dict in the pipeline's ``settings["icp"]`` and
edited by the rep as TOML::

    threshold = 50

    [[criteria]]
    field = "sector"
    weight = 30
    values = ["software", "saas"]

    [[criteria]]
    field = "company_size"
    weight = 20
    ranges = ["11-50", "51-200"]

The values (:class:`ICP`, :class:`Criterion`, :class:`Score`…) live in the
core (:mod:`socialcrm.scoring`): they are what the scoring hooks exchange.
This module reads and writes a pipeline's ICP and applies it.  When a
pipeline has an ICP, the built-in playbook plugin
(:mod:`socialcrm.default_plugins.playbook`) gives the unit of work its
:func:`assessor`, so prospects are scored on every change (add, edit, import)
and the result is stored as their :class:`~socialcrm.models.Assessment`;
leaving ``identify`` then requires score >= threshold (see :func:`problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Assessment, Pipeline, Prospect
from socialcrm.playbook import ICP_KEY, has_icp
from socialcrm.recording import Rescored
from socialcrm.rules import Problem
from socialcrm.scoring import FIELDS, ICP, TOML_HELP, Assessor, Criterion, Score, SizeRange

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.hooks import Hooks

__all__ = [
    "FIELDS",
    "ICP",
    "TOML_HELP",
    "Criterion",
    "Rescored",
    "Score",
    "SizeRange",
    "assess_many",
    "assessor",
    "get_icp",
    "problems",
    "rescore",
    "rescore_all",
    "score",
    "set_icp",
]


def get_icp(pipeline: Pipeline) -> ICP | None:
    """The pipeline's ICP, or ``None`` (then qualification is explicit)."""
    return ICP.from_dict(pipeline.settings[ICP_KEY]) if has_icp(pipeline) else None


def score(p: Prospect, icp: ICP, hooks: Hooks | None = None) -> Score:
    """Built-in criteria plus every plugin's ``score_prospect`` contributions."""
    contributions = icp.evaluate(p)
    if hooks is not None:
        contributions += hooks.score_prospect(prospect=p, icp=icp)
    total = round(sum(c.points for c in contributions), 6)
    return Score(total + 0.0, icp.threshold, tuple(contributions))


def assessor(pipeline: Pipeline, hooks: Hooks) -> Assessor | None:
    """How the unit of work scores ``pipeline``'s prospects: its ICP (parsed once), or
    ``None`` when it has none."""
    icp = get_icp(pipeline)
    if icp is None:
        return None

    def assess(prospect: Prospect, at: datetime) -> Assessment:
        return score(prospect, icp, hooks).assessment(at)

    return assess


def rescore(crm: CRM, ref: str) -> tuple[Prospect, Score]:
    """Score one prospect against the current ICP, store the result, explain it."""
    icp = get_icp(crm.pipeline)
    if icp is None:
        raise ValidationError(
            _("pipeline {pipeline_name!r} has no ideal customer profile").format(
                pipeline_name=crm.pipeline_name
            ),
            field="icp",
            hint=_("define one with 'socialcrm icp edit' or 'socialcrm icp set FILE'"),
        )
    with crm.recording.transaction() as recorder:
        found = crm.resolve(ref)
        prospect = recorder.record(found, []).prospect or found  # re-scored as it is written
    return prospect, score(prospect, icp, crm.hooks)


def assess_many(crm: CRM, prospects: Iterable[Prospect]) -> Rescored:
    """Score prospects (e.g. freshly written ones) and write the changed assessments.

    ``prospects`` may be a generator: each is scored and written, then
    forgotten.  Inside a caller's transaction, plugins are told after its
    commit (see :meth:`socialcrm.recording.Recorder.rescore`).
    """
    with crm.recording.transaction() as recorder:
        return recorder.rescore(prospects)


def _open_prospects(crm: CRM) -> Iterator[Prospect]:
    """The current pipeline's open prospects, one stage at a time (each stage's
    are scored before the next is read)."""
    from socialcrm.repository import Query, stage_by_stage
    from socialcrm.stages import Status

    query = Query(pipeline=crm.pipeline_name, status=Status.OPEN)
    return stage_by_stage(crm.repository, query)


def rescore_all(crm: CRM) -> int:
    """Re-score every open prospect of the current pipeline; return how many changed."""
    return assess_many(crm, _open_prospects(crm)).count


def set_icp(crm: CRM, icp: ICP | None) -> int:
    """Store (or with ``None`` remove) the current pipeline's ICP and re-score.

    Returns the number of prospects whose assessment changed.  Removing the
    ICP keeps the last assessments: qualification becomes explicit again.
    """
    with crm.recording.transaction() as recorder:
        crm.update_pipeline_settings({ICP_KEY: icp.to_dict() if icp else None})
        done = recorder.rescore(_open_prospects(crm)) if icp else Rescored()
    return done.count


def problems(p: Prospect, pipeline: Pipeline) -> Iterable[Problem]:
    """The ``identify`` exit criterion when the pipeline has an ICP: score >= threshold."""
    icp = get_icp(pipeline)
    if icp is None:
        return
    a = p.assessment
    if a is None or a.score is None:
        yield Problem(
            "identify.assessed",
            _("the prospect has not been scored against the ideal customer profile"),
            _("run 'socialcrm score {id}'").format(id=p.id),
        )
    elif a.score < icp.threshold:
        yield Problem(
            "identify.assessed",
            _("ICP score {score:g} is below the threshold {threshold:g} ({note})").format(
                score=a.score, threshold=icp.threshold, note=a.note
            ),
            _("see 'socialcrm score {id}'; complete the prospect's data or adjust the ICP").format(
                id=p.id
            ),
        )
