"""Every transition of the stage machine, through the CRM facade.

A MemoryRepository, a frozen clock and a tiny test network registered through
a plugin (the real network plugins live in ``plugins/``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import ClassVar

import pytest

from socialcrm import (
    CRM,
    AmbiguousReferenceError,
    Channel,
    DuplicateIdentityError,
    EventKind,
    Identity,
    InvalidTransitionError,
    InvalidURLError,
    MemoryRepository,
    NetworkAdapter,
    NotFoundError,
    PluginFailure,
    Problem,
    Prospect,
    Rule,
    Stage,
    Status,
    TransitionRefusedError,
    ValidationError,
    default_rules,
    hookimpl,
)
from socialcrm.history import time_in_stages
from socialcrm.models import Edited, ProblemRecord, StageChanged, StatusChanged
from socialcrm.networks import check_profile_url
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

# --------------------------------------------------------------------------- fixtures


class TestNet:
    """Profiles at ``https://testnet.example/u/<handle>``, handles lower-case."""

    id = "testnet"
    name = "TestNet"
    domains = ("testnet.example",)
    channels: ClassVar[dict[str, Channel]] = {"dm": Channel("dm", "direct message", 20)}
    checklist = ()

    def parse(self, text: str) -> Identity:
        text = text.strip()
        if "/" in text:
            path = check_profile_url(text, self.domains, network=self.id).path
            match = re.fullmatch(r"/u/([A-Za-z0-9_-]+)/?", path)
            if not match:
                raise InvalidURLError(text, "not a profile", network=self.id)
            handle = match.group(1)
        else:
            handle = text.removeprefix("@")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", handle):
            raise InvalidURLError(text, "bad handle", network=self.id)
        return Identity(self.id, handle.lower(), self.profile_url(handle.lower()))

    def profile_url(self, handle: str) -> str:
        return f"https://testnet.example/u/{handle}"


class TestNetPlugin:
    __name__ = "testnet-plugin"

    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(TestNet())


class Recorder:
    """Records every event it is told about."""

    __name__ = "recorder"

    def __init__(self) -> None:
        self.seen: list[tuple[EventKind, str | None]] = []

    @hookimpl
    def on_event(self, event: object, prospect: Prospect | None) -> None:
        from socialcrm import Event

        assert isinstance(event, Event)
        self.seen.append((event.kind, prospect.id if prospect else None))


class Exploding:
    __name__ = "exploding"

    @hookimpl
    def on_event(self, event: object, prospect: Prospect | None) -> None:
        raise RuntimeError("sync service down")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def crm(clock: FrozenClock, recorder: Recorder) -> Iterator[CRM]:
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin(), recorder])
    instance = CRM(MemoryRepository(), pm, clock=clock, actor="rep1")
    yield instance
    instance.close()


def url(handle: str) -> str:
    return f"https://testnet.example/u/{handle}"


_handles = itertools.count()


def add_at(crm: CRM, stage: Stage, *, name: str = "Zoé Durand", ready: bool = False) -> Prospect:
    """A prospect at ``stage``; with ``ready`` it meets every exit criterion."""
    n = next(_handles)
    p = crm.add(
        name, urls=[url(f"p{n}")] if ready else [], emails=[f"p{n}@example.org"] if ready else []
    )
    if ready:
        crm.assess(p.id, qualified=True)
        crm.set_point_of_interest(p.id, "posted about onboarding")
        crm.log_message(p.id, "thanks!", received=True)
    if stage is not Stage.PROFILE:
        crm.move(p.id, stage, force=True)
    return crm.get(p.id)


def stage_events(crm: CRM, pid: str) -> list[StageChanged]:
    return [e.payload for e in crm.history(pid) if isinstance(e.payload, StageChanged)]


def status_events(crm: CRM, pid: str) -> list[StatusChanged]:
    return [e.payload for e in crm.history(pid) if isinstance(e.payload, StatusChanged)]


