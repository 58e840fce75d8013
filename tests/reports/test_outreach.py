"""Outreach on the hand-built pipeline (conftest.py), worked out by hand."""

from __future__ import annotations

from datetime import date

from socialcrm.playbook.sequences import define, enroll
from socialcrm.playbook.templates import set_template
from socialcrm.reports.outreach import outreach
from socialcrm.reports.selection import Filters

from .conftest import Pipeline, day


def test_no_data(empty: Pipeline) -> None:
    report = outreach(empty.crm.repository, Filters(now=day(14)))
    assert report["openers"] == report["inbound"] == report["overdue_followups"] == 0
    assert report["reply_rate"] is None and report["median_response_days"] is None
    assert report["weeks"] == [] and report["by_network"] == []


def test_openers_replies_and_response_times(pipeline: Pipeline) -> None:
    report = outreach(pipeline.crm.repository, Filters(now=day(14)))
    # openers: Ann (d4, replied d6) and Cid (d4, no reply); Dee Two wrote first:
    # prospect-initiated, so Dee's d5 message is an answer, not an opener
    assert (report["openers"], report["replied"], report["reply_rate"]) == (2, 1, 0.5)
    assert report["median_reply_days"] == 2.0
    assert report["prospect_initiated"] == 1
    assert report["weeks"] == [{"week": "2026-03-02", "openers": 2, "replied": 1}]
    # inbound waiting for an answer: Dee Two's d4 (answered d5: 1 day), Ann's d6 (not yet)
    assert (report["inbound"], report["inbound_answered"], report["answer_rate"]) == (2, 1, 0.5)
    assert report["median_response_days"] == 1.0
    assert report["by_network"] == [
        {
            "network": "facebook",
            "openers": 1,
            "replied": 0,
            "reply_rate": 0.0,
            "median_reply_days": None,
        },
        {
            "network": "linkedin",
            "openers": 1,
            "replied": 1,
            "reply_rate": 1.0,
            "median_reply_days": 2.0,
        },
    ]
    assert [(r["sequence"], r["openers"]) for r in report["by_sequence"]] == [("none", 2)]


def test_period_and_network(pipeline: Pipeline) -> None:
    repo = pipeline.crm.repository
    later = outreach(repo, Filters.of_days(day(14), since=date(2026, 3, 7)))
    # no opener after 7 March; Ann's d6 reply arrived then, unanswered
    assert (later["openers"], later["inbound"], later["inbound_answered"]) == (0, 1, 0)
    linkedin = outreach(repo, Filters(now=day(14), network="linkedin"))  # Ann and Dee
    assert (linkedin["openers"], linkedin["prospect_initiated"]) == (1, 1)


def test_sequence_openers_and_overdue_follow_ups(empty: Pipeline) -> None:
    crm = empty.at(0)
    set_template(crm, "hello", "Hello {first_name}")
    define(crm, "intro", ["0:linkedin.message:hello", "3:linkedin.message:hello"])
    for name in ("Eve", "Fay", "Gus"):
        crm.add(name, urls=[f"https://www.linkedin.com/in/{name.lower()}"])
        enroll(crm, name, "intro")
    empty.at(1).log_message("Eve", "Hello Eve", network="linkedin", channel="message")
    empty.at(1).log_message("Fay", "Hello Fay", network="linkedin", channel="message")
    empty.at(2).log_message("Fay", "Thanks!", received=True, network="linkedin")
    report = outreach(empty.crm.repository, Filters(now=day(5)))
    # Eve's second step was due d4 (d1 + 3); Gus's first was due d0; Fay replied
    assert report["overdue_followups"] == 2
    assert report["by_sequence"] == [
        {
            "sequence": "intro",
            "openers": 2,
            "replied": 1,
            "reply_rate": 0.5,
            "median_reply_days": 1.0,
            "template": "hello",
        }
    ]


def test_openers_per_template_gather_the_sequences_opening_with_it(empty: Pipeline) -> None:
    """Two sequences open with 'hello', one with 'direct'; one opener is typed by hand."""
    crm = empty.at(0)
    set_template(crm, "hello", "Hello {first_name}")
    set_template(crm, "direct", "Hi {first_name}, a quick question")
    define(crm, "intro", ["0:linkedin.message:hello"])
    define(crm, "warm", ["0:linkedin.message:hello", "5:linkedin.message:direct"])
    define(crm, "cold", ["0:linkedin.message:direct"])
    plan = {"Eve": "intro", "Fay": "warm", "Gus": "cold", "Hal": None}
    for name, sequence in plan.items():
        crm.add(name, urls=[f"https://www.linkedin.com/in/{name.lower()}"])
        if sequence is not None:
            enroll(crm, name, sequence)
        empty.at(1).log_message(name, f"Hello {name}", network="linkedin", channel="message")
    empty.at(3).log_message("Eve", "Sure", received=True, network="linkedin")  # 2 days
    empty.at(2).log_message("Gus", "No", received=True, network="linkedin")  # 1 day
    report = outreach(empty.crm.repository, Filters(now=day(6)))
    # hello: Eve (replied after 2 days) + Fay; direct: Gus (1 day); none: Hal by hand
    assert report["by_template"] == [
        {
            "template": "direct",
            "openers": 1,
            "replied": 1,
            "reply_rate": 1.0,
            "median_reply_days": 1.0,
        },
        {
            "template": "hello",
            "openers": 2,
            "replied": 1,
            "reply_rate": 0.5,
            "median_reply_days": 2.0,
        },
        {
            "template": "none",
            "openers": 1,
            "replied": 0,
            "reply_rate": 0.0,
            "median_reply_days": None,
        },
    ]
    assert [(r["sequence"], r["template"]) for r in report["by_sequence"]] == [
        ("cold", "direct"),
        ("intro", "hello"),
        ("none", None),
        ("warm", "hello"),
    ]
