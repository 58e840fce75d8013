"""IdFactory: valid ULIDs carrying the clock's time, strictly increasing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ulid import ULID

from socialcrm.ids import IdFactory, _encode


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_encoding_matches_python_ulid(value: int) -> None:
    assert _encode(value) == str(ULID.from_int(value))


@pytest.mark.parametrize(
    "value",
    [
        0,
        1,
        (1 << 128) - 1,
        *(1 << bit for bit in range(0, 128, 5)),
        *((1 << b) - 1 for b in (10, 80, 120)),
    ],
)
def test_encoding_at_the_edges_of_each_character(value: int) -> None:
    assert _encode(value) == str(ULID.from_int(value))


def test_ids_carry_the_time_and_strictly_increase() -> None:
    factory = IdFactory()
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ids = [factory(at) for _ in range(500)] + [factory(at - timedelta(days=1))]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert ULID.from_str(ids[0]).datetime == at
    later = factory(at + timedelta(seconds=1))
    assert ULID.from_str(later).datetime == at + timedelta(seconds=1)


def test_out_of_range_time() -> None:
    with pytest.raises(ValueError, match="outside the ULID time range"):
        IdFactory()(datetime(1960, 1, 1, tzinfo=UTC))
