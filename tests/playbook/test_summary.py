"""Each prospect's summary, kept by the store, equals the one recomputed from every event,
and the agenda, board and list read from summaries equal those replayed from every model.

``today``, ``board`` and the ``list`` table read the summaries
(:mod:`socialcrm.summary`, issue 23).  Checked three ways: the fold of random
histories arriving in any order, and each derivation the agenda makes from it
(unanswered reply, sequence progress, retention, stage start, replied) against
an oracle computed here from the models; the summaries the TinyDB store keeps
against those recomputed, with the whole ``today`` JSON, board and cards, after
random operations; and the demo store.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm import CRM, Stage
from socialcrm.board import board
from socialcrm.cards import cards
from socialcrm.demo import build_demo
from socialcrm.history import stage_spans
from socialcrm.journey import KeepsJourneys, journey_of
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
from socialcrm.playbook.agenda import _entered, _unanswered, today
from socialcrm.playbook.followups import FollowUp, parse_step
from socialcrm.playbook.sequences import Progress, State, define, enroll, list_sequences, mark_sent
from socialcrm.playbook.sequences import progress as sequence_progress
from socialcrm.playbook.templates import set_template
from socialcrm.plugins import get_plugin_manager
from socialcrm.privacy.erasure import erase
from socialcrm.privacy.retention import prospect_initiated, retention_of
from socialcrm.privacy.settings import DEFAULT_RETENTION
from socialcrm.prospect_records import listed, prospect_record
from socialcrm.reports.funnel import FunnelPass
from socialcrm.reports.goals import GoalTimes
from socialcrm.reports.outreach import OutreachPass
from socialcrm.reports.selection import Filters, subjects
from socialcrm.repository import SORT_FIELDS, Query, Repository
from socialcrm.stages import Status
from socialcrm.storage import open_repository
from socialcrm.summary import EventsSummary, KeepsSummaries, summaries
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
    *("assign", "win", "lose", "erase", "merge", "time", "tag", "score", "past"),
)


def _oracle_progress(
    prospect: Prospect, events: list[Event], sequences: list[FollowUp]
) -> Progress | None:
    """The sequence replay over every model, as written before summaries (the oracle)."""
    ordered = sorted(events, key=lambda e: (e.at, e.id))
    starts = [i for i, e in enumerate(ordered) if isinstance(e.payload, SequenceEnrolled)]
    if not starts:
        return None
    enrolled = ordered[starts[-1]]
    assert isinstance(enrolled.payload, SequenceEnrolled)
    name = enrolled.payload.sequence
    definition = next((s for s in sequences if s.name == name), None)
    steps = definition.steps if definition else ()
    done: list[datetime] = []

    def ended(state: State, at: datetime | None, reason: str | None = None) -> Progress:
        return Progress(name, enrolled.at, state, tuple(done), len(steps), None, None, at, reason)

    for event in ordered[starts[-1] + 1 :]:
        payload = event.payload
        if isinstance(payload, MessageReceived):
            return ended(State.REPLIED, event.at, "the prospect replied")
        if isinstance(payload, SequenceStopped):
            return ended(State.STOPPED, event.at, payload.reason)
        if isinstance(payload, MessageSent) and len(done) < len(steps):
            step = steps[len(done)]
            if payload.network in (None, step.network) and payload.channel in (None, step.channel):
                done.append(event.at)
    if definition is None:
        return ended(State.MISSING, None, "the sequence was deleted")
    if not prospect.is_open:
        return ended(State.CLOSED, prospect.updated_at, f"the prospect is {prospect.status.value}")
    if len(done) == len(steps):
        return ended(State.COMPLETED, done[-1] if done else enrolled.at)
    last = done[-1] if done else enrolled.at
    due = last + timedelta(days=steps[len(done)].delay_days)
    return Progress(name, enrolled.at, State.ACTIVE, tuple(done), len(steps), len(done), due)


def _last(events: list[Event], kind: type) -> Event | None:
    found = [e for e in events if isinstance(e.payload, kind)]
    return max(found, key=lambda e: (e.at, e.id)) if found else None


@settings(max_examples=300, deadline=None)
@given(histories(), st.sampled_from(list(Status)), st.randoms(use_true_random=False))
def test_the_fold_in_any_arrival_order_gives_every_derivation_of_the_agenda(
    events: list[Event], status: Status, rng: random.Random
) -> None:
    prospect = Prospect(id="P", name="Ann", status=status, created_at=T0, updated_at=T0)
    folded = EventsSummary.of(events)
    # appended one by one in any order, refolded from the history when one is older
    arriving = list(events)
    rng.shuffle(arriving)
    kept = EventsSummary()
    for n, event in enumerate(arriving):
        if not kept.add(event):
            kept = EventsSummary.of(arriving[: n + 1])
    assert kept.doc == folded.doc
    doc = folded.doc
    received, sent = _last(events, MessageReceived), _last(events, MessageSent)
    unanswered = received is not None and (
        sent is None or (sent.at, sent.id) < (received.at, received.id)
    )
    assert (_unanswered(doc) is not None) == unanswered
    if unanswered:
        assert received is not None and isinstance(received.payload, MessageReceived)
        assert doc["rx"][2] == " ".join(received.payload.text.split())[:61]
    assert sequence_progress(prospect, events, SEQUENCES) == _oracle_progress(
        prospect, events, SEQUENCES
    )
    inbound = [e.at for e in events if prospect_initiated(e)]
    assert retention_of(prospect, events, DEFAULT_RETENTION).last_inbound_at == max(
        inbound, default=None
    )
    spans = stage_spans(events)
    assert _entered(doc) == (spans[-1].start if spans else None)
    assert ("rx" in doc) == any(isinstance(e.payload, MessageReceived) for e in events)


def _event(n: int, hours: int, payload: Payload) -> Event:
    return Event(id=f"E{n:04d}", prospect_id="P", at=T0 + timedelta(hours=hours), payload=payload)


def test_older_messages_fold_in_place_without_the_history() -> None:
    """Past messages imported into existing prospects (issue 20's import) must not
    make the store read each prospect's history again."""
    enrolled = SequenceEnrolled("intro")
    history = [_event(0, 0, Created(stage=Stage.CONTACT)), _event(1, 1, enrolled)]
    history.append(_event(2, 9, Interaction("like", "testnet", inbound=True)))
    kept = EventsSummary.of(history)
    past = [
        _event(3, 5, MessageSent("hello", "testnet", "note")),
        _event(4, 4, MessageReceived("thanks  for\nwriting", "testnet", "dm")),
        _event(5, 6, MessageSent("again", "testnet", "dm")),
        _event(6, 3, Interaction("like", "testnet", inbound=True)),
        _event(7, 2, StageChanged(Stage.IDENTIFY, Stage.CONTACT)),
    ]
    for event in past:
        assert kept.add(event), event
    assert kept.doc == EventsSummary.of(history + past).doc
    assert kept.doc["rx"][2] == "thanks for writing"
    assert [i[1] for i in kept.doc["sa"]] == ["E0004"]  # the reply ends the sequence


def test_an_older_event_folded_twice_counts_once() -> None:
    history = [_event(0, 0, Created(stage=Stage.CONTACT)), _event(1, 1, SequenceEnrolled("intro"))]
    history.append(_event(2, 9, Note("later")))
    kept = EventsSummary.of(history)
    sent = _event(3, 5, MessageSent("hello", "testnet", "note"))
    assert kept.add(sent) and kept.add(sent)
    assert (
        kept.doc
        == EventsSummary.of([*history, sent]).doc
        == EventsSummary.of([*history, sent, sent]).doc
    )


@pytest.mark.parametrize(
    ("first", "tied"),
    [
        (Created(stage=Stage.PROFILE), StageChanged(Stage.PROFILE, Stage.IDENTIFY)),
        (SequenceEnrolled("intro"), MessageSent("hello", "testnet", "note")),
        (SequenceEnrolled("intro"), SequenceStopped("intro", "paused")),
    ],
)
@pytest.mark.parametrize("order", [(0, 2), (2, 0)])
def test_an_older_event_at_the_time_of_a_creation_or_enrolment_refolds(
    first: Payload, tied: Payload, order: tuple[int, int]
) -> None:
    """Which comes first is decided by the ids, which the summary does not keep."""
    a, b = order
    history = [_event(a, 1, first), _event(1, 5, Note("later"))]
    kept = EventsSummary.of(history)
    late = _event(b, 1, tied)
    assert not kept.add(late)
    assert kept.doc == EventsSummary.of(history).doc  # refused: nothing changed


def _kept_summaries(crm: CRM) -> None:
    """The summaries and journeys the store keeps equal those recomputed from records
    and events."""
    repository = crm.repository
    assert isinstance(repository, KeepsSummaries) and isinstance(repository, KeepsJourneys)
    for pipeline in [p.name for p in repository.list_pipelines()]:
        query = Query(pipeline=pipeline)
        kept = dict(summaries(repository, query))
        assert kept == dict(summaries(repository, query, replay=True))
        journeys = {pid: j for pid, _s, j in repository.journeys(query)}
        assert journeys.keys() == kept.keys()
        for pid, events in repository.events_for(list(kept)):
            assert journeys[pid] == journey_of(events), pid


def _agendas(crm: CRM) -> None:
    """today and board, read the fast way, equal what the replay of every model gives."""
    _kept_summaries(crm)
    for owner in (None, "rep", "other"):
        fast = [i.to_dict() for i in today(crm, owner=owner)]
        assert fast == [i.to_dict() for i in today(crm, owner=owner, replay=True)]
        quick = board(crm.repository, crm.pipeline_name, owner=owner)
        slow = board(crm.repository, crm.pipeline_name, owner=owner, replay=True)
        assert (quick.stages, quick.won, quick.lost) == (slow.stages, slow.won, slow.lost)
        assert quick.total == slow.total
    _reports(crm)
    for sort, filters in LIST_QUERIES:
        query = Query(pipeline=crm.pipeline_name, sort=sort, **filters)  # type: ignore[arg-type]
        assert cards(crm.repository, query) == cards(crm.repository, query, replay=True), query
        # records from the stored documents, in order: the models' records, key order too
        fast_records = listed(crm.repository, query, lambda r: r)
        slow_records = [prospect_record(p) for p in crm.repository.query(query)]
        assert json.dumps(fast_records) == json.dumps(slow_records), query


def _reports(crm: CRM) -> None:
    """The reports read from the kept journeys equal the reports over every model."""
    now = crm.now()
    for filters in (
        Filters(now=now, pipeline=crm.pipeline_name),
        Filters(now=now, pipeline=crm.pipeline_name, since=now - timedelta(days=30)),
        Filters(now=now, pipeline=crm.pipeline_name, tag="vip", network="testnet"),
    ):
        results = []
        for replay in (False, True):
            passes = [
                FunnelPass(filters, "network"),
                FunnelPass(filters, "month"),
                OutreachPass(crm.repository, filters),
                GoalTimes(now),
            ]
            for subject, journey in subjects(crm.repository, filters, replay=replay):
                for report in passes:
                    report.add(subject, journey)
            times = {k: sorted(v) for k, v in passes[3].times.items()}  # in any order
            results.append([*(p.result() for p in passes[:3]), times])
        assert results[0] == results[1]


def test_fast_agenda_equals_the_replay_after_random_operations(tmp_path: Path) -> None:
    random_operations(open_repository(tmp_path / "store"))


def random_operations(repository: Repository, steps: int = 400, every: int = 40) -> None:
    """``steps`` random operations on ``repository`` (the SQL stores' tests run them
    too), checking every ``every`` steps and at the end that what the store keeps
    equals what the replay gives (:func:`_agendas`)."""
    clock = FrozenClock()
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])
    crm = CRM(repository, pm, clock=clock, actor="rep")
    set_template(crm, "hello", "Hi {first_name}")
    set_template(crm, "nudge", "Any news, {first_name}?")
    define(crm, "intro", ["0:testnet.note:hello", "2:testnet.dm:nudge"])
    rng = random.Random(23)
    ids: list[str] = []
    seen: set[str] = set()
    done: dict[str, int] = {}
    enrolled: list[str] = []
    for step in range(steps):
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
                elif op == "past":  # an event older than the history's newest
                    back = rng.choice([1, 5, 30])
                    clock.advance(days=-back)
                    try:
                        crm.log_message(pid, f"late {step}", received=rng.random() < 0.5)
                    finally:
                        clock.advance(days=back)
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
        if step % every == 0:
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
