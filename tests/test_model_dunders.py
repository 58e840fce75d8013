"""Models print, compare and hash as attrs would make them (they share one implementation)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given

from socialcrm.models import Erased, Event, Identity, MessageReceived, MessageSent, Note

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


@functools.cache
def _twin_class(cls: type) -> Any:
    twin = attrs.make_class(cls.__name__, [a.name for a in attrs.fields(cls)], frozen=True)
    twin.__qualname__ = cls.__qualname__
    return twin


def _twin(obj: Any) -> Any:
    """``obj`` as an instance of a class with attrs' own generated methods."""
    cls = type(obj)
    return _twin_class(cls)(**{a.name: getattr(obj, a.name) for a in attrs.fields(cls)})


def _attrs_repr(obj: Any) -> str:
    """What attrs' own generated ``__repr__`` prints for ``obj``."""
    return repr(_twin(obj))


@given(prospects)
def test_prospect_repr_is_attrs_repr(p: Any) -> None:
    # nested values print through their own __repr__ (ours), so compare the top level
    assert repr(p) == _attrs_repr(p)


@given(events)
def test_event_repr_is_attrs_repr(e: Any) -> None:
    assert repr(e) == _attrs_repr(e)
    assert repr(e.payload) == _attrs_repr(e.payload)


def _hash(obj: Any) -> int | None:
    try:
        return hash(obj)
    except TypeError:  # a dict among the fields
        return None


@given(events, events)
def test_equality_and_hash_as_attrs(a: Any, b: Any) -> None:
    assert (a == b) == (_twin(a) == _twin(b))
    copy = attrs.evolve(a)
    assert a == copy
    assert not a != copy  # noqa: SIM202 - __ne__ is derived from the shared __eq__
    assert _hash(a) == _hash(copy)
    assert (_hash(a) is None) == (_hash(_twin(a)) is None)
    assert (a.payload == b.payload) == (
        type(a.payload) is type(b.payload) and _twin(a.payload) == _twin(b.payload)
    )


@given(prospects)
def test_prospect_equality(p: Any) -> None:
    assert p == attrs.evolve(p)
    assert p != attrs.evolve(p, name=p.name + "x")
    assert p != _twin(p)  # another class, even with the same fields


def test_same_fields_different_kinds_differ() -> None:
    assert MessageSent("hi") != MessageReceived("hi")
    assert MessageSent("hi") == MessageSent("hi")
    assert hash(MessageSent("hi")) == hash(MessageSent("hi"))
    assert Erased() == Erased() and hash(Erased()) == hash(Erased())
    assert len({Identity("x", "a", "u"), Identity("x", "a", "u"), Identity("y", "a", "u")}) == 2


def test_prospects_are_unhashable_like_attrs_made_them() -> None:
    # Prospect holds a dict (custom): attrs' generated hash raised, so does ours
    from socialcrm.models import Prospect

    with pytest.raises(TypeError):
        hash(Prospect("01A", "Ada"))


@given(events)
def test_copies_and_pickles_are_equal(e: Any) -> None:
    import copy
    import pickle

    for clone in (copy.copy(e), copy.deepcopy(e), pickle.loads(pickle.dumps(e))):
        assert clone == e
        assert _hash(clone) == _hash(e)
