"""Stage 2: the ICP — TOML format, explained scoring, plugins' points, the identify rule."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm import CRM, Contribution, Prospect, Stage, TransitionRefusedError, hookimpl
from socialcrm.errors import ValidationError
from socialcrm.io import import_file
from socialcrm.models import Assessed
from socialcrm.playbook.icp import ICP, SizeRange, get_icp, rescore, score, set_icp
from socialcrm.plugins import get_plugin_manager
from socialcrm.repository import MemoryRepository
from socialcrm.testing import FrozenClock

from .conftest import TestNetPlugin

ICP_TOML = """
threshold = 50
description = "SaaS decision makers"

[[criteria]]
field = "sector"
weight = 30
values = ["software", "SaaS"]

[[criteria]]
field = "title"
weight = 20
values = ["cto", "vp engineering"]

[[criteria]]
field = "company_size"
weight = 10
ranges = ["11-50", "1000+"]

[[criteria]]
field = "network"
weight = 5
values = ["testnet"]

[[criteria]]
field = "custom:budget"
name = "has budget"
weight = 15

[[criteria]]
field = "tag"
weight = -40
values = ["competitor"]
"""


def test_toml_round_trip_keeps_every_criterion() -> None:
    icp = ICP.from_toml(ICP_TOML)
    again = ICP.from_toml(icp.to_toml(pipeline="default"))
    assert again == icp
    assert icp.threshold == 50 and len(icp.criteria) == 6
    assert icp.criteria[2].ranges == (SizeRange(11, 50), SizeRange(1000, None))
    assert icp.to_toml().startswith("# Ideal customer profile")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("threshold = ", "invalid TOML"),
        ("[[criteria]]\nfield='sector'\nweight=1", "numeric threshold"),
        ("threshold=1\n[[criteria]]\nfield='colour'\nweight=1", "unknown field 'colour'"),
        ("threshold=1\n[[criteria]]\nfield='title'\nweight='x'", "criteria[0]: weight"),
        ("threshold=1\n[[criteria]]\nfield='title'\nweight=1\nvalue=['a']", "unknown key 'value'"),
        ("threshold=1\n[[criteria]]\nfield='company_size'\nweight=1\nranges=['9-2']", "ends"),
        ("threshold=1\n[[criteria]]\nfield='title'\nweight=1\nranges=['1-2']", "company_size"),
        ("threshold=1\ntreshold=2", "unknown ICP key 'treshold'"),
    ],
)
def test_invalid_icp_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        ICP.from_toml(text, source="icp.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("icp.toml")


def _prospect(**fields: Any) -> Prospect:
    fields.setdefault("name", "Jane Doe")
    return Prospect(id="01P", **fields)


def test_score_is_explained_criterion_by_criterion() -> None:
    icp = ICP.from_toml(ICP_TOML)
    p = _prospect(title="CTO & co-founder", sector="Software", company_size=30)
    result = score(p, icp)
    points = {c.criterion: c.points for c in result.contributions}
    assert points == {
        "sector": 30,
        "title": 20,
        "company_size": 10,
        "network": 0,
        "has budget": 0,
        "tag": 0,
    }
    assert result.total == 60 and result.qualified
    reasons = {c.criterion: c.reason for c in result.contributions}
    assert reasons["sector"] == "sector 'Software' matches 'software'"
    assert reasons["company_size"] == "company size 30 is in 11-50"
    assert reasons["has budget"] == "custom field 'budget' unknown"
    assert result.summary() == "sector +30; title +20; company_size +10"


def test_keywords_match_whole_words_only() -> None:
    icp = ICP.from_toml("threshold=1\n[[criteria]]\nfield='title'\nweight=1\nvalues=['cto']")
    assert score(_prospect(title="Director"), icp).total == 0  # "dire-cto-r"
    assert score(_prospect(title="The CTO"), icp).total == 1


def test_negative_weight_excludes() -> None:
    icp = ICP.from_toml(ICP_TOML)
    p = _prospect(sector="SaaS", title="CTO", tags=["Competitor"])
    assert score(p, icp).total == 10  # 30 + 20 - 40
    assert not score(p, icp).qualified


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_size_range_parse_and_membership(a: int, b: int) -> None:
    low, high = min(a, b), max(a, b)
    r = SizeRange.parse(f"{low}-{high}")
    assert SizeRange.parse(str(r)) == r
    assert low in r and high in r and (high + 1) not in r
    assert (low - 1) not in r or low == 0
    assert SizeRange.parse(f"{low}+") == SizeRange(low, None)


class BonusPlugin:
    """A plugin adding points for prospects in Lyon."""

    @hookimpl
    def score_prospect(self, prospect: Prospect, icp: Any) -> Sequence[Contribution]:
        if prospect.location == "Lyon":
            return [Contribution("local", 25, "based in Lyon", source="bonus")]
        return []


class BrokenScorer:
    @hookimpl
    def score_prospect(self, prospect: Prospect, icp: Any) -> Sequence[Contribution]:
        raise RuntimeError("scorer down")


def _crm(clock: FrozenClock, *plugins: object) -> CRM:
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin(), *plugins])
    return CRM(MemoryRepository(), pm, clock=clock)


def test_plugin_contributions_are_added_and_named(clock: FrozenClock) -> None:
    crm = _crm(clock, BonusPlugin(), BrokenScorer())
    set_icp(crm, ICP.from_toml(ICP_TOML))
    p = crm.add("Jane Doe", sector="software", location="Lyon")
    assert p.assessment is not None
    assert p.assessment.score == 55 and p.assessment.qualified
    assert p.assessment.note == "sector +30; local +25 (bonus)"
    _, result = rescore(crm, p.id)
    assert [c.source for c in result.contributions][-1] == "bonus"
    assert any(f.hook == "score_prospect" for f in crm.failures)  # the broken one is isolated


def test_prospects_are_scored_on_add_and_edit(crm: CRM) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    p = crm.add("Jane Doe", sector="Retail")
    assert p.assessment is not None and p.assessment.score == 0 and not p.assessment.qualified
    assert crm.get(p.id) == p
    p = crm.edit(p.id, set_fields={"sector": "SaaS", "title": "CTO"})
    assert p.assessment is not None and p.assessment.score == 50 and p.assessment.qualified
    assessed = [e.payload for e in crm.history(p.id) if isinstance(e.payload, Assessed)]
    assert [a.score for a in assessed] == [0, 50]
    crm.add_note(p.id, "no change to the score")
    assert len([e for e in crm.history(p.id) if isinstance(e.payload, Assessed)]) == 2


def test_setting_the_icp_rescores_open_prospects(crm: CRM) -> None:
    a = crm.add("Ann Lee", sector="software")
    b = crm.add("Bob Roe", sector="retail")
    crm.lose(b.id, "no budget")
    assert crm.get(a.id).assessment is None
    assert set_icp(crm, ICP.from_toml(ICP_TOML)) == 1
    assert crm.get(a.id).assessment is not None
    assert crm.get(b.id).assessment is None  # closed prospects keep their history
    assert get_icp(crm.pipeline) == ICP.from_toml(ICP_TOML)
    set_icp(crm, None)
    assert get_icp(crm.pipeline) is None


def _to_identify(crm: CRM, **fields: Any) -> Prospect:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"], **fields)
    return crm.advance(p.id)


def test_leaving_identify_needs_score_at_threshold_with_explanation(crm: CRM) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    p = _to_identify(crm, sector="software", title="Head of sales")
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    (problem,) = info.value.problems
    assert problem.rule == "identify.assessed"
    assert "ICP score 35 is below the threshold 50" in problem.message
    assert "sector +30; network +5" in problem.message
    assert problem.fix is not None and f"socialcrm score {p.id}" in problem.fix
    crm.edit(p.id, set_fields={"title": "CTO"})
    assert crm.advance(p.id).stage is Stage.NOTORIETY


def test_threshold_change_applies_to_the_move(crm: CRM) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    p = _to_identify(crm, sector="software", title="CTO")
    crm.update_pipeline_settings({"icp": {**get_icp(crm.pipeline).to_dict(), "threshold": 90}})  # type: ignore[union-attr]
    with pytest.raises(TransitionRefusedError):
        crm.advance(p.id)
    assert crm.advance(p.id, force=True).stage is Stage.NOTORIETY


def test_without_icp_qualification_stays_explicit(crm: CRM) -> None:
    p = _to_identify(crm)
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    assert "has not been assessed" in info.value.problems[0].message
    crm.assess(p.id, qualified=True, note="met at a fair")
    assert crm.advance(p.id).stage is Stage.NOTORIETY


def test_explicit_assessment_is_refused_when_the_pipeline_has_an_icp(crm: CRM) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    p = crm.add("Jane Doe")
    with pytest.raises(ValidationError, match="qualifies prospects by their ICP score"):
        crm.assess(p.id, qualified=True)


def test_min_score_filter_and_sort_by_score(crm: CRM) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    crm.add("Low Lee", sector="retail")
    crm.add("Mid Moe", sector="software")
    crm.add("Top Tim", sector="software", title="CTO")
    assert [p.name for p in crm.query(min_score=30, sort="name")] == ["Mid Moe", "Top Tim"]
    assert [p.name for p in crm.query(sort="-score")] == ["Top Tim", "Mid Moe", "Low Lee"]
    assert [p.name for p in crm.query(sort="score")] == ["Low Lee", "Mid Moe", "Top Tim"]


def test_import_scores_prospects(crm: CRM, tmp_path: Path) -> None:
    set_icp(crm, ICP.from_toml(ICP_TOML))
    csv = tmp_path / "people.csv"
    csv.write_text("name,title,company\nJane Doe,CTO,Acme\nBob Roe,Buyer,Initech\n")
    import_file(crm, csv, format="csv")
    scores = {p.name: p.assessment.score for p in crm.query() if p.assessment}
    assert scores == {"Jane Doe": 20, "Bob Roe": 0}


def test_icp_survives_the_tinydb_store(disk_crm: CRM) -> None:
    set_icp(disk_crm, ICP.from_toml(ICP_TOML))
    p = disk_crm.add("Jane Doe", sector="software", title="CTO")
    disk_crm.repository.close()
    from socialcrm.storage import open_repository

    path = disk_crm.repository.path  # type: ignore[attr-defined]
    again = CRM(open_repository(path), disk_crm.plugin_manager, clock=disk_crm._clock)
    assert get_icp(again.pipeline) == ICP.from_toml(ICP_TOML)
    stored = again.get(p.id)
    assert stored.assessment is not None and stored.assessment.score == 50
    assert [x.name for x in again.query(min_score=50)] == ["Jane Doe"]
    again.close()


class Told:
    def __init__(self, crm: list[CRM]) -> None:
        self.crm = crm
        self.told: list[tuple[str, str, float | None, bool]] = []

    @hookimpl
    def on_event(self, event: Any, prospect: Prospect | None) -> None:
        assert prospect is not None
        score = prospect.assessment.score if prospect.assessment else None
        # plugins hear of the re-score once it is committed: another process sees it
        from socialcrm.storage import open_repository

        other = open_repository(self.crm[0].repository.path)  # type: ignore[attr-defined]
        committed = any(e.id == event.id for e in other.events(prospect.id))
        other.close()
        self.told.append((prospect.name, type(event.payload).__name__, score, committed))


def test_setting_the_icp_tells_plugins_each_new_score_once_committed(
    clock: FrozenClock, tmp_path: Path
) -> None:
    from socialcrm.storage import open_repository

    holder: list[CRM] = []
    told = Told(holder)
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin(), told])
    crm = CRM(open_repository(tmp_path / "store"), pm, clock=clock)
    holder.append(crm)
    crm.add("Ann Lee", sector="software")
    _to_identify(crm, sector="software", title="CTO")  # Jane Doe, in another stage's files
    crm.lose(crm.add("Bob Roe", sector="software").id, "no budget")
    told.told.clear()
    assert set_icp(crm, ICP.from_toml(ICP_TOML)) == 2
    assert sorted(told.told) == [
        ("Ann Lee", "Assessed", 30, True),
        ("Jane Doe", "Assessed", 55, True),
    ]
    told.told.clear()
    assert set_icp(crm, ICP.from_toml(ICP_TOML)) == 0  # same scores: nothing to tell
    assert told.told == []
    crm.close()


def test_a_batch_rescore_writes_each_prospect_before_reading_the_next(disk_crm: CRM) -> None:
    from socialcrm.playbook import ICP_KEY
    from socialcrm.playbook.icp import assess_many

    ids = [disk_crm.add(f"Person {i}", sector="software").id for i in range(3)]
    disk_crm.update_pipeline_settings({ICP_KEY: ICP.from_toml(ICP_TOML).to_dict()})

    def one_at_a_time() -> Any:
        for n, pid in enumerate(ids):
            if n:  # the previous prospect is already scored and written
                previous = disk_crm.repository.get(ids[n - 1])
                assert previous is not None and previous.assessment is not None
            found = disk_crm.repository.get(pid)
            assert found is not None and found.assessment is None
            yield found

    with disk_crm.repository.transaction():
        done = assess_many(disk_crm, one_at_a_time())
    assert done.count == 3
    assert done.told is None  # no plugin listens: no event ids are kept
    assert all(disk_crm.get(pid).assessment is not None for pid in ids)
