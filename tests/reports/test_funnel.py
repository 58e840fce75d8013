"""The funnel on the hand-built pipeline (conftest.py): every number worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

from socialcrm.reports.funnel import funnel
from socialcrm.reports.selection import Filters

from .conftest import Pipeline, day


def stages(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["stage"]: s for s in report["stages"]}


def row(entered: int, still: int, on: int, back: int, lost: int, won: int) -> dict[str, int]:
    return {
        "entered": entered,
        "still_there": still,
        "moved_on": on,
        "moved_back": back,
        "lost": lost,
        "won": won,
    }


def counts(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    keys = ("entered", "still_there", "moved_on", "moved_back", "lost", "won")
    return {name: {k: s[k] for k in keys} for name, s in stages(report).items()}


def test_no_data(empty: Pipeline) -> None:
    report = funnel(empty.crm.repository, Filters(now=day(14)))
    assert report["prospects"] == report["won"] == report["lost"] == 0
    assert report["win_rate"] is None and report["median_days_first_contact_to_won"] is None
    for s in report["stages"]:
        assert s["entered"] == 0 and s["conversion"] is None and s["median_days"] is None


def test_whole_history(pipeline: Pipeline) -> None:
    # Visits (days): Ann profile 0-1, identify 1-3, notoriety 3-7, contact 7-10, convert 10-12 won.
    # Bob profile 0-2, identify 2-5 lost, (reopened) identify 8-9 back, profile 9-now.
    # Cid profile 1-2, contact 2-6 lost (forced past identify and notoriety).
    # Dee profile 0-3, identify 3-6 (Dee Two's move), merge: back to Dee's profile 6-11,
    # identify 11-now.  The outcome in a stage is the last visit's.
    report = funnel(pipeline.crm.repository, Filters(now=day(14)))
    assert counts(report) == {
        "profile": row(4, 1, 3, 0, 0, 0),  # Bob still there; Ann, Cid, Dee moved on
        "identify": row(3, 1, 1, 1, 0, 0),  # Dee still there; Ann on; Bob back
        "notoriety": row(1, 0, 1, 0, 0, 0),
        "contact": row(2, 0, 1, 0, 1, 0),  # Ann on; Cid lost
        "convert": row(1, 0, 0, 0, 0, 1),
    }
    s = stages(report)
    assert [s[n]["conversion"] for n in s] == [0.75, 0.3333, 1.0, 0.5, 1.0]
    # time in stage, prospects that left it: profile Ann 1, Cid 1, Dee 3+5=8 -> median 1,
    # p90 = ceil(0.9*3)=3rd smallest = 8; identify Ann 2, Bob 3+1=4 -> 3 and 4 (2nd of 2)
    assert (s["profile"]["median_days"], s["profile"]["p90_days"]) == (1, 8)
    assert (s["identify"]["median_days"], s["identify"]["p90_days"]) == (3, 4)
    assert (s["notoriety"]["median_days"], s["notoriety"]["p90_days"]) == (4, 4)
    assert (s["contact"]["median_days"], s["contact"]["p90_days"]) == (3.5, 4)
    assert (s["convert"]["median_days"], s["convert"]["p90_days"]) == (2, 2)
    # Bob was lost then reopened: not lost.  Won 1, lost 1 -> 50 %.
    assert (report["prospects"], report["won"], report["lost"]) == (4, 1, 1)
    assert report["lost_by_reason"] == {"timing": 1}
    assert report["win_rate"] == 0.5
    # Ann's first message d4, won d12
    assert report["median_days_first_contact_to_won"] == 8


def test_since(pipeline: Pipeline) -> None:
    # from 7 March 00:00 (day 4.625): visits starting then or later only
    report = funnel(pipeline.crm.repository, Filters.of_days(day(14), since=date(2026, 3, 7)))
    assert counts(report) == {
        "profile": row(2, 1, 1, 0, 0, 0),  # Bob 9- still; Dee 6-11 on
        "identify": row(2, 1, 0, 1, 0, 0),  # Bob 8-9 back; Dee 11- still
        "notoriety": row(0, 0, 0, 0, 0, 0),
        "contact": row(1, 0, 1, 0, 0, 0),
        "convert": row(1, 0, 0, 0, 0, 1),
    }
    s = stages(report)
    assert s["notoriety"]["conversion"] is None
    assert s["profile"]["median_days"] == 5 and s["identify"]["median_days"] == 1
    # Cid's loss (d6) is in the period though none of his visits started in it
    assert (report["prospects"], report["won"], report["lost"]) == (4, 1, 1)


def test_until_before_the_reopening(pipeline: Pipeline) -> None:
    # up to 9 March included (ends day 7.625): Bob is still lost, Ann is in contact
    report = funnel(pipeline.crm.repository, Filters.of_days(day(14), until=date(2026, 3, 9)))
    assert counts(report) == {
        "profile": row(4, 1, 3, 0, 0, 0),  # Dee back in profile since the merge
        "identify": row(3, 0, 1, 1, 1, 0),  # Ann on, Dee back, Bob lost
        "notoriety": row(1, 0, 1, 0, 0, 0),
        "contact": row(2, 1, 0, 0, 1, 0),
        "convert": row(0, 0, 0, 0, 0, 0),
    }
    s = stages(report)
    assert (s["profile"]["median_days"], s["profile"]["p90_days"]) == (1, 2)  # 1, 2, 1
    assert (s["identify"]["median_days"], s["identify"]["p90_days"]) == (3, 3)  # 2, 3, 3
    assert report["lost_by_reason"] == {"no budget": 1, "timing": 1}
    assert (report["won"], report["lost"], report["win_rate"]) == (0, 2, 0.0)


def test_filters(pipeline: Pipeline) -> None:
    repo = pipeline.crm.repository
    webinar = funnel(repo, Filters(now=day(14), source="Webinar"))
    assert webinar["prospects"] == 1
    assert counts(webinar)["identify"] == row(1, 0, 0, 1, 0, 0)
    on_x = funnel(repo, Filters(now=day(14), network="x"))  # Bob, and Dee (Dee Two's profile)
    assert on_x["prospects"] == 2 and counts(on_x)["identify"] == row(2, 1, 0, 1, 0, 0)
    assert funnel(repo, Filters(now=day(14), tag="vip"))["prospects"] == 1
    assert funnel(repo, Filters(now=day(14), pipeline="other"))["prospects"] == 0


def test_cohorts(pipeline: Pipeline) -> None:
    report = funnel(pipeline.crm.repository, Filters(now=day(14)), cohort="source")
    by = {c["cohort"]: c for c in report["cohorts"]}
    # Ann, Cid, Dee were found on their networks; Bob came from the webinar
    assert set(by) == {"linkedin", "facebook", "webinar"}
    assert (by["linkedin"]["entered"], by["linkedin"]["won"], by["linkedin"]["win_rate"]) == (
        2,
        1,
        1.0,
    )
    assert (by["facebook"]["lost"], by["facebook"]["win_rate"]) == (1, 0.0)
    months = funnel(pipeline.crm.repository, Filters(now=day(14)), cohort="month")
    assert [c["cohort"] for c in months["cohorts"]] == ["2026-03"]
    icp = funnel(pipeline.crm.repository, Filters(now=day(14)), cohort="icp")
    assert [c["cohort"] for c in icp["cohorts"]] == ["unscored"]
