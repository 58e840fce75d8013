"""Stage 1: the rep's own profile against each network's checklist, and its exit rule."""

from __future__ import annotations

import pytest

from socialcrm import CRM, Stage, TransitionRefusedError
from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.playbook.seller_profile import check, parse_assignment, record
from socialcrm.plugins import get_plugin_manager


def test_unrecorded_profile_is_unchecked_not_failing(crm: CRM) -> None:
    (report,) = check(crm)
    assert report.network == "testnet" and not report.recorded and not report.ok
    assert [s.item.id for s in report.missing] == ["photo", "headline"]
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    assert crm.advance(p.id).stage is Stage.IDENTIFY


def test_record_and_check(crm: CRM) -> None:
    report = record(crm, "testnet", ["photo=yes", "headline=I help SaaS teams hire"])
    assert report.ok
    assert [s.value for s in report.items] == ["yes", "I help SaaS teams hire"]
    report = record(crm, "TestNet", {"photo": "no"})
    assert not report.ok and [s.item.id for s in report.missing] == ["photo"]
    assert check(crm, "testnet") == [report]


def test_failing_profile_refuses_leaving_profile_with_the_reason(crm: CRM) -> None:
    record(crm, "testnet", ["photo=yes"])
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    (problem,) = info.value.problems
    assert problem.rule == "profile.seller-checklist"
    assert "your own TestNet profile fails its checklist (1 missing)" in problem.message
    assert "A headline naming the problem you solve — it follows you" in problem.message
    assert problem.fix is not None and "socialcrm profile set testnet headline=yes" in problem.fix
    forced = crm.advance(p.id, force=True)
    assert forced.stage is Stage.IDENTIFY
    record(crm, "testnet", ["headline=yes"])
    other = crm.add("Ann Lee", urls=["https://testnet.example/ann"])
    assert crm.advance(other.id).stage is Stage.IDENTIFY


def test_rule_only_guards_leaving_profile(crm: CRM) -> None:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    crm.advance(p.id)
    record(crm, "testnet", ["photo=no"])
    crm.assess(p.id, qualified=True)
    assert crm.advance(p.id).stage is Stage.NOTORIETY


def test_rule_is_a_builtin_plugin_that_can_be_blocked(crm: CRM) -> None:
    from .conftest import TestNetPlugin

    pm = get_plugin_manager(
        entrypoints=False, plugins=[TestNetPlugin()], block=["socialcrm.playbook"]
    )
    other = CRM(crm.repository, pm, clock=crm._clock)
    record(other, "testnet", ["photo=no"])
    p = other.add("Jane Doe", urls=["https://testnet.example/jane"])
    assert other.advance(p.id).stage is Stage.IDENTIFY
    assert crm.plugin_manager.has_plugin("socialcrm.playbook")
    assert not pm.has_plugin("socialcrm.playbook")


@pytest.mark.parametrize("bad", ["photo", "=yes", ""])
def test_assignment_syntax(bad: str) -> None:
    with pytest.raises(ValidationError, match="ITEM=yes"):
        parse_assignment(bad)


def test_unknown_item_or_network_is_refused(crm: CRM) -> None:
    with pytest.raises(ValidationError, match="no profile checklist item 'banner'") as info:
        record(crm, "testnet", ["banner=yes"])
    assert info.value.hint == "items: headline, photo"
    with pytest.raises(NotFoundError):
        record(crm, "myspace", ["photo=yes"])
    assert "seller_profile" not in crm.pipeline.settings


def test_profile_is_kept_in_pipeline_settings_on_disk(disk_crm: CRM) -> None:
    record(disk_crm, "testnet", ["photo=yes", "headline=no"])
    stored = disk_crm.repository.get_pipeline("default")
    assert stored is not None
    entry = stored.settings["seller_profile"]["testnet"]
    assert entry["items"] == {"photo": "yes", "headline": "no"}
    assert [c["id"] for c in entry["checklist"]] == ["photo", "headline"]


def test_real_linkedin_checklist(clock: object) -> None:
    pytest.importorskip("socialcrm_linkedin")
    from socialcrm.repository import MemoryRepository

    crm = CRM(MemoryRepository(), get_plugin_manager(), clock=clock)  # type: ignore[arg-type]
    (report,) = check(crm, "linkedin")
    assert {"photo", "headline"} <= {s.item.id for s in report.items}