DEFAULT_PROBLEMS = {
    Stage.PROFILE: (
        "profile.has-identity",
        "the prospect has no network identity",
        "add the prospect's profile URL",
    ),
    Stage.IDENTIFY: (
        "identify.assessed",
        "the prospect has not been assessed against the ideal customer profile",
        "qualify the prospect",
    ),
    Stage.NOTORIETY: (
        "notoriety.point-of-interest",
        "no point of interest is recorded for the prospect",
        "note what they shared or reacted to",
    ),
    Stage.CONTACT: (
        "contact.has-reply",
        "no reply from the prospect is logged",
        "log their answer",
    ),
}
WIN_PROBLEM = (
    "convert.reachable",
    "no e-mail or phone is recorded: once converted, the contact details belong here",
    "add one",
)

FORWARD = [(a, b) for a in Stage for b in Stage if a < b]
BACKWARD = [(a, b) for a in Stage for b in Stage if a > b]


# ------------------------------------------------------------------ forward moves


@pytest.mark.parametrize(("leaving", "expected"), DEFAULT_PROBLEMS.items())
def test_each_default_rule_refuses_its_stage_exit(
    crm: CRM, leaving: Stage, expected: tuple[str, str, str]
) -> None:
    p = add_at(crm, leaving)
    before_events = crm.history(p.id)
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    err = info.value
    assert (err.prospect_id, err.from_stage, err.to_stage) == (
        p.id,
        leaving.value,
        leaving.next.value if leaving.next else None,
    )
    [problem] = err.problems
    rule, message, fix = expected
    assert (problem.rule, problem.message) == (rule, message)
    assert problem.fix is not None and fix in problem.fix
    assert crm.get(p.id) == p  # nothing changed
    assert crm.history(p.id) == before_events  # nothing recorded


@pytest.mark.parametrize(("from_stage", "to_stage"), FORWARD)
def test_forward_move_checks_every_crossed_stage(
    crm: CRM, from_stage: Stage, to_stage: Stage
) -> None:
    p = add_at(crm, from_stage)
    with pytest.raises(TransitionRefusedError) as info:
        crm.move(p.id, to_stage)
    crossed = [s for s in Stage if from_stage <= s < to_stage]
    assert [pr.rule for pr in info.value.problems] == [DEFAULT_PROBLEMS[s][0] for s in crossed]
    assert crm.get(p.id).stage is from_stage


@pytest.mark.parametrize(("from_stage", "to_stage"), FORWARD)
def test_forward_move_allowed_when_criteria_met(
    crm: CRM, clock: FrozenClock, from_stage: Stage, to_stage: Stage
) -> None:
    p = add_at(crm, from_stage, ready=True)
    clock.advance(hours=1)
    moved = crm.move(p.id, to_stage, reason="ready")
    assert moved.stage is to_stage
    assert moved.updated_at == clock.now
    last = crm.history(p.id)[-1]
    assert last.at == clock.now and last.actor == "rep1"
    assert last.payload == StageChanged(from_stage, to_stage, forced=False, reason="ready")


@pytest.mark.parametrize(("from_stage", "to_stage"), FORWARD)
def test_forced_move_records_overridden_problems(
    crm: CRM, from_stage: Stage, to_stage: Stage
) -> None:
    p = add_at(crm, from_stage)
    crossed = [s for s in Stage if from_stage <= s < to_stage]
    expected = crm.problems(p, to_stage)
    assert [(pr.rule, pr.message) for pr in expected] == [DEFAULT_PROBLEMS[s][:2] for s in crossed]
    moved = crm.move(p.id, to_stage, force=True, reason="met at a fair")
    assert moved.stage is to_stage
    payload = stage_events(crm, p.id)[-1]
    assert payload.forced is True
    assert payload.reason == "met at a fair"
    assert payload.overridden == tuple(
        ProblemRecord(pr.rule, pr.message, pr.fix) for pr in expected
    )
    assert all(record.fix for record in payload.overridden)


def test_forced_move_without_problems_is_not_marked_forced(crm: CRM) -> None:
    p = add_at(crm, Stage.PROFILE, ready=True)
    crm.advance(p.id, force=True)
    payload = stage_events(crm, p.id)[-1]
    assert (payload.forced, payload.overridden) == (False, ())


