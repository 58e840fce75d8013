"""A direct codec for model documents in exactly the form socialcrm writes them.

Why: a CLI command reads and writes model documents on every run, and
``list`` handles thousands of them.  cattrs, our reference converter (see
:mod:`socialcrm.serialization`), costs ~15 ms to import and ~20 ms to generate
its functions in each new process.  This module goes straight from documents
to models and back, three ways:

- :func:`decode` builds a model through its attrs ``__init__``, so every
  converter and validator runs: for documents from anywhere (imports, backups).
- :func:`rebuild` skips ``__init__``: for documents the store reads back from
  its own checksummed files.  Those were written by :func:`encode` from models
  that had already been normalised and validated, and every converter of the
  models is idempotent, so running them again would give the same values — at
  three times the cost (``list`` builds thousands of prospects per run).
  Timestamps must be in UTC, as the models store them.
- :func:`encode` is the document form of a model.

It is deliberately narrow: it accepts only values of the exact JSON types
``to_dict`` produces (``str`` for text, ``list`` for tuples, …) and raises
:class:`Unsupported` on anything else — an unknown key, a number where text is
expected, a tuple in a pipeline setting.  :mod:`socialcrm.serialization` then
falls back to cattrs (``rebuild`` falls back to ``decode`` first), which
decides and explains.  So this codec never accepts a document cattrs refuses,
and property tests check that all paths give equal models on every document
this codec accepts.

The per-class plans are derived from the attrs fields' type hints, so a new
field of a known type needs no change here; a field of an unknown type makes
:func:`codec` raise, which a test catches.  A model converter that is not
idempotent (one that changes an already-converted value) would break
``rebuild``: the round-trip property tests would catch that too.
"""

from __future__ import annotations

import enum
import operator
import types
import typing
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs

from socialcrm import models
from socialcrm.stages import Stage, Status

__all__ = ["Codec", "Unsupported", "codec", "decode", "encode", "rebuild"]

Convert = Callable[[Any], Any]

_new = object.__new__
_set = object.__setattr__
_NONE = type(None)


class Unsupported(Exception):
    """The value is not in the exact form this codec handles: use the reference converter."""


_FAILURES = (Unsupported, TypeError, ValueError, KeyError, AttributeError)


class Codec(NamedTuple):
    """How one field type (or model class) goes between document and model."""

    decode: Convert  # document value -> attribute value (models built through __init__)
    encode: Convert  # attribute value -> document value
    rebuild: Convert  # document value -> attribute value (models rebuilt without __init__)


# ----------------------------------------------------------------------------- leaves
def _str(value: Any) -> str:
    if type(value) is not str:
        raise Unsupported
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise Unsupported
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise Unsupported
    return value


def _float(value: Any) -> float:
    # cattrs structures a float field with float(): 3 becomes 3.0
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise Unsupported


def _datetime(value: Any) -> datetime:
    if type(value) is not str:
        raise Unsupported
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise Unsupported
    return parsed


def _utc_datetime(value: Any) -> datetime:
    """A stored timestamp, which the models always hold in UTC."""
    parsed = _datetime(value)
    if parsed.tzinfo is not UTC:
        raise Unsupported
    return parsed


def _identity(value: Any) -> Any:
    return value


def _iso(value: datetime) -> str:
    return value.isoformat()


def _value(member: enum.Enum) -> Any:
    return member.value


def _optional(inner: Convert) -> Convert:
    def optional(value: Any) -> Any:
        return None if value is None else inner(value)

    return optional


def _enum(cls: type[enum.Enum]) -> Convert:
    members = cls._value2member_map_

    def member(value: Any) -> Any:
        if type(value) is not str:
            raise Unsupported
        return members[value]  # KeyError: not a member

    return member


