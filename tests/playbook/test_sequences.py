"""Stage 4: sequences — due dates on a frozen clock, progress from messages, replies stop."""

from __future__ import annotations

from datetime import timedelta

import pytest

from socialcrm import CRM, Prospect, Stage
from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.models import EventKind
from socialcrm.playbook.sequences import (
    State,
    define,
    delete_sequence,
    due,
    enroll,
    get_sequence,
    list_sequences,
    mark_sent,
    parse_step,
    progress_of,
    unenroll,
)
from socialcrm.playbook.templates import set_template
from socialcrm.testing import FrozenClock


@pytest.fixture
def jane(crm: CRM) -> Prospect:
    set_template(crm, "hello", "Hi {first_name}, loved {point_of_interest}.")
    set_template(crm, "nudge", "{first_name}, any thoughts?")
    set_template(crm, "last", "Last note from me, {first_name}.")
    define(
        crm,
        "warm-intro",
        ["0:testnet.note:hello", "3:testnet.dm:nudge", "7:testnet.dm:last"],
        description="three touches",
    )
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    return crm.set_point_of_interest(p.id, "your post on SDRs")


def test_define_validates_every_step(crm: CRM) -> None:
    set_template(crm, "hello", "Hi")
    assert parse_step("2:TestNet.dm:Hello").network == "testnet"
    with pytest.raises(ValidationError, match=r"DAYS:NETWORK\.CHANNEL:TEMPLATE"):
        parse_step("2:testnet:hello")
    with pytest.raises(ValidationError, match="no template named 'nope'"):
        define(crm, "s", ["0:testnet.dm:nope"])
    with pytest.raises(ValidationError, match="no channel 'fax'"):
        define(crm, "s", ["0:testnet.fax:hello"])
    with pytest.raises(NotFoundError):
        define(crm, "s", ["0:myspace.dm:hello"])
    with pytest.raises(ValidationError, match=">= 0 days"):
        define(crm, "s", ["-1:testnet.dm:hello"])
    with pytest.raises(ValidationError, match="at least one step"):
        define(crm, "s", [])
    assert list_sequences(crm.pipeline) == []
    define(crm, "s", ["0:testnet.dm:hello"])
    with pytest.raises(ValidationError, match="already exists"):
        define(crm, "s", ["1:testnet.dm:hello"])
    assert define(crm, "s", ["1:testnet.dm:hello"], replace=True).steps[0].delay_days == 1
    delete_sequence(crm, "s")
    with pytest.raises(NotFoundError):
        get_sequence(crm.pipeline, "s")


def test_steps_come_due_one_after_the_other(crm: CRM, clock: FrozenClock, jane: Prospect) -> None:
    start = clock.now
    enroll(crm, jane.id, "warm-intro")
    first = due(crm, jane.id)
    assert first.progress.next_step == 0 and first.progress.due_at == start and first.is_due
    assert first.message.text == "Hi Jane, loved your post on SDRs."
    assert (first.step.network, first.step.channel) == ("testnet", "note")

    clock.advance(hours=5)
    mark_sent(crm, jane.id)  # the rep sent it: step 1 done, step 2 in 3 days
    second = due(crm, jane.id)
    assert second.progress.next_step == 1
    assert second.progress.due_at == start + timedelta(hours=5, days=3)
    assert not second.is_due and second.message.text == "Jane, any thoughts?"

    clock.advance(days=4)
    assert due(crm, jane.id).overdue == timedelta(days=1)
    # a message logged by hand on the step's channel completes the step too
    crm.log_message(jane.id, "Jane, any thoughts?", network="testnet", channel="dm")
    third = progress_of(crm, crm.get(jane.id))
    assert third is not None and third.next_step == 2
    assert third.due_at == clock.now + timedelta(days=7)
    clock.advance(days=7)
    mark_sent(crm, jane.id)
    done = progress_of(crm, crm.get(jane.id))
    assert done is not None and done.state is State.COMPLETED and len(done.done) == 3
    with pytest.raises(ValidationError, match="has done every step"):
        due(crm, jane.id)