def test_advance_walks_the_whole_journey(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Ana Lima", urls=[url("ana")])
    crm.assess(p.id, qualified=True, score=72, threshold=60)
    crm.advance(p.id)
    crm.advance(p.id)
    crm.set_point_of_interest(p.id, "shared a post on hiring")
    crm.advance(p.id)
    crm.log_message(p.id, "Loved your post", channel="dm")
    crm.log_message(p.id, "Thanks!", received=True)
    assert crm.advance(p.id).stage is Stage.CONVERT
    assert [(e.from_stage, e.to_stage) for e in stage_events(crm, p.id)] == [
        (Stage.PROFILE, Stage.IDENTIFY),
        (Stage.IDENTIFY, Stage.NOTORIETY),
        (Stage.NOTORIETY, Stage.CONTACT),
        (Stage.CONTACT, Stage.CONVERT),
    ]


def test_unqualified_assessment_blocks_identify(crm: CRM) -> None:
    p = add_at(crm, Stage.IDENTIFY)
    crm.assess(p.id, qualified=False, note="too small")
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    [problem] = info.value.problems
    assert problem.rule == "identify.assessed"
    assert "not matching" in problem.message
    assert problem.fix is not None and "re-assess" in problem.fix


def test_sent_message_is_not_a_reply(crm: CRM) -> None:
    p = add_at(crm, Stage.CONTACT)
    crm.log_message(p.id, "Hello!")
    with pytest.raises(TransitionRefusedError):
        crm.advance(p.id)
    crm.log_message(p.id, "Hi, sure", received=True)
    assert crm.advance(p.id).stage is Stage.CONVERT


# ------------------------------------------------------------------ backward moves


@pytest.mark.parametrize(("from_stage", "to_stage"), BACKWARD)
def test_backward_move_needs_no_criteria(crm: CRM, from_stage: Stage, to_stage: Stage) -> None:
    p = add_at(crm, from_stage)  # meets no criterion at all
    assert crm.problems(p, to_stage) == []
    moved = crm.move(p.id, to_stage, reason="went cold")
    assert moved.stage is to_stage
    assert stage_events(crm, p.id)[-1] == StageChanged(from_stage, to_stage, reason="went cold")


# ------------------------------------------------------------- refused transitions


@pytest.mark.parametrize("stage", list(Stage))
def test_same_stage_move_refused(crm: CRM, stage: Stage) -> None:
    p = add_at(crm, stage, ready=True)
    with pytest.raises(InvalidTransitionError) as info:
        crm.move(p.id, stage, force=True)
    assert info.value.prospect_id == p.id
    assert "already at stage" in info.value.message


def test_advance_at_convert_refused(crm: CRM) -> None:
    p = add_at(crm, Stage.CONVERT, ready=True)
    with pytest.raises(InvalidTransitionError) as info:
        crm.advance(p.id, force=True)
    assert info.value.hint is not None and "won or lost" in info.value.hint


def test_unknown_stage_name_is_a_validation_error(crm: CRM) -> None:
    p = add_at(crm, Stage.PROFILE)
    with pytest.raises(ValidationError) as info:
        crm.move(p.id, "negotiation")
    assert info.value.field == "stage"
    assert crm.move(p.id, " IDENTIFY ", force=True).stage is Stage.IDENTIFY


@pytest.fixture(params=["won", "lost"])
def closed(request: pytest.FixtureRequest, crm: CRM) -> Prospect:
    p = add_at(crm, Stage.CONVERT, ready=True)
    return crm.win(p.id) if request.param == "won" else crm.lose(p.id, "no budget")


@pytest.mark.parametrize("target", list(Stage))
def test_closed_prospect_cannot_move(crm: CRM, closed: Prospect, target: Stage) -> None:
    with pytest.raises(InvalidTransitionError) as info:
        crm.move(closed.id, target, force=True)
    assert info.value.hint == "reopen it first"
    assert crm.get(closed.id) == closed


def test_closed_prospect_cannot_advance_win_or_lose(crm: CRM, closed: Prospect) -> None:
    with pytest.raises(InvalidTransitionError) as info:
        crm.advance(closed.id, force=True)
    assert info.value.hint == "reopen it first"  # not "mark it won or lost"
    with pytest.raises(InvalidTransitionError):
        crm.win(closed.id, force=True)
    with pytest.raises(InvalidTransitionError):
        crm.lose(closed.id, "again")
    assert crm.get(closed.id) == closed


# --------------------------------------------------------------------- won / lost


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.CONVERT])
def test_won_only_from_convert(crm: CRM, stage: Stage) -> None:
    p = add_at(crm, stage, ready=True)
    with pytest.raises(InvalidTransitionError) as info:
        crm.win(p.id, force=True)
    assert "only from the convert stage" in (info.value.hint or "")
    assert crm.get(p.id).status is Status.OPEN


