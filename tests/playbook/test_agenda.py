"""The agenda: replies, due steps, prospects waiting too long — urgent first, never a follow-up
after a reply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialcrm import CRM, Stage
from socialcrm.errors import ValidationError
from socialcrm.playbook.agenda import DEFAULT_STAGE_LIMITS, set_stage_limit, stage_limits, today
from socialcrm.playbook.sequences import define, enroll, mark_sent
from socialcrm.playbook.templates import set_template
from socialcrm.testing import FrozenClock


def _add(crm: CRM, name: str) -> str:
    handle = name.split()[0].lower()
    return crm.add(name, urls=[f"https://testnet.example/{handle}"]).id


@pytest.fixture
def sequenced(crm: CRM) -> CRM:
    set_template(crm, "hello", "Hi {first_name}")
    set_template(crm, "nudge", "Any thoughts, {first_name}?")
    define(crm, "intro", ["0:testnet.note:hello", "2:testnet.dm:nudge"])
    return crm


def test_empty_pipeline_has_an_empty_agenda(crm: CRM) -> None:
    assert today(crm) == []


def test_due_and_overdue_steps(sequenced: CRM, clock: FrozenClock) -> None:
    crm = sequenced
    ann = _add(crm, "Ann Lee")
    bob = _add(crm, "Bob Roe")
    enroll(crm, ann, "intro")
    clock.advance(days=3)
    enroll(crm, bob, "intro")
    items = today(crm)
    assert [(i.kind, i.name) for i in items] == [("step", "Ann Lee"), ("step", "Bob Roe")]
    assert items[0].days == 3 and "3 day(s) overdue" in items[0].summary
    assert items[1].summary.endswith("due today")
    assert items[0].command == f"socialcrm next {ann}"
    mark_sent(crm, bob)  # next step in 2 days: not today
    assert [i.name for i in today(crm)] == ["Ann Lee"]
    assert [i.name for i in today(crm, clock.now + timedelta(days=2))] == ["Ann Lee", "Bob Roe"]


def test_a_reply_is_answered_before_anything_and_never_followed_up(
    sequenced: CRM, clock: FrozenClock
) -> None:
    crm = sequenced
    ann = _add(crm, "Ann Lee")
    enroll(crm, ann, "intro")
    mark_sent(crm, ann)
    clock.advance(days=1)
    crm.log_message(ann, "Sure, tell me more", received=True)
    for days in (0, 3, 30, 90):  # however long we wait
        items = today(crm, clock.now + timedelta(days=days))
        assert [i.kind for i in items] == ["reply"]
        assert "next" not in items[0].command and "enroll" not in items[0].command
        assert items[0].command == f'socialcrm message {ann} --sent "YOUR ANSWER"'
    assert "“Sure, tell me more”" in today(crm)[0].summary
    crm.log_message(ann, "Here is a case study", network="testnet", channel="dm")
    crm.move(ann, Stage.CONTACT, force=True)
    clock.advance(days=60)
    (waiting,) = today(crm)
    assert waiting.kind == "waiting" and waiting.command == f"socialcrm advance {ann}"


def test_prospects_waiting_longer_than_the_stage_limit(crm: CRM, clock: FrozenClock) -> None:
    old = _add(crm, "Old Timer")
    clock.advance(days=6)
    _add(crm, "New Comer")
    assert today(crm) == []
    clock.advance(days=2)  # Old Timer: 8 days in profile, limit 7
    (item,) = today(crm)
    assert (item.kind, item.prospect_id, item.stage) == ("waiting", old, Stage.PROFILE)
    assert item.summary == "in profile for 8 days (limit 7)"
    assert item.command == f"socialcrm advance {old}"
    set_stage_limit(crm, "profile", 10)
    assert today(crm) == []
    assert stage_limits(crm.pipeline)[Stage.PROFILE] == 10
    set_stage_limit(crm, Stage.PROFILE, None)
    assert stage_limits(crm.pipeline) == DEFAULT_STAGE_LIMITS
    with pytest.raises(ValidationError):
        set_stage_limit(crm, "profile", 0)


def test_sorted_by_urgency(sequenced: CRM, clock: FrozenClock) -> None:
    crm = sequenced
    stale = _add(crm, "Stale Sam")
    clock.advance(days=20)
    stepper = _add(crm, "Step Steve")
    enroll(crm, stepper, "intro")
    replier = _add(crm, "Reply Rita")
    crm.log_message(replier, "hello?", received=True)
    kinds = [(i.kind, i.prospect_id) for i in today(crm)]
    assert kinds == [("reply", replier), ("step", stepper), ("waiting", stale)]
    urgencies = [i.urgency for i in today(crm)]
    assert urgencies == sorted(urgencies, reverse=True)


def test_closed_prospects_are_not_on_the_agenda(crm: CRM, clock: FrozenClock) -> None:
    pid = _add(crm, "Lost Larry")
    crm.lose(pid, "no budget")
    clock.advance(days=100)
    assert today(crm) == []


def test_stage_specific_commands(crm: CRM, clock: FrozenClock) -> None:
    pid = _add(crm, "Ann Lee")
    crm.move(pid, Stage.NOTORIETY, force=True)
    clock.advance(days=22)
    assert today(crm)[0].command == f'socialcrm interest {pid} "WHAT THEY SHARED"'
    crm.move(pid, Stage.CONTACT, force=True)
    clock.advance(days=15)
    assert today(crm)[0].command == f"socialcrm sequence enroll {pid} SEQUENCE"
    item = today(crm)[0].to_dict()
    assert item["kind"] == "waiting" and item["stage"] == "contact" and item["days"] == 1


def test_today_means_the_rest_of_the_utc_day(sequenced: CRM, clock: FrozenClock) -> None:
    crm = sequenced
    define(crm, "later", ["0:testnet.note:hello", "1:testnet.dm:nudge"])
    ann = _add(crm, "Ann Lee")
    enroll(crm, ann, "later")
    mark_sent(crm, ann)  # at 09:00: the next step is due tomorrow 09:00
    assert today(crm) == []
    evening = clock.now.replace(hour=23, minute=59)
    assert today(crm, evening) == []
    tomorrow_early = clock.now + timedelta(hours=16)  # 01:00 next day: due at 09:00
    (item,) = today(crm, tomorrow_early)
    assert item.kind == "step" and item.summary.endswith("due today") and item.days == 0


def test_a_reps_agenda_is_their_prospects_and_the_unowned(crm: CRM, clock: FrozenClock) -> None:
    crm.add("Ann Lee", owner="lea")
    crm.add("Bob Roe", owner="max")
    crm.actor = None
    crm.add("Cyd Poe")  # nobody's: no actor, no --owner
    clock.advance(days=30)  # everyone waited too long in profile
    assert [i.name for i in today(crm)] == ["Ann Lee", "Bob Roe", "Cyd Poe"]
    lea = today(crm, owner="lea")
    assert [(i.name, i.owner) for i in lea] == [("Ann Lee", "lea"), ("Cyd Poe", None)]
    assert lea[0].to_dict()["owner"] == "lea"
    assert [i.name for i in today(crm, owner="max")] == ["Bob Roe", "Cyd Poe"]
    assert [i.name for i in today(crm, owner="zoe")] == ["Cyd Poe"]
