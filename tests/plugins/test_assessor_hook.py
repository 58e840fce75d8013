"""The ``prospect_assessor`` hook: a plugin that assesses a pipeline's prospects itself.

The unit of work asks it before every write (the result is stored when it
changes, with an ``assessed`` event), explicit qualification is refused where
it answers, the explicit ``identify.assessed`` rule yields to it, and a failing
assessor aborts the change instead of writing stale data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from socialcrm import CRM, hookimpl
from socialcrm.errors import PluginError, ValidationError
from socialcrm.hooks import Hooks
from socialcrm.models import Assessment, EventKind, Pipeline, Prospect
from socialcrm.playbook.icp import ICP, set_icp
from socialcrm.plugins import get_plugin_manager
from socialcrm.scoring import Assessor
from socialcrm.stages import Stage
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


class VipAssessor:
    """Qualifies prospects tagged ``vip``, in pipelines whose settings ask for it."""

    @hookimpl
    def prospect_assessor(self, pipeline: Pipeline, hooks: Hooks) -> Assessor | None:
        if not pipeline.settings.get("vip"):
            return None

        def assess(prospect: Prospect, at: datetime) -> Assessment:
            vip = "vip" in prospect.tags
            return Assessment(vip, 1.0 if vip else 0.0, 1.0, "vip tag" if vip else "no vip tag", at)

        return assess


class Broken:
    @hookimpl
    def prospect_assessor(self, pipeline: Pipeline) -> Assessor | None:
        raise RuntimeError("scoring service down")


class NotCallable:
    @hookimpl
    def prospect_assessor(self, pipeline: Pipeline) -> object:
        return 42


@pytest.fixture
def make_crm(tmp_path: Path) -> Iterator[Callable[..., CRM]]:
    """A CRM on the real TinyDB store with the given plugins plus the built-ins."""
    opened: list[CRM] = []

    def make(*plugins: object) -> CRM:
        crm = CRM(
            open_repository(tmp_path / "store"),
            get_plugin_manager(plugins=plugins),
            clock=FrozenClock(),
        )
        opened.append(crm)
        return crm

    yield make
    for crm in opened:
        crm.close()


def test_hook_prospect_assessor(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm(VipAssessor())
    crm.update_pipeline_settings({"vip": True})
    ana = crm.add("Ana Lima", urls=["https://www.linkedin.com/in/ana-lima"], tags=["vip"])
    assert ana.assessment is not None and ana.assessment.qualified
    assert [e.kind for e in crm.history(ana.id)] == [EventKind.CREATED, EventKind.ASSESSED]
    ana = crm.edit(ana.id, rm_tags=["vip"])  # re-assessed on every change
    assert ana.assessment is not None and not ana.assessment.qualified
    assert crm.history(ana.id)[-1].kind is EventKind.ASSESSED
    crm.add_note(ana.id, "same data, same assessment")
    assert crm.history(ana.id)[-1].kind is EventKind.NOTE  # no assessed event when unchanged
    with pytest.raises(ValidationError, match="qualifies prospects by their ICP score"):
        crm.assess(ana.id, qualified=True)  # explicit qualification is refused
    crm.advance(ana.id)  # to identify
    # not qualified, yet the explicit "identify.assessed" rule yields to the assessing plugin
    assert crm.problems(crm.get(ana.id), Stage.NOTORIETY) == []


def test_without_an_assessor_qualification_stays_explicit(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm(VipAssessor())  # the pipeline does not ask for it
    ana = crm.add("Ana Lima", tags=["vip"])
    assert ana.assessment is None
    assert crm.assess(ana.id, qualified=True).assessment is not None


def test_a_plugin_assessor_comes_before_the_icp(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm(VipAssessor())
    set_icp(crm, ICP.from_toml("threshold = 10\n[[criteria]]\nfield = 'title'\nweight = 10\n"))
    crm.update_pipeline_settings({"vip": True})
    ana = crm.add("Ana Lima", title="CTO")
    assert ana.assessment is not None and ana.assessment.note == "no vip tag"


def test_a_failing_assessor_aborts_the_change(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm(Broken())
    with pytest.raises(PluginError, match="scoring service down") as info:
        crm.add("Ana Lima")
    assert info.value.plugin == "Broken" and info.value.hook == "prospect_assessor"
    assert crm.query() == []  # nothing written


def test_an_assessor_must_be_callable(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm(NotCallable())
    with pytest.raises(PluginError, match="not a callable"):
        crm.add("Ana Lima")


def test_an_invalid_icp_is_a_validation_error_not_a_plugin_failure(
    make_crm: Callable[..., CRM],
) -> None:
    crm = make_crm()
    crm.update_pipeline_settings({"icp": {"threshold": "high"}})
    with pytest.raises(ValidationError, match="numeric threshold"):
        crm.add("Ana Lima")
    assert crm.failures == []