def test_a_reply_stops_the_sequence(crm: CRM, clock: FrozenClock, jane: Prospect) -> None:
    enroll(crm, jane.id, "warm-intro")
    mark_sent(crm, jane.id)
    clock.advance(days=1)
    crm.log_message(jane.id, "Thanks! Let's talk", received=True)
    state = progress_of(crm, crm.get(jane.id))
    assert state is not None and state.state is State.REPLIED and not state.active
    assert state.reason == "the prospect replied"
    clock.advance(days=30)
    with pytest.raises(ValidationError, match="replied"):
        due(crm, jane.id)
    with pytest.raises(ValidationError, match="no active sequence"):
        unenroll(crm, jane.id)


def test_messages_on_another_channel_do_not_complete_a_step(crm: CRM, jane: Prospect) -> None:
    enroll(crm, jane.id, "warm-intro")
    crm.log_message(jane.id, "a DM, not the invitation note", network="testnet", channel="dm")
    state = progress_of(crm, crm.get(jane.id))
    assert state is not None and state.next_step == 0


def test_enrol_rules(crm: CRM, jane: Prospect) -> None:
    enroll(crm, jane.id, "warm-intro")
    with pytest.raises(ValidationError, match="already in sequence 'warm-intro'"):
        enroll(crm, jane.id, "warm-intro")
    with pytest.raises(NotFoundError):
        enroll(crm, jane.id, "nope")
    nobody = crm.add("No Network")
    with pytest.raises(ValidationError, match="no testnet identity"):
        enroll(crm, nobody.id, "warm-intro")
    crm.lose(nobody.id, "gone")
    with pytest.raises(ValidationError, match="is lost"):
        enroll(crm, nobody.id, "warm-intro")


def test_unenroll_then_reenrol_restarts(crm: CRM, clock: FrozenClock, jane: Prospect) -> None:
    enroll(crm, jane.id, "warm-intro")
    mark_sent(crm, jane.id)
    unenroll(crm, jane.id, reason="met at an event instead")
    state = progress_of(crm, crm.get(jane.id))
    assert state is not None and state.state is State.STOPPED
    assert state.reason == "met at an event instead"
    kinds = [e.kind for e in crm.history(jane.id)]
    assert EventKind.SEQUENCE_ENROLLED in kinds and EventKind.SEQUENCE_STOPPED in kinds
    clock.advance(days=1)
    enroll(crm, jane.id, "warm-intro")
    again = due(crm, jane.id)
    assert again.progress.next_step == 0 and again.progress.due_at == clock.now


def test_winning_closes_the_sequence(crm: CRM, jane: Prospect) -> None:
    enroll(crm, jane.id, "warm-intro")
    crm.edit(jane.id, add_emails=["jane@example.org"])
    crm.move(jane.id, Stage.CONVERT, force=True)
    crm.win(jane.id)
    state = progress_of(crm, crm.get(jane.id))
    assert state is not None and state.state is State.CLOSED


def test_too_long_rendered_step_is_refused(crm: CRM, jane: Prospect) -> None:
    set_template(crm, "hello", "Hi {first_name}, " + "blah " * 20)
    enroll(crm, jane.id, "warm-intro")
    with pytest.raises(ValidationError, match="over the 50-character limit of testnet note"):
        due(crm, jane.id)


def test_sequences_on_disk(disk_crm: CRM, clock: FrozenClock) -> None:
    set_template(disk_crm, "hello", "Hi {first_name}")
    define(disk_crm, "one", ["2:testnet.dm:hello"])
    p = disk_crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    enroll(disk_crm, p.id, "one")
    item = due(disk_crm, p.id)
    assert item.progress.due_at == clock.now + timedelta(days=2)


def test_a_damaged_definition_is_named(crm: CRM) -> None:
    crm.update_pipeline_settings({"sequences": {"broken": {"steps": [{"delay_days": "x"}]}}})
    with pytest.raises(ValidationError, match="sequence 'broken' is damaged"):
        list_sequences(crm.pipeline)
