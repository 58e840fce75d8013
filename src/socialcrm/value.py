"""The shared base of socialcrm's frozen value classes (models, problems, records…)."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["Value"]


class Value:
    """Base of socialcrm's frozen attrs classes: one shared ``__repr__``, ``__eq__``, ``__hash__``.

    Use as ``@frozen(repr=False, eq=False) class X(Value)``.  attrs generates
    and compiles these three per class: for the 23 models alone that was about
    half the cost of importing :mod:`socialcrm.models`, paid by every CLI run.
    The shared ones behave as attrs' do: the repr is ``Identity(network='x', …)``,
    two models are equal when they are of the same class with equal fields (in
    order), and the hash is that of the fields (unhashable if a field is, like
    ``Prospect.custom``).
    """

    __slots__ = ()

    def __repr__(self) -> str:
        cls = type(self)
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in _field_names(cls))
        return f"{cls.__qualname__}({values})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = _field_values(type(self))
        return bool(values(self) == values(other))

    def __hash__(self) -> int:
        return hash((type(self).__qualname__, _field_values(type(self))(self)))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_FIELD_VALUES: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(a.name for a in attrs.fields(cls))
    return names


def _field_values(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """A function returning a model's field values as a tuple (C-speed ``attrgetter``)."""
    values = _FIELD_VALUES.get(cls)
    if values is None:
        names = _field_names(cls)
        if len(names) > 1:
            values = operator.attrgetter(*names)
        else:
            getters = [operator.attrgetter(n) for n in names]
            values = lambda obj: tuple(get(obj) for get in getters)  # noqa: E731
        _FIELD_VALUES[cls] = values
    return values
