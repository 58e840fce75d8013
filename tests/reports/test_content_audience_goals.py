"""Content, audience and goals on hand-made data with a frozen clock."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from socialcrm.errors import ValidationError
from socialcrm.playbook.posts import log_post
from socialcrm.reports.audience import audience, log_audience
from socialcrm.reports.content import content, set_network_target
from socialcrm.reports.goals import behind, goals_status, set_goal
from socialcrm.reports.selection import Filters

from .conftest import START, Pipeline, build, day


def test_content_per_post_and_month_against_each_network_line(empty: Pipeline) -> None:
    crm = empty.at(14)
    assert content(crm.repository, Filters(now=day(14)))["rate"] is None  # no data
    log_post(
        crm,
        "linkedin",
        views=500,
        reactions=10,
        at=datetime.fromisoformat("2026-02-20T10:00+00:00"),
    )
    log_post(crm, "linkedin", views=1000, reactions=50, at=day(1))
    log_post(crm, "facebook", views=2000, reactions=60, at=day(3))
    log_post(crm, "facebook", views=0, reactions=0, at=day(4))  # nobody saw it yet
    set_network_target(crm, "facebook", "2%")
    report = content(crm.repository, Filters(now=day(14)))
    assert report["targets"] == {"facebook": 0.02} and report["default_target"] == 0.04
    assert [(p["date"], p["rate"], p["below_target"]) for p in report["per_post"]] == [
        ("2026-02-20", 0.02, True),
        ("2026-03-03", 0.05, False),
        ("2026-03-05", 0.03, False),  # 3 % is above facebook's 2 % line
        ("2026-03-06", None, False),
    ]
    assert [
        (m["month"], m["network"], m["posts"], m["views"], m["reactions"], m["rate"])
        for m in report["per_month"]
    ] == [
        ("2026-02", "linkedin", 1, 500, 10, 0.02),
        ("2026-03", "facebook", 2, 2000, 60, 0.03),
        ("2026-03", "linkedin", 1, 1000, 50, 0.05),
    ]
    assert report["rate"] == 0.0343  # 120 / 3500
    ids = [p["id"] for p in report["per_post"]]
    assert (report["best"], report["worst"]) == (ids[1], ids[0])
    march = content(
        crm.repository, Filters.of_days(day(14), since=date(2026, 3, 1), network="facebook")
    )
    assert (march["posts"], march["views"], march["best"]) == (2, 2000, ids[2])


def test_audience_size_and_monthly_growth(empty: Pipeline) -> None:
    crm = empty.at(14)
    assert audience(crm.repository, Filters(now=day(14)))["networks"] == []
    log_audience(crm, "linkedin", 100, date(2026, 1, 15))
    log_audience(crm, "linkedin", 110, date(2026, 1, 31))
    log_audience(crm, "linkedin", 120, date(2026, 1, 31))  # same day: replaces
    log_audience(crm, "linkedin", 150, date(2026, 2, 28))
    log_audience(crm, "facebook", 180, date(2026, 1, 10))
    log_audience(crm, "facebook", 200, date(2026, 3, 1))
    report = audience(crm.repository, Filters(now=day(14)))
    assert report["networks"] == [
        {
            "network": "facebook",
            "followers": 200,
            "date": "2026-03-01",
            "months": [
                {"month": "2026-01", "followers": 180, "growth": None},
                {"month": "2026-03", "followers": 200, "growth": None},  # no February measure
            ],
        },
        {
            "network": "linkedin",
            "followers": 150,
            "date": "2026-02-28",
            "months": [
                {"month": "2026-01", "followers": 120, "growth": None},
                {"month": "2026-02", "followers": 150, "growth": 0.25},  # (150-120)/120
            ],
        },
    ]
    with pytest.raises(ValidationError):
        log_audience(crm, "linkedin", 10, date(2026, 4, 1))  # the future
    with pytest.raises(ValidationError):
        log_audience(crm, "linkedin", -1)


def test_goals_progress_and_on_track(empty: Pipeline) -> None:
    build(empty)  # now: Monday 16 March 2026, 09:00
    crm = empty.crm
    log_audience(crm, "linkedin", 150, date(2026, 2, 28))
    assert goals_status(crm.repository, "default", day(14)) == []
    set_goal(crm, "posts", 2, per="week")
    set_goal(crm, "wins", 6, per="month")
    set_goal(crm, "first_contacts", 10, per="year")
    set_goal(crm, "followers", 300, by=date(2026, 12, 31), network="linkedin")
    rows = {g["metric"]: g for g in goals_status(crm.repository, "default", day(14))}
    # week: 9 h of 168 h gone; expected 2*9/168 = 0.107; none posted; floor(0.107) = 0
    assert (rows["posts"]["actual"], rows["posts"]["expected"]) == (0, 0.11)
    assert rows["posts"]["on_track"]
    # March: 15 days 9 h of 31 days = 369/744; expected 6*369/744 = 2.976; Ann won: 1 < 2
    assert (rows["wins"]["actual"], rows["wins"]["expected"]) == (1, 2.98)
    assert not rows["wins"]["on_track"]
    # 2026: 74 days 9 h of 365 days; expected 10*1785/8760 = 2.038; openers Ann and Cid: 2
    assert (rows["first_contacts"]["actual"], rows["first_contacts"]["expected"]) == (2, 2.04)
    assert rows["first_contacts"]["on_track"]
    # set just now: nothing expected beyond the current 150; progress 150/300
    followers = rows["followers"]
    assert (followers["actual"], followers["expected"], followers["progress"]) == (150, 150, 0.5)
    # half-way to the deadline with no growth: behind
    halfway = START + (datetime(2027, 1, 1, tzinfo=START.tzinfo) - day(14)) / 2 + (day(14) - START)
    later = {g["metric"]: g for g in goals_status(crm.repository, "default", halfway)}
    assert later["followers"]["expected"] == 225 and not later["followers"]["on_track"]
    assert [g["metric"] for g in behind(crm.repository, "default", day(14))] == ["wins"]
    assert math.isclose(369 / 744 * 6, 2.9758, abs_tol=1e-4)


@pytest.mark.parametrize(
    ("metric", "kwargs"),
    [
        ("sales", {"per": "week"}),
        ("posts", {}),
        ("posts", {"per": "week", "by": date(2027, 1, 1)}),
        ("posts", {"per": "fortnight"}),
        ("followers", {"per": "month"}),
        ("posts", {"by": date(2026, 3, 1)}),
    ],
)
def test_bad_goals_write_nothing(empty: Pipeline, metric: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        set_goal(empty.at(14), metric, 3, **kwargs)  # type: ignore[arg-type]
    assert empty.crm.repository.get_meta("goals") is None
