"""The per-prospect caps of socialcrm.limits, on every write path of the facade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from attrs import evolve

from socialcrm import limits
from socialcrm.crm import CRM
from socialcrm.dedupe import merge
from socialcrm.errors import LimitExceededError, ValidationError
from socialcrm.models import Note, Prospect
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock
from tests.io.helpers import snapshot


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[CRM]:
    """A CRM over the real store, with the installed network plugins."""
    crm = CRM(open_repository(tmp_path / "store"), get_plugin_manager(), clock=FrozenClock())
    yield crm
    crm.close()


def emails(n: int) -> list[str]:
    return [f"jane{i}@acme.example" for i in range(n)]


@pytest.mark.parametrize(
    ("fields", "field", "count", "cap"),
    [
        ({"emails": emails(21)}, "emails", 21, limits.MAX_EMAILS),
        ({"phones": [f"+3361234{i:04d}" for i in range(21)]}, "phones", 21, limits.MAX_PHONES),
        ({"tags": [f"t{i}" for i in range(101)]}, "tags", 101, limits.MAX_TAGS),
        ({"custom": {f"k{i}": "v" for i in range(101)}}, "custom", 101, limits.MAX_CUSTOM_FIELDS),
        ({"notes": "x" * 20_001}, "notes", 20_001, limits.MAX_LONG_TEXT),
        ({"company": "x" * 1_001}, "company", 1_001, limits.MAX_LINE_TEXT),
        ({"tags": ["x" * 1_001]}, "tags", 1_001, limits.MAX_LINE_TEXT),
    ],
)
def test_add_over_a_cap_is_refused_and_writes_nothing(
    crm: CRM, fields: dict[str, object], field: str, count: int, cap: int
) -> None:
    crm.init()
    before = snapshot(crm)
    with pytest.raises(LimitExceededError) as info:
        crm.add("Jane Doe", **fields)
    assert (info.value.field, info.value.count, info.value.limit) == (field, count, cap)
    assert f"{field} " in str(info.value) and f"{cap:,}" in str(info.value)
    assert isinstance(info.value, ValidationError)  # exit 4 in the CLI
    assert snapshot(crm) == before


def test_at_the_cap_is_accepted(crm: CRM) -> None:
    p = crm.add(
        "Jane Doe",
        emails=emails(limits.MAX_EMAILS),
        tags=[f"t{i}" for i in range(limits.MAX_TAGS)],
        notes="x" * limits.MAX_LONG_TEXT,
        company="c" * limits.MAX_LINE_TEXT,
    )
    assert len(p.emails) == limits.MAX_EMAILS and len(p.tags) == limits.MAX_TAGS


def test_identities_cap(crm: CRM) -> None:
    p = Prospect(id="01AAA", name="Jane")
    many = tuple(
        evolve(i, network=f"net{n}")
        for n, i in enumerate([crm.networks.parse("https://www.linkedin.com/in/jane")] * 51)
    )
    with pytest.raises(LimitExceededError, match="identities holds 51 values, over the cap of 50"):
        limits.check_prospect(evolve(p, identities=many))


def test_edit_note_message_and_interest_over_a_cap_write_nothing(crm: CRM) -> None:
    p = crm.add("Jane Doe", emails=emails(20))
    before = snapshot(crm)
    with pytest.raises(LimitExceededError, match="emails holds 21 values"):
        crm.edit(p.id, add_emails=["one.more@acme.example"])
    with pytest.raises(
        LimitExceededError, match=r"text is longer than the cap of 20,000 characters \(20,001\)"
    ):
        crm.add_note(p.id, "x" * 20_001)
    with pytest.raises(
        LimitExceededError, match=r"text is longer than the cap of 20,000 characters \(20,001\)"
    ):
        crm.log_message(p.id, "x" * 20_001, received=True)
    with pytest.raises(
        LimitExceededError,
        match=r"point_of_interest is longer than the cap of 20,000 characters \(20,001\)",
    ):
        crm.set_point_of_interest(p.id, "x" * 20_001)
    with pytest.raises(
        LimitExceededError, match=r"reason is longer than the cap of 1,000 characters \(1,001\)"
    ):
        crm.lose(p.id, "x" * 1_001)
    assert snapshot(crm) == before


def test_merge_over_a_cap_is_refused_and_writes_nothing(crm: CRM) -> None:
    keep = crm.add("Jane Doe", emails=emails(15))
    other = crm.add("Jane D.", emails=[f"other{i}@acme.example" for i in range(10)])
    before = snapshot(crm)
    with pytest.raises(LimitExceededError, match="emails holds 25 values, over the cap of 20"):
        merge(crm, keep.id, other.id)
    assert snapshot(crm) == before


def test_a_prospect_stored_over_a_cap_may_stay_or_shrink_but_not_grow(crm: CRM) -> None:
    """A store written before the caps existed does not lock its prospects."""
    p = crm.add("Jane Doe", emails=emails(20))
    legacy = evolve(p, emails=emails(25))  # as an older socialcrm could have stored it
    with crm.repository.transaction():
        crm.repository.put(legacy)
    crm.add_note(p.id, "still reachable")  # the prospect itself is unchanged
    crm.edit(p.id, rm_emails=["jane0@acme.example"])  # shrinking is fine
    assert len(crm.get(p.id).emails) == 24
    with pytest.raises(LimitExceededError, match="emails holds 25 values"):
        crm.edit(p.id, add_emails=["new@acme.example"])


def test_check_payload_and_helpers() -> None:
    limits.check_payload(Note("x" * limits.MAX_LONG_TEXT))
    with pytest.raises(
        LimitExceededError, match=r"^text is longer than the cap of 20,000 characters \(20,001\)"
    ):
        limits.check_payload(Note("x" * 20_001))
    limits.check_count("emails", 20, limits.MAX_EMAILS)
    with pytest.raises(LimitExceededError, match=r"^emails holds 21 values"):
        limits.check_count("emails", 21, limits.MAX_EMAILS)
    with pytest.raises(
        LimitExceededError, match=r"^name is longer than the cap of 1,000 characters \(1,001\)"
    ):
        limits.check_length("name", "x" * 1_001)
    limits.check_length("notes", "x" * 1_001, multiline=True)