def test_win_needs_a_way_to_reach_the_customer(crm: CRM) -> None:
    p = add_at(crm, Stage.CONVERT)
    with pytest.raises(TransitionRefusedError) as info:
        crm.win(p.id)
    assert (info.value.from_stage, info.value.to_stage) == ("convert", "won")
    [problem] = info.value.problems
    rule, message, fix = WIN_PROBLEM
    assert (problem.rule, problem.message) == (rule, message)
    assert problem.fix is not None and fix in problem.fix
    assert crm.get(p.id) == p
    crm.edit(p.id, add_phones=["06 12 34 56 78"])
    assert crm.win(p.id).status is Status.WON


def test_forced_win_records_it(crm: CRM) -> None:
    p = add_at(crm, Stage.CONVERT)
    assert crm.win(p.id, force=True).status is Status.WON
    assert status_events(crm, p.id) == [StatusChanged(Status.OPEN, Status.WON, forced=True)]


def test_win_from_convert(crm: CRM, clock: FrozenClock, recorder: Recorder) -> None:
    p = add_at(crm, Stage.CONVERT, ready=True)
    clock.advance(days=2)
    won = crm.win(p.id)
    assert (won.status, won.stage, won.updated_at) == (Status.WON, Stage.CONVERT, clock.now)
    assert status_events(crm, p.id) == [StatusChanged(Status.OPEN, Status.WON)]
    assert recorder.seen[-1] == (EventKind.STATUS_CHANGED, p.id)


def test_win_criteria_are_the_rules_leaving_convert(clock: FrozenClock) -> None:
    rules = default_rules()
    rules.add(
        Rule(
            "convert.has-company",
            Stage.CONVERT,
            "a customer has a company to invoice",
            lambda ctx: (
                []
                if ctx.prospect.company
                else [Problem("convert.has-company", "no company", "add one")]
            ),
        )
    )
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin()])
    crm = CRM(MemoryRepository(), pm, clock=clock, rules=rules)
    p = add_at(crm, Stage.CONVERT)
    with pytest.raises(TransitionRefusedError) as info:
        crm.win(p.id)
    assert info.value.to_stage == "won"
    assert [pr.rule for pr in info.value.problems] == ["convert.reachable", "convert.has-company"]
    assert crm.win(p.id, force=True).status is Status.WON
    assert status_events(crm, p.id)[-1].forced is True


@pytest.mark.parametrize("stage", list(Stage))
def test_lost_from_any_stage_with_a_reason(crm: CRM, stage: Stage) -> None:
    p = add_at(crm, stage)
    lost = crm.lose(p.id, "  chose a competitor ")
    assert (lost.status, lost.stage, lost.lost_reason) == (
        Status.LOST,
        stage,
        "chose a competitor",
    )
    assert status_events(crm, p.id)[-1] == StatusChanged(
        Status.OPEN, Status.LOST, reason="chose a competitor"
    )


def test_reasons_are_stored_as_nfc_text_in_model_and_event(crm: CRM) -> None:
    p = add_at(crm, Stage.CONTACT)
    crm.move(p.id, Stage.IDENTIFY, reason=" cafe\u0301 ")
    assert stage_events(crm, p.id)[-1].reason == "café"
    crm.move(p.id, Stage.PROFILE, reason="   ")
    assert stage_events(crm, p.id)[-1].reason is None
    lost = crm.lose(p.id, "  trop che\u0300re ")
    assert lost.lost_reason == status_events(crm, p.id)[-1].reason == "trop chère"


@pytest.mark.parametrize("reason", ["", "   "])
def test_lost_needs_a_reason(crm: CRM, reason: str) -> None:
    p = add_at(crm, Stage.CONTACT)
    with pytest.raises(ValidationError) as info:
        crm.lose(p.id, reason)
    assert info.value.field == "reason"
    assert crm.get(p.id).status is Status.OPEN


