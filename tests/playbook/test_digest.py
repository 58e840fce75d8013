"""The agenda read from the few events it depends on equals the agenda over every event,
and the board and the list read as cards equal the board and the list built from every model.

``today`` builds models only for the events :mod:`socialcrm.digest` selects
(issue 23).  Checked two ways: each derivation the agenda makes (unanswered
reply, sequence progress, retention, stage start, replied) over random event
histories, and the whole ``today`` JSON — fast against ``replay=True`` — on
the real TinyDB store after random operations, and on the demo store.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm import CRM, Stage
from socialcrm.board import board
from socialcrm.cards import cards
from socialcrm.demo import build_demo
from socialcrm.digest import agenda_events, select_docs
from socialcrm.history import stage_spans
from socialcrm.models import (
    Created,
    Event,
    Interaction,
    MessageReceived,
    MessageSent,
    Note,
    Payload,
    Prospect,
    SequenceEnrolled,
    SequenceStopped,
    StageChanged,
)
from socialcrm.playbook.agenda import _unanswered, today
from socialcrm.playbook.followups import FollowUp, parse_step
from socialcrm.playbook.sequences import define, enroll, list_sequences, mark_sent
from socialcrm.playbook.sequences import progress as sequence_progress
from socialcrm.playbook.templates import set_template
from socialcrm.plugins import get_plugin_manager
from socialcrm.privacy.erasure import erase
from socialcrm.privacy.retention import retention_of
from socialcrm.privacy.settings import DEFAULT_RETENTION
from socialcrm.repository import SORT_FIELDS, Query
from socialcrm.serialization import event_to_dict
from socialcrm.stages import Status
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .conftest import TestNetPlugin

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
PAYLOADS: list[Payload] = [
    Created(stage=Stage.PROFILE),
    StageChanged(Stage.PROFILE, Stage.IDENTIFY),
    StageChanged(Stage.IDENTIFY, Stage.CONTACT),
    MessageSent("hello", "testnet", "note"),
    MessageSent("nudge", "testnet", "dm"),
    MessageReceived("sure", "testnet", "dm"),
    SequenceEnrolled("intro"),
    SequenceStopped("intro", "paused"),
    Interaction("comment", "testnet", inbound=True),
    Interaction("like", "testnet", inbound=True),
    Interaction("comment", "testnet"),
    Note("called"),
]


@st.composite
def histories(draw: st.DrawFn) -> list[Event]:
    """Events at few distinct instants (ties broken by id, as the store orders them)."""
    picks = draw(st.lists(st.tuples(st.integers(0, len(PAYLOADS) - 1), st.integers(0, 6))))
    return [
        Event(id=f"E{n:04d}", prospect_id="P", at=T0 + timedelta(hours=h), payload=PAYLOADS[k])
        for n, (k, h) in enumerate(draw(st.permutations(picks)))
    ]


SEQUENCES = [
    FollowUp("intro", (parse_step("0:testnet.note:hello"), parse_step("2:testnet.dm:nudge")))
]

LIST_QUERIES: list[tuple[str, dict[str, object]]] = [
    *((sort, {}) for sort in SORT_FIELDS),
    *(("-" + sort, {"limit": 3}) for sort in SORT_FIELDS),
    ("name", {"stage": Stage.CONTACT}),
    ("created_at", {"status": Status.WON}),
    ("name", {"owner": "rep", "unowned": True}),
    ("name", {"owner": "other"}),
    ("created_at", {"tag": "VIP"}),
    ("created_at", {"network": "testnet"}),
    ("created_at", {"network": "linkedin"}),
    ("-score", {"min_score": 0.5}),
    ("name", {"text": "person 1"}),
]
OPERATIONS = (
    *("add", "add", "move", "sent", "received", "inbound", "note", "enroll", "next"),
    *("assign", "win", "lose", "erase", "merge", "time", "tag", "score"),
)


@settings(max_examples=300, deadline=None)
@given(histories(), st.sampled_from(list(Status)))
def test_every_derivation_of_the_agenda_is_the_same_over_the_selected_events(
    events: list[Event], status: Status
) -> None:
    prospect = Prospect(id="P", name="Ann", status=status, created_at=T0, updated_at=T0)
    docs = [event_to_dict(e) for e in events]
    picked = select_docs(docs)
    assert picked is not None
    few = [events[i] for i in picked]
    assert few == agenda_events(events)  # the same choice from documents and from models
    assert _unanswered(few) == _unanswered(events)
    assert sequence_progress(prospect, few, SEQUENCES) == sequence_progress(
        prospect, events, SEQUENCES
    )
    assert retention_of(prospect, few, DEFAULT_RETENTION) == retention_of(
        prospect, events, DEFAULT_RETENTION
    )
    spans, all_spans = stage_spans(few), stage_spans(events)
    assert bool(spans) == bool(all_spans)
    assert not spans or spans[-1].start == all_spans[-1].start
    assert any(isinstance(e.payload, MessageReceived) for e in few) == any(
        isinstance(e.payload, MessageReceived) for e in events
    )


def test_a_document_not_as_expected_selects_nothing_so_every_model_is_built() -> None:
    good = event_to_dict(Event(id="E1", prospect_id="P", at=T0, payload=Note("x")))
    assert select_docs([good]) == []
    assert select_docs([{**good, "at": "yesterday"}]) is None
    assert select_docs([{**good, "at": "2026-01-05T09:00:00"}]) is None  # no offset
    assert select_docs([{k: v for k, v in good.items() if k != "payload"}]) is None
    assert select_docs([{**good, "payload": {"kind": "gossip"}}]) is None  # unknown kind


def _agendas(crm: CRM) -> None:
    """today and board, read the fast way, equal what the replay of every model gives."""
    for owner in (None, "rep", "other"):
        fast = [i.to_dict() for i in today(crm, owner=owner)]
        assert fast == [i.to_dict() for i in today(crm, owner=owner, replay=True)]
        quick = board(crm.repository, crm.pipeline_name, owner=owner)
        slow = board(crm.repository, crm.pipeline_name, owner=owner, replay=True)
        assert (quick.stages, quick.won, quick.lost) == (slow.stages, slow.won, slow.lost)
        assert quick.total == slow.total
    for sort, filters in LIST_QUERIES:
        query = Query(pipeline=crm.pipeline_name, sort=sort, **filters)  # type: ignore[arg-type]
        assert cards(crm.repository, query) == cards(crm.repository, query, replay=True), query


def test_fast_agenda_equals_the_replay_after_random_operations(tmp_path: Path) -> None:
    clock = FrozenClock()
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])
    crm = CRM(open_repository(tmp_path / "store"), pm, clock=clock, actor="rep")
    set_template(crm, "hello", "Hi {first_name}")
    set_template(crm, "nudge", "Any news, {first_name}?")
    define(crm, "intro", ["0:testnet.note:hello", "2:testnet.dm:nudge"])
    rng = random.Random(23)
    ids: list[str] = []
    seen: set[str] = set()
    done: dict[str, int] = {}
    enrolled: list[str] = []
    for step in range(400):
        op = rng.choice(OPERATIONS)
        try:
            if op == "add" or not ids:
                urls = [f"https://testnet.example/p{step}"] if step % 3 else []  # merges
                ids.append(crm.add(f"Person {step}", urls=urls).id)
            elif op == "time":
                clock.advance(days=rng.choice([1, 3, 8, 20, 400]))
            else:
                pid = rng.choice(ids)
                if op == "move":
                    crm.move(pid, rng.choice(list(Stage)), force=True)
                elif op in ("sent", "received"):
                    crm.log_message(pid, f"msg {step}", received=op == "received")
                elif op == "inbound":
                    crm.log_interaction(pid, rng.choice(["comment", "like"]), inbound=True)
                elif op == "note":
                    crm.add_note(pid, f"note {step}")
                elif op == "enroll":
                    enroll(crm, pid, "intro")
                    enrolled.append(pid)
                elif op == "next":
                    mark_sent(crm, rng.choice([*enrolled[-3:], pid]))
                elif op == "tag":
                    crm.edit(pid, add_tags=[rng.choice(["vip", "Lyon"])])
                elif op == "score":
                    crm.assess(pid, qualified=True, score=rng.choice([0.2, 0.5, 0.9]))
                elif op == "assign":
                    crm.assign(pid, rng.choice(["rep", "other"]))
                elif op == "win":
                    crm.win(pid, force=True)
                elif op == "lose":
                    crm.lose(pid, "no budget")
                elif op == "erase":
                    erase(crm, pid)
                    ids.remove(pid)
                elif op == "merge" and len(ids) > 1:
                    from socialcrm.dedupe import merge

                    other = rng.choice([i for i in ids if i != pid])
                    merge(crm, pid, other)
                    ids.remove(other)
        except Exception as exc:  # a refused operation (rule, state) is part of the game
            from socialcrm.errors import SocialCRMError

            assert isinstance(exc, SocialCRMError), exc
            seen.add(f"{op}: {type(exc).__name__}: {exc}"[:120])
            continue
        done[op] = done.get(op, 0) + 1
        if step % 40 == 0:
            _agendas(crm)
    _agendas(crm)
    assert set(OPERATIONS) <= set(done), (done, seen)  # every operation happened at least once
    kinds = {i.kind for i in today(crm)}
    assert {"reply", "waiting"} <= kinds, kinds  # the run reached the interesting cases
    crm.close()


def test_fast_agenda_equals_the_replay_on_the_demo_store(tmp_path: Path) -> None:
    repo = open_repository(tmp_path / "demo")
    pm = get_plugin_manager()
    build_demo(repo, pm)
    for pipeline in [p.name for p in repo.list_pipelines()]:
        crm = CRM(repo, pm, pipeline=pipeline, actor="demo")
        assert [i.to_dict() for i in today(crm)] == [i.to_dict() for i in today(crm, replay=True)]
        assert list_sequences(crm.pipeline) is not None
    repo.close()
