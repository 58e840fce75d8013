"""Hypothesis drives random journeys through the CRM and checks its invariants.

Invariants: the stage history derived from events ends in the prospect's
current stage; time spent in stages sums to the prospect's age; no identity
belongs to two prospects; a won prospect is at ``convert`` and its history
shows it reached ``convert`` before being won.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import hypothesis.strategies as st
import pytest
from attrs import field, frozen
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from socialcrm import (
    CRM,
    Identity,
    InvalidTransitionError,
    MemoryRepository,
    Stage,
    Status,
    TransitionRefusedError,
    ValidationError,
)
from socialcrm.history import stage_spans, time_in_stages
from socialcrm.hookspecs import hookimpl
from socialcrm.models import StageChanged, StatusChanged
from socialcrm.networks import Channel, ChecklistItem
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock
from socialcrm.text import is_safe


@frozen
class _TestNet:
    id: str = "testnet"
    name: str = "TestNet"
    domains: tuple[str, ...] = ("testnet.example",)
    channels: dict[str, Channel] = field(factory=lambda: {"dm": Channel("dm", "DM", 50)})
    checklist: tuple[ChecklistItem, ...] = ()

    def parse(self, text: str) -> Identity:
        handle = text.rsplit("/", 1)[-1].lower()
        return Identity(self.id, handle, self.profile_url(handle))

    def profile_url(self, handle: str) -> str:
        return f"https://testnet.example/{handle}"


class _Plugin:
    @hookimpl
    def register_networks(self, register: Any) -> None:
        register(_TestNet())


HANDLES = st.sampled_from(["ana", "bo", "chen", "dora", "emil"])


class Journey(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FrozenClock()
        pm = get_plugin_manager(entrypoints=False, plugins=[_Plugin()])
        self.crm = CRM(MemoryRepository(), pm, clock=self.clock)
        self.ids: list[str] = []

    def _pick(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(self.ids))

    @rule(name=st.text(min_size=1, max_size=12).filter(str.strip), handle=HANDLES)
    def add(self, name: str, handle: str) -> None:
        try:
            p = self.crm.add(name, urls=[f"https://testnet.example/{handle}"])
        except ValidationError:  # includes DuplicateIdentityError
            return
        self.ids.append(p.id)

    @rule(minutes=st.integers(min_value=0, max_value=60 * 24 * 30))
    def wait(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), to=st.sampled_from(list(Stage)), force=st.booleans())
    def move(self, data: st.DataObject, to: Stage, force: bool) -> None:
        pid = self._pick(data)
        before = self.crm.get(pid)
        try:
            after = self.crm.move(pid, to, force=force)
        except TransitionRefusedError as exc:
            assert not force and to > before.stage and exc.problems
            assert self.crm.get(pid) == before
            return
        except InvalidTransitionError:
            assert before.status is not Status.OPEN or before.stage is to
            assert self.crm.get(pid) == before
            return
        assert after.stage is to

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def qualify(self, data: st.DataObject) -> None:
        self.crm.assess(self._pick(data), qualified=True)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), text=st.text(min_size=1, max_size=20).filter(str.strip))
    def interest(self, data: st.DataObject, text: str) -> None:
        pid = self._pick(data)
        if not is_safe(text.replace("\r\n", "\n"), multiline=True):  # a control character
            before = self.crm.get(pid)
            with pytest.raises(ValidationError):
                self.crm.set_point_of_interest(pid, text)
            assert self.crm.get(pid) == before
            return
        self.crm.set_point_of_interest(pid, text)

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), received=st.booleans())
    def log(self, data: st.DataObject, received: bool) -> None:
        self.crm.log_message(self._pick(data), "hello", received=received)

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def win(self, data: st.DataObject) -> None:
        pid = self._pick(data)
        before = self.crm.get(pid)
        try:
            self.crm.win(pid)
        except InvalidTransitionError:
            assert before.stage is not Stage.CONVERT or before.status is not Status.OPEN
            return
        except TransitionRefusedError as exc:  # the playbook's convert.reachable criterion
            assert not before.emails and not before.phones
            assert [p.rule for p in exc.problems] == ["convert.reachable"]
            assert self.crm.get(pid) == before
            return
        assert before.stage is Stage.CONVERT

    @precondition(lambda self: self.ids)
    @rule(data=st.data(), reason=st.sampled_from(["", "no budget"]))
    def lose(self, data: st.DataObject, reason: str) -> None:
        pid = self._pick(data)
        try:
            self.crm.lose(pid, reason)
        except ValidationError:
            assert not reason
        except InvalidTransitionError:
            assert self.crm.get(pid).status is not Status.OPEN

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        pid = self._pick(data)
        before = self.crm.get(pid)
        try:
            after = self.crm.reopen(pid)
        except InvalidTransitionError:
            assert before.status is Status.OPEN
            return
        assert after.status is Status.OPEN and after.stage is before.stage

    @invariant()
    def history_matches_state(self) -> None:
        now = self.crm.now()
        for pid in self.ids:
            p = self.crm.get(pid)
            events = self.crm.repository.events(pid)
            spans = stage_spans(events)
            assert spans and spans[-1].stage is p.stage and spans[-1].end is None
            for a, b in itertools.pairwise(spans):
                assert a.end == b.start
            total = sum(time_in_stages(events, now).values(), timedelta())
            assert total == now - p.created_at
            statuses = [e.payload for e in events if isinstance(e.payload, StatusChanged)]
            current = statuses[-1].to_status if statuses else Status.OPEN
            assert current is p.status
            if p.status is Status.WON:
                assert p.stage is Stage.CONVERT
                assert any(
                    isinstance(e.payload, StageChanged) and e.payload.to_stage is Stage.CONVERT
                    for e in events
                )

    @invariant()
    def identities_unique(self) -> None:
        keys = [i.key for pid in self.ids for i in self.crm.get(pid).identities]
        assert len(keys) == len(set(keys))


Journey.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestJourney = Journey.TestCase