def _tuple(inner: Convert) -> Convert:
    def items(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise Unsupported
        return tuple([inner(v) for v in value])

    return items


def _str_tuple(value: Any) -> tuple[str, ...]:
    if type(value) is not list:
        raise Unsupported
    for v in value:
        if type(v) is not str:
            raise Unsupported
    return tuple(value)


def _list_of(inner: Convert) -> Convert:
    def items(value: Any) -> list[Any]:
        return [inner(v) for v in value]

    return items


def _str_dict(value: Any) -> dict[str, str]:
    if type(value) is not dict:
        raise Unsupported
    for k, v in value.items():
        if type(k) is not str or type(v) is not str:
            raise Unsupported
    return dict(value)


def _list_dict(value: Any) -> dict[str, list[Any]]:
    if type(value) is not dict:
        raise Unsupported
    out = {}
    for k, v in value.items():
        if type(k) is not str or type(v) is not list:
            raise Unsupported
        out[k] = list(v)
    return out


def _any_dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict or any(type(k) is not str for k in value):
        raise Unsupported
    return dict(value)


def _plain_json(value: Any) -> Any:
    """A copy of a JSON value made of plain types only (what cattrs leaves as it is)."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is list:
        return [_plain_json(v) for v in value]
    if kind is dict and all(type(k) is str for k in value):
        return {k: _plain_json(v) for k, v in value.items()}
    raise Unsupported  # tuples, datetimes, enums…: cattrs knows how to unstructure them


# ----------------------------------------------------------------------------- classes
# Fields whose document value is the attribute value itself, checked by exact type.
_PASS_THROUGH: dict[Any, tuple[type, ...]] = {
    str: (str,),
    str | None: (str, _NONE),
    bool: (bool,),
    int | None: (int, _NONE),
}


def _class_codec(cls: type[Any]) -> Codec:
    """One model class's codec.

    Most fields are text passed through as they are: those are only type-checked
    (a dict look-up and a ``type()`` per field), and only the others (dates,
    enums, tuples, nested models…) go through a converting function.
    """
    fields = attrs.fields(cls)
    names = tuple(f.name for f in fields)
    hints = {f.name: f.type for f in fields}
    if any(isinstance(t, str) for t in hints.values()):  # a module with string annotations
        hints = typing.get_type_hints(cls)
    checked: dict[str, tuple[type, ...]] = {}
    decoders: dict[str, Convert] = {}
    rebuilders: dict[str, Convert] = {}
    encoders: list[tuple[str, Convert]] = []
    for name in names:
        if hints[name] in _PASS_THROUGH:
            checked[name] = _PASS_THROUGH[hints[name]]
        else:
            field_codec = _codec_for(hints[name])
            decoders[name] = field_codec.decode
            rebuilders[name] = field_codec.rebuild
            encoders.append((name, field_codec.encode))
    get_all: Callable[[Any], Any] = operator.attrgetter(*names) if names else lambda _obj: ()
    count = len(names)

    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise Unsupported
        kwargs = dict(value)
        for key, item in value.items():
            allowed = checked.get(key)
            if allowed is not None:
                if type(item) not in allowed:
                    raise Unsupported
            else:
                kwargs[key] = decoders[key](item)  # KeyError: an unknown key
        return cls(**kwargs)

    checks = tuple(checked.items())
    conversions = tuple(rebuilders.items())
    has_dict = cls.__dictoffset__ != 0  # instances keep their fields in a __dict__

    def rebuild(value: Any) -> Any:
        # exactly the fields (a missing one would need __init__'s default), plus
        # "v": every field is looked up below (KeyError if absent), so the count
        # leaves no room for an unknown key
        if type(value) is not dict or len(value) - ("v" in value) != count:
            raise Unsupported
        for key, allowed in checks:
            if type(value[key]) not in allowed:
                raise Unsupported
        obj = _new(cls)
        if has_dict:  # one C-level copy instead of one setattr per field
            attributes = obj.__dict__
            attributes.update(value)
            attributes.pop("v", None)
            for key, convert in conversions:
                attributes[key] = convert(value[key])
        else:
            for key, _allowed in checks:
                _set(obj, key, value[key])
            for key, convert in conversions:
                _set(obj, key, convert(value[key]))
        return obj

    def encode(obj: Any) -> dict[str, Any]:
        values = get_all(obj)
        out = dict(zip(names, (values,) if count == 1 else values, strict=True))
        for name, convert in encoders:
            out[name] = convert(out[name])
        return out

    return Codec(decode, encode, rebuild)


_NESTED: frozenset[type[Any]] = frozenset(
    {
        models.Identity,
        models.Source,
        models.PointOfInterest,
        models.Assessment,
        models.ProblemRecord,
    }
)
_SIMPLE: dict[Any, Codec] = {
    str: Codec(_str, _identity, _str),
    bool: Codec(_bool, _identity, _bool),
    int: Codec(_int, _identity, _int),
    float: Codec(_float, _identity, _float),
    datetime: Codec(_datetime, _iso, _utc_datetime),
}
_DICTS: dict[Any, Codec] = {
    str: Codec(_str_dict, dict, _str_dict),
    list[Any]: Codec(_list_dict, _plain_json, _list_dict),
    Any: Codec(_any_dict, _plain_json, _any_dict),
}


def _codec_for(tp: Any) -> Codec:
    """The codec of one field type (a resolved annotation)."""
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    if isinstance(tp, type) and issubclass(
        tp, (Stage, Status, models.LawfulBasis, models.ProspectKind)
    ):
        member = _enum(tp)
        return Codec(member, _value, member)
    if tp in _NESTED:
        return codec(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and _NONE in args:
        inner = _codec_for(args[0] if args[1] is _NONE else args[1])
        return Codec(*(_optional(convert) for convert in inner))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if args[0] is str:
            return Codec(_str_tuple, list, _str_tuple)
        inner = _codec_for(args[0])
        return Codec(_tuple(inner.decode), _list_of(inner.encode), _tuple(inner.rebuild))
    if origin is dict and len(args) == 2 and args[0] is str and args[1] in _DICTS:
        return _DICTS[args[1]]
    raise TypeError(f"fast_codec has no rule for the field type {tp!r}")


_CODECS: dict[type[Any], Codec] = {}


def codec(cls: type[Any]) -> Codec:
    """The codec of a model class, built once per process (~0.1 ms).

    :raises TypeError: a field's type is not one this codec knows (a test
        checks every model class, so a new field type cannot silently fall back).
    """
    found = _CODECS.get(cls)
    if found is None:
        found = _CODECS[cls] = _class_codec(cls)
    return found


# ----------------------------------------------------------------------------- API
def decode(cls: type[Any], body: dict[str, Any]) -> Any:
    """``cls`` built through ``__init__`` from ``body`` (no ``"v"``); Unsupported if unusual."""
    try:
        if cls is models.Event:
            return _event(body, trusted=False)
        return codec(cls).decode(body)
    except _FAILURES as exc:
        raise Unsupported from exc


def rebuild(cls: type[Any], document: dict[str, Any]) -> Any:
    """``cls`` rebuilt from a document the store wrote (``"v"`` ignored); Unsupported if unusual.

    Only for documents written by :func:`encode` and read back unchanged
    (checksummed): see the module docstring.
    """
    try:
        if cls is models.Event:
            return _event(document, trusted=True)
        return codec(cls).rebuild(document)
    except _FAILURES as exc:
        raise Unsupported from exc


def encode(obj: Any) -> dict[str, Any]:
    """The document form of a model (without ``"v"``); Unsupported if a value is unusual."""
    try:
        if type(obj) is models.Event:
            return _encode_event(obj)
        document: dict[str, Any] = codec(type(obj)).encode(obj)
        return document
    except _FAILURES as exc:
        raise Unsupported from exc


_optional_str = _optional(_str)


def _event(body: dict[str, Any], trusted: bool) -> models.Event:
    """An event from its document: as the reference converter's event hook reads it, or
    (``trusted``) rebuilt without ``__init__`` from every field of a stored document."""
    payload = body["payload"]
    if type(payload) is not dict:
        raise Unsupported
    kind = models.EventKind(_str(payload["kind"]))
    payload_codec = codec(models.PAYLOAD_TYPES[kind])
    fields = {k: v for k, v in payload.items() if k != "kind"}
    if trusted:
        extra = set(body) - {"v", "id", "prospect_id", "at", "actor", "pipeline", "payload"}
        if extra or "pipeline" not in body or "actor" not in body:
            raise Unsupported
        event = _new(models.Event)
        _set(event, "id", _str(body["id"]))
        _set(event, "prospect_id", _str(body["prospect_id"]))
        _set(event, "at", _utc_datetime(body["at"]))
        _set(event, "payload", payload_codec.rebuild(fields))
        _set(event, "actor", _optional_str(body["actor"]))
        _set(event, "pipeline", _str(body["pipeline"]))
        return event
    return models.Event(
        id=_str(body["id"]),
        prospect_id=_str(body["prospect_id"]),
        at=_datetime(body["at"]),
        actor=_optional_str(body.get("actor")),
        pipeline=_str(body.get("pipeline", "default")),
        payload=payload_codec.decode(fields),
    )


def _encode_event(event: models.Event) -> dict[str, Any]:
    """An event's document, keys in the reference converter's order."""
    payload: dict[str, Any] = {"kind": event.payload.kind.value}
    payload.update(codec(type(event.payload)).encode(event.payload))
    return {
        "id": event.id,
        "prospect_id": event.prospect_id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "pipeline": event.pipeline,
        "payload": payload,
    }