# ------------------------------------------------------------------------- reopen


@pytest.mark.parametrize("stage", list(Stage))
def test_reopen_lost_returns_to_last_stage(crm: CRM, stage: Stage) -> None:
    p = add_at(crm, stage)
    crm.lose(p.id, "no budget")
    reopened = crm.reopen(p.id)
    assert (reopened.status, reopened.stage, reopened.lost_reason) == (Status.OPEN, stage, None)
    assert status_events(crm, p.id)[-1] == StatusChanged(Status.LOST, Status.OPEN)


def test_reopen_won_returns_to_convert_and_can_move_again(crm: CRM) -> None:
    p = add_at(crm, Stage.CONVERT, ready=True)
    crm.win(p.id)
    reopened = crm.reopen(p.id)
    assert (reopened.status, reopened.stage) == (Status.OPEN, Stage.CONVERT)
    assert crm.move(p.id, Stage.CONTACT).stage is Stage.CONTACT
    assert [(e.from_status, e.to_status) for e in status_events(crm, p.id)] == [
        (Status.OPEN, Status.WON),
        (Status.WON, Status.OPEN),
    ]


def test_reopen_open_prospect_refused(crm: CRM) -> None:
    p = add_at(crm, Stage.NOTORIETY)
    with pytest.raises(InvalidTransitionError, match="already open"):
        crm.reopen(p.id)


# --------------------------------------------------------------------- references


def test_reference_by_id_prefix_email_name_and_identity(crm: CRM) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")], emails=["Zoe.Durand@Example.fr"])
    other = crm.add("Bruno Petit", urls=[url("bruno")])
    assert crm.resolve(p.id) == p
    assert crm.resolve(p.id.lower()) == p
    unique = next(n for n in range(1, 27) if p.id[:n] != other.id[:n])
    assert crm.resolve(p.id[:unique]) == p
    assert crm.resolve("zoe.durand@example.FR") == p
    assert crm.resolve("zoé durand") == p
    assert crm.resolve("ZOÉ DURAND") == p
    assert crm.resolve("https://testnet.example/u/ZOE/") == p
    assert crm.resolve("testnet.example/u/zoe") == p
    assert crm.resolve("testnet:zoe") == p


def test_reference_not_found(crm: CRM) -> None:
    crm.add("Zoé Durand", urls=[url("zoe")])
    for ref in ("Nobody Here", "nobody@example.org", url("ghost"), "testnet:ghost", "01ZZZZ"):
        with pytest.raises(NotFoundError) as info:
            crm.resolve(ref)
        assert info.value.ref == ref
    with pytest.raises(NotFoundError):  # a URL no installed network knows
        crm.resolve("https://unknown.example/u/zoe")
    with pytest.raises(ValidationError):
        crm.resolve("   ")


def test_ambiguous_name_lists_candidates(crm: CRM) -> None:
    a = crm.add("Jean Martin", company="ACME")
    b = crm.add("Jean Martin", company="Globex")
    with pytest.raises(AmbiguousReferenceError) as info:
        crm.resolve("jean martin")
    err = info.value
    assert sorted(err.candidates) == sorted([(a.id, "Jean Martin"), (b.id, "Jean Martin")])
    assert a.id in err.message and b.id in err.message
    assert err.hint is not None
    with pytest.raises(AmbiguousReferenceError):
        crm.move("Jean Martin", Stage.IDENTIFY, force=True)  # commands refuse too
    assert crm.get(a.id).stage is Stage.PROFILE and crm.get(b.id).stage is Stage.PROFILE


def test_ambiguous_id_prefix_and_email(crm: CRM) -> None:
    a = crm.add("Ana Lima", emails=["team@acme.example"])
    b = crm.add("Bo Chen", emails=["TEAM@acme.example"], allow_shared_email=True)
    common = next(n for n in range(26, 0, -1) if a.id[:n] == b.id[:n])
    with pytest.raises(AmbiguousReferenceError) as info:
        crm.resolve(a.id[:common])
    assert {pid for pid, _ in info.value.candidates} == {a.id, b.id}
    with pytest.raises(AmbiguousReferenceError):
        crm.resolve("team@acme.example")


