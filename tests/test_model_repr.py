"""Models print as attrs would print them (they share one ``__repr__`` to import faster)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
from hypothesis import given

from socialcrm.models import Erased, Event, Identity, Note

from .strategies import events, prospects


def test_repr_names_every_field_in_order() -> None:
    assert repr(Identity("linkedin", "jo", "https://x")) == (
        "Identity(network='linkedin', handle='jo', url='https://x')"
    )
    at = datetime(2025, 1, 1, tzinfo=UTC)
    assert repr(Event("E", "P", at, Note("hi"))) == (
        "Event(id='E', prospect_id='P', at=datetime.datetime(2025, 1, 1, 0, 0, "
        "tzinfo=datetime.timezone.utc), payload=Note(text='hi'), actor=None, pipeline='default')"
    )
    assert repr(Erased()) == "Erased()"


def _attrs_repr(obj: Any) -> str:
    """What attrs' own generated ``__repr__`` prints, from a twin class that keeps it."""
    cls = type(obj)
    twin = attrs.make_class(cls.__name__, [a.name for a in attrs.fields(cls)], frozen=True)
    twin.__qualname__ = cls.__qualname__
    return repr(twin(**{a.name: getattr(obj, a.name) for a in attrs.fields(cls)}))


@given(prospects)
def test_prospect_repr_is_attrs_repr(p: Any) -> None:
    # nested values print through their own __repr__ (ours), so compare the top level
    assert repr(p) == _attrs_repr(p)


@given(events)
def test_event_repr_is_attrs_repr(e: Any) -> None:
    assert repr(e) == _attrs_repr(e)
    assert repr(e.payload) == _attrs_repr(e.payload)
