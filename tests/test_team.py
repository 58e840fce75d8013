"""The team features of the core: who is acting, owners, ``assign``, the views by owner."""

from __future__ import annotations

import getpass

import pytest

from socialcrm import CRM
from socialcrm.errors import DuplicateIdentityError, LimitExceededError, ValidationError
from socialcrm.plugins import get_plugin_manager
from socialcrm.repository import MemoryRepository
from socialcrm.team import current_actor, rep_name
from socialcrm.testing import FrozenClock


@pytest.fixture
def crm() -> CRM:
    return CRM(MemoryRepository(), get_plugin_manager(), clock=FrozenClock(), actor="lea")


def test_the_rep_comes_from_the_variable_then_the_older_one_then_config_then_the_os() -> None:
    both = {"SOCIALCRM_USER": " lea ", "SOCIALCRM_ACTOR": "old"}
    assert current_actor(environ=both) == "lea"
    assert current_actor(environ={"SOCIALCRM_ACTOR": "old"}, configured="conf") == "old"
    assert current_actor(environ={"SOCIALCRM_USER": "  "}, configured="conf") == "conf"
    assert current_actor(environ={}) == getpass.getuser()


def test_a_hostile_or_huge_name_is_refused_naming_its_variable() -> None:
    with pytest.raises(ValidationError) as info:
        current_actor(environ={"SOCIALCRM_USER": "lea\x1b[31m"})
    assert info.value.field == "SOCIALCRM_USER"
    with pytest.raises(LimitExceededError):
        rep_name("x" * 5000)
    with pytest.raises(ValidationError, match="empty"):
        rep_name("   ")


def test_the_actor_owns_what_they_add_unless_told(crm: CRM) -> None:
    assert crm.add("Jane Doe").owner == "lea"
    assert crm.add("Bob Roe", owner=" max ").owner == "max"
    events = [e for p in crm.query() for e in crm.history(p.id)]
    assert {e.actor for e in events} == {"lea"}


def test_assign_records_who_gave_it_to_whom(crm: CRM) -> None:
    jane = crm.add("Jane Doe")
    crm.actor = "boss"
    assert crm.assign("Jane Doe", "max").owner == "max"
    last = crm.history(jane.id)[-1]
    assert last.actor == "boss" and last.payload.changes == {"owner": ["lea", "max"]}  # type: ignore[union-attr]
    before = len(crm.history(jane.id))
    crm.assign(jane.id, "max")  # already theirs: nothing recorded
    assert len(crm.history(jane.id)) == before
    with pytest.raises(ValidationError):
        crm.assign(jane.id, "")


def test_views_by_owner(crm: CRM) -> None:
    crm.add("Jane Doe")
    crm.add("Bob Roe", owner="max")
    assert [p.name for p in crm.query(owner="max")] == ["Bob Roe"]
    board = crm.board(owner="lea")
    assert board.total == 1 and [p.name for p in board.stages[next(iter(board.stages))]] == [
        "Jane Doe"
    ]


def test_the_second_rep_is_told_whose_prospect_it_is(crm: CRM) -> None:
    crm.add("Jane Doe", urls=["https://www.linkedin.com/in/janedoe"])
    crm.actor = "max"
    with pytest.raises(DuplicateIdentityError) as info:
        crm.add("Jane D.", urls=["https://www.linkedin.com/in/janedoe"])
    assert info.value.rep == "lea" and "owned by lea" in str(info.value)
    assert "lea" in (info.value.hint or "")
    assert len(crm.query()) == 1