def test_references_stay_inside_the_current_pipeline(crm: CRM) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    crm.create_pipeline("offer-b")
    crm.use_pipeline("offer-b")
    for ref in (p.id, "Zoé Durand", url("zoe")):
        with pytest.raises(NotFoundError):
            crm.resolve(ref)


# -------------------------------------------------------------- identities, edit


def test_duplicate_identity_on_add(crm: CRM, recorder: Recorder) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    seen = len(recorder.seen)
    with pytest.raises(DuplicateIdentityError) as info:
        crm.add("Z. Durand", urls=["testnet.example/u/ZOE"])
    err = info.value
    assert (err.identity_key, err.owner_id, err.pipeline) == ("testnet:zoe", p.id, "default")
    assert crm.repository.count("default") == 1
    assert len(recorder.seen) == seen  # nothing recorded, nobody notified


def test_duplicate_identity_on_edit(crm: CRM) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    q = crm.add("Bruno Petit")
    before = crm.history(q.id)
    with pytest.raises(DuplicateIdentityError) as info:
        crm.edit(q.id, add_urls=[url("Zoe")])
    assert info.value.owner_id == p.id
    assert crm.get(q.id) == q
    assert crm.history(q.id) == before


def test_same_identity_allowed_in_another_pipeline(crm: CRM) -> None:
    crm.add("Zoé Durand", urls=[url("zoe")])
    crm.create_pipeline("offer-b")
    crm.use_pipeline("offer-b")
    assert crm.add("Zoé Durand", urls=[url("zoe")]).pipeline == "offer-b"


def test_edit_records_a_diff_event(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")], tags=["VIP"], custom={"budget": "10k"})
    clock.advance(minutes=5)
    after = crm.edit(
        p.id,
        set_fields={"company": "ACME", "title": "CTO"},
        add_emails=["zoe@acme.example"],
        add_tags=["lyon"],
        rm_tags=["vip"],
        set_custom={"budget": "20k"},
        rm_urls=[url("zoe")],
    )
    assert after.updated_at == clock.now
    event = crm.history(p.id)[-1]
    assert event.kind is EventKind.EDITED and event.at == clock.now
    assert isinstance(event.payload, Edited)
    changes = event.payload.changes
    assert changes["company"] == [None, "ACME"]
    assert changes["title"] == [None, "CTO"]
    assert changes["emails"] == [[], ["z•••@acme.example"]]  # masked (GDPR art. 16)
    assert changes["tags"] == [["vip"], ["lyon"]]
    assert changes["custom"] == [{"budget": "10k"}, {"budget": "20k"}]
    assert changes["identities"] == [
        [{"network": "testnet", "handle": "•••", "url": "testnet:•••"}],
        [],
    ]
    assert set(changes) == {"company", "title", "emails", "tags", "custom", "identities"}


def test_emails_are_unique_ignoring_case(crm: CRM) -> None:
    p = crm.add("Zoé Durand", emails=["Zoe@Example.fr", "zoe@example.FR"])
    assert p.emails == ("Zoe@example.fr",)
    same = crm.edit(p.id, add_emails=["ZOE@example.fr"])
    assert same.emails == ("Zoe@example.fr",)
    assert [e.kind for e in crm.history(p.id)] == [EventKind.CREATED]


def test_unknown_channel_names_the_known_ones(crm: CRM) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    with pytest.raises(ValidationError) as info:
        crm.log_message(p.id, "hi", channel="inmail")
    assert info.value.field == "channel"
    assert "no network with a 'inmail' channel" in info.value.message
    assert info.value.hint == "channels: testnet.dm"


def test_edit_without_change_records_nothing(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Zoé Durand", company="ACME")
    clock.advance(minutes=5)
    same = crm.edit(p.id, set_fields={"company": "ACME"})
    assert same == p
    assert [e.kind for e in crm.history(p.id)] == [EventKind.CREATED]


def test_edit_refuses_unknown_and_computed_fields(crm: CRM) -> None:
    p = crm.add("Zoé Durand")
    for field in ("stage", "status", "id", "nope"):
        with pytest.raises(ValidationError) as info:
            crm.edit(p.id, set_fields={field: "x"})
        assert info.value.field == field
    with pytest.raises(ValidationError):
        crm.edit(p.id, set_fields={"name": "  "})
    assert crm.get(p.id) == p


@pytest.mark.parametrize("bad", [-3, "abc", 3.5, True, "-1"])
def test_edit_refuses_a_bad_company_size(crm: CRM, bad: object) -> None:
    p = crm.add("Zoé Durand")
    with pytest.raises(ValidationError) as info:
        crm.edit(p.id, set_fields={"company_size": bad})
    assert info.value.field == "company_size"
    assert crm.get(p.id) == p


def test_edit_reads_company_size_text(crm: CRM) -> None:
    p = crm.add("Zoé Durand", company_size="12")
    assert p.company_size == 12
    assert crm.edit(p.id, set_fields={"company_size": " 40 "}).company_size == 40
    assert crm.edit(p.id, set_fields={"company_size": None}).company_size is None


def test_edit_refuses_non_text_values(crm: CRM) -> None:
    p = crm.add("Zoé Durand")
    with pytest.raises(ValidationError) as info:
        crm.edit(p.id, set_fields={"title": 5})
    assert info.value.field == "title"


# ----------------------------------------------------------------------- pipelines


def test_pipeline_create_use_rename_delete(crm: CRM, clock: FrozenClock) -> None:
    crm.add("Zoé Durand")
    offer = crm.create_pipeline("Offer B", description="consulting", settings={"k": 1})
    assert (offer.name, offer.description, offer.settings, offer.created_at) == (
        "Offer B",
        "consulting",
        {"k": 1},
        clock.now,
    )
    with pytest.raises(ValidationError):
        crm.create_pipeline("Offer B")
    with pytest.raises(ValidationError):
        crm.create_pipeline("bad\tname")
    with pytest.raises(NotFoundError):
        crm.use_pipeline("missing")

    crm.use_pipeline("Offer B")
    assert crm.pipeline_name == "Offer B"
    # the choice is stored: another CRM over the same store sees it
    assert CRM(crm.repository, crm.plugin_manager, clock=clock).pipeline_name == "Offer B"
    q = crm.add("Ana Lima")
    assert q.pipeline == "Offer B"
    assert [p.name for p in crm.query()] == ["Ana Lima"]

    renamed = crm.rename_pipeline("Offer B", "offer-c")
    assert renamed.name == "offer-c" and crm.pipeline_name == "offer-c"
    assert crm.get(q.id).pipeline == "offer-c"
    assert {e.pipeline for e in crm.history(q.id)} == {"offer-c"}
    with pytest.raises(ValidationError):
        crm.rename_pipeline("offer-c", "default")
    with pytest.raises(NotFoundError):
        crm.rename_pipeline("missing", "x")

    assert crm.delete_pipeline("offer-c") == 1
    assert crm.repository.get(q.id) is None
    assert crm.pipeline_name == "default"
    assert [p.name for p in crm.pipelines()] == ["default"]
    assert [p.name for p in crm.query()] == ["Zoé Durand"]


def test_renaming_the_implicit_default_pipeline_keeps_the_rep_on_it(
    crm: CRM, clock: FrozenClock
) -> None:
    p = crm.add("Zoé Durand")  # the store has no stored current pipeline yet
    crm.rename_pipeline("default", "offer-a")
    assert crm.pipeline_name == "offer-a"
    assert crm.resolve("Zoé Durand").id == p.id
    assert CRM(crm.repository, crm.plugin_manager, clock=clock).pipeline_name == "offer-a"
    assert [x.name for x in crm.pipelines()] == ["offer-a"]  # no empty "default" recreated


def test_renaming_another_pipeline_keeps_the_current_one(crm: CRM) -> None:
    crm.add("Zoé Durand")
    crm.create_pipeline("offer-b")
    crm.rename_pipeline("offer-b", "offer-c")
    assert crm.pipeline_name == "default"
    assert [x.name for x in crm.query()] == ["Zoé Durand"]


# ------------------------------------------------------------------------- plugins


def test_plugin_failure_in_on_event_keeps_the_event(clock: FrozenClock) -> None:
    reported: list[PluginFailure] = []
    recorder = Recorder()
    pm = get_plugin_manager(entrypoints=False, plugins=[TestNetPlugin(), Exploding(), recorder])
    crm = CRM(MemoryRepository(), pm, clock=clock, report=reported.append)
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    crm.assess(p.id, qualified=True)
    moved = crm.advance(p.id)
    assert moved.stage is Stage.IDENTIFY
    assert [e.kind for e in crm.history(p.id)] == [
        EventKind.CREATED,
        EventKind.ASSESSED,
        EventKind.STAGE_CHANGED,
    ]
    assert len(crm.failures) == 3 and reported == crm.failures
    assert {(f.plugin, f.hook) for f in crm.failures} == {("exploding", "on_event")}
    assert "sync service down" in crm.failures[0].error
    # the other plugin was still told about every event
    assert [kind for kind, _ in recorder.seen] == [
        EventKind.CREATED,
        EventKind.ASSESSED,
        EventKind.STAGE_CHANGED,
    ]


class ExtraCriterion:
    __name__ = "extra-criterion"

    @hookimpl
    def check_transition(
        self, prospect: Prospect, from_stage: Stage, to_stage: Stage
    ) -> list[Problem]:
        if to_stage >= Stage.CONTACT and not prospect.company:
            return [Problem("extra.company", "no company", "add the company")]
        return []


class BrokenCriterion:
    __name__ = "broken-criterion"

    @hookimpl
    def check_transition(self, prospect: Prospect) -> list[Problem]:
        raise ValueError("bug in plugin")


def test_plugin_exit_criteria_join_the_rules(clock: FrozenClock) -> None:
    pm = get_plugin_manager(
        entrypoints=False, plugins=[TestNetPlugin(), ExtraCriterion(), BrokenCriterion()]
    )
    crm = CRM(MemoryRepository(), pm, clock=clock)
    p = add_at(crm, Stage.NOTORIETY, ready=True)
    crm.failures.clear()
    with pytest.raises(TransitionRefusedError) as info:
        crm.advance(p.id)
    assert [pr.rule for pr in info.value.problems] == ["extra.company"]
    assert [(f.plugin, f.hook) for f in crm.failures] == [("broken-criterion", "check_transition")]
    crm.edit(p.id, set_fields={"company": "ACME"})
    assert crm.advance(p.id).stage is Stage.CONTACT
    back = crm.move(p.id, Stage.NOTORIETY)  # backward: plugins' criteria do not apply
    assert back.stage is Stage.NOTORIETY


class TickingClock(FrozenClock):
    """Like a real clock: every reading is a millisecond later than the previous one."""

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


def test_stage_history_starts_when_the_prospect_was_created() -> None:
    clock = TickingClock()
    crm = CRM(MemoryRepository(), get_plugin_manager(entrypoints=False), clock=clock)
    p = crm.add("Zoé Durand", note="met at a fair")
    crm.move(p.id, Stage.NOTORIETY, force=True)
    created, note = crm.history(p.id)[:2]
    assert created.at == note.at == p.created_at
    now = clock()
    spent = time_in_stages(crm.history(p.id), now)
    assert sum(spent.values(), timedelta()) == now - p.created_at


def test_backdated_prospect_history_starts_at_its_creation(clock: FrozenClock) -> None:
    crm = CRM(MemoryRepository(), get_plugin_manager(entrypoints=False), clock=clock)
    past = clock.now - timedelta(days=30)
    p = crm.add("Zoé Durand", created_at=past)
    assert crm.history(p.id)[0].at == past
    assert time_in_stages(crm.history(p.id), clock.now) == {Stage.PROFILE: timedelta(days=30)}


def test_event_times_come_from_the_injected_clock(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Zoé Durand", urls=[url("zoe")])
    times = [clock.now]
    for step in (timedelta(hours=3), timedelta(days=2)):
        clock.now += step
        times.append(clock.now)
        crm.add_note(p.id, "follow up")
    assert [e.at for e in crm.history(p.id)] == times
    assert all(e.at.utcoffset() == timedelta(0) for e in crm.history(p.id))
