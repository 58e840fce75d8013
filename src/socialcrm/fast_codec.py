"""A direct codec for model documents in exactly the form socialcrm writes them.

Why: a CLI command reads and writes model documents on every run, and
``list`` handles thousands of them.  cattrs, our reference converter (see
:mod:`socialcrm.serialization`), costs ~15 ms to import and ~20 ms to generate
its functions in each new process, and its generic structuring is about twice
as slow per document as building the models directly.  This module builds the
models straight from their documents (through the attrs ``__init__``, so every
converter and validator still runs) and back.

It is deliberately narrow: it accepts only values of the exact JSON types
``to_dict`` produces (``str`` for text, ``list`` for tuples, …) and raises
:class:`Unsupported` on anything else — an unknown key, a number where text is
expected, a tuple in a pipeline setting.  :mod:`socialcrm.serialization` then
falls back to cattrs, which decides and explains.  So this codec never accepts
a document cattrs refuses, and a property test checks that both produce equal
results on every document it accepts.

The per-class plans are derived from the attrs fields' type hints, so a new
field of a known type needs no change here; a field of an unknown type makes
:func:`codec` raise, which a test catches.
"""

from __future__ import annotations

import enum
import operator
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from socialcrm import models
from socialcrm.stages import Stage, Status

__all__ = ["Unsupported", "codec", "decode", "decode_event", "encode", "encode_event"]

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


class Unsupported(Exception):
    """The value is not in the exact form this codec handles: use the reference converter."""


# ----------------------------------------------------------------------------- leaves
def _str(value: Any) -> str:
    if type(value) is not str:
        raise Unsupported
    return value


def _opt(decode: Decoder) -> Decoder:
    def optional(value: Any) -> Any:
        return None if value is None else decode(value)

    return optional


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


def _enum(cls: type[enum.Enum]) -> Decoder:
    def member(value: Any) -> Any:
        if type(value) is not str:
            raise Unsupported
        return cls(value)

    return member


def _tuple(decode: Decoder) -> Decoder:
    def items(value: Any) -> tuple[Any, ...]:
        if type(value) is not list:
            raise Unsupported
        return tuple(decode(v) for v in value)

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


def _identity(value: Any) -> Any:
    return value


def _iso(value: datetime) -> str:
    return value.isoformat()


def _value(member: enum.Enum) -> Any:
    return member.value


def _list_of(encode: Encoder) -> Encoder:
    def items(value: Any) -> list[Any]:
        return [encode(v) for v in value]

    return items


def _opt_enc(encode: Encoder) -> Encoder:
    def optional(value: Any) -> Any:
        return None if value is None else encode(value)

    return optional


# ----------------------------------------------------------------------------- plans
# Fields whose document value is the attribute value itself, checked by exact type.
_PASS_THROUGH: dict[Any, tuple[type, ...]] = {
    str: (str,),
    str | None: (str, type(None)),
    bool: (bool,),
    int | None: (int, type(None)),
}


def _class_codec(cls: type[Any]) -> tuple[Decoder, Encoder]:
    """One class's decoder and encoder.

    Most fields are text passed through as they are: those are only type-checked
    (a dict look-up and a ``type()`` per field), and only the others (dates,
    enums, tuples, nested models…) go through a converting function.
    """
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in attrs.fields(cls))
    checked: dict[str, tuple[type, ...]] = {}
    decoders: dict[str, Decoder] = {}
    encoders: list[tuple[str, Encoder]] = []
    for name in names:
        if hints[name] in _PASS_THROUGH:
            checked[name] = _PASS_THROUGH[hints[name]]
        else:
            decoders[name], encode = _codec_for(hints[name])
            encoders.append((name, encode))
    get_all: Callable[[Any], Any] = operator.attrgetter(*names) if names else lambda _obj: ()

    def decoder(value: Any) -> Any:
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

    def encoder(obj: Any) -> dict[str, Any]:
        values = get_all(obj)
        out = dict(zip(names, (values,) if len(names) == 1 else values, strict=True))
        for name, encode in encoders:
            out[name] = encode(out[name])
        return out

    return decoder, encoder


_NESTED: frozenset[type[Any]] = frozenset(
    {
        models.Identity,
        models.Source,
        models.PointOfInterest,
        models.Assessment,
        models.ProblemRecord,
    }
)
_SIMPLE: dict[Any, tuple[Decoder, Encoder]] = {
    str: (_str, _identity),
    bool: (_bool, _identity),
    int: (_int, _identity),
    float: (_float, _identity),
    datetime: (_datetime, _iso),
}
_DICTS: dict[Any, tuple[Decoder, Encoder]] = {
    str: (_str_dict, dict),
    list[Any]: (_list_dict, _plain_json),
    Any: (_any_dict, _plain_json),
}


def _codec_for(tp: Any) -> tuple[Decoder, Encoder]:
    """Decoder and encoder of one field type (a resolved annotation)."""
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    if isinstance(tp, type) and issubclass(tp, (Stage, Status, models.LawfulBasis)):
        return _enum(tp), _value
    if tp in _NESTED:
        return codec(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        decode, encode = _codec_for(args[0] if args[1] is type(None) else args[1])
        return _opt(decode), _opt_enc(encode)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        decode, encode = _codec_for(args[0])
        return _tuple(decode), (list if args[0] is str else _list_of(encode))
    if origin is dict and len(args) == 2 and args[0] is str and args[1] in _DICTS:
        return _DICTS[args[1]]
    raise TypeError(f"fast_codec has no rule for the field type {tp!r}")


_CODECS: dict[type[Any], tuple[Decoder, Encoder]] = {}


def codec(cls: type[Any]) -> tuple[Decoder, Encoder]:
    """The decoder and encoder of a model class, built once per process (~0.1 ms).

    :raises TypeError: a field's type is not one this codec knows (a test
        checks every model class, so a new field type cannot silently fall back).
    """
    found = _CODECS.get(cls)
    if found is None:
        found = _CODECS[cls] = _class_codec(cls)
    return found


# ----------------------------------------------------------------------------- API
def decode(cls: type[Any], body: dict[str, Any]) -> Any:
    """``cls`` built from its document ``body`` (without ``"v"``); Unsupported if unusual."""
    if cls is models.Event:
        return decode_event(body)
    try:
        return codec(cls)[0](body)
    except (Unsupported, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise Unsupported from exc


def encode(obj: Any) -> dict[str, Any]:
    """The document form of a model (without ``"v"``); Unsupported if a value is unusual."""
    if type(obj) is models.Event:
        return encode_event(obj)
    try:
        document: dict[str, Any] = codec(type(obj))[1](obj)
        return document
    except (TypeError, ValueError, AttributeError) as exc:
        raise Unsupported from exc


def decode_event(body: dict[str, Any]) -> models.Event:
    """An event from its document, as the reference converter's event hook reads it."""
    try:
        payload = body["payload"]
        if type(payload) is not dict:
            raise Unsupported
        kind = models.EventKind(_str(payload["kind"]))
        fields = {k: v for k, v in payload.items() if k != "kind"}
        return models.Event(
            id=_str(body["id"]),
            prospect_id=_str(body["prospect_id"]),
            at=_datetime(body["at"]),
            actor=_opt(_str)(body.get("actor")),
            pipeline=_str(body.get("pipeline", "default")),
            payload=codec(models.PAYLOAD_TYPES[kind])[0](fields),
        )
    except (Unsupported, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise Unsupported from exc


def encode_event(event: models.Event) -> dict[str, Any]:
    """An event's document, keys in the reference converter's order."""
    try:
        payload: dict[str, Any] = {"kind": event.payload.kind.value}
        payload.update(codec(type(event.payload))[1](event.payload))
    except (TypeError, ValueError, AttributeError) as exc:
        raise Unsupported from exc
    return {
        "id": event.id,
        "prospect_id": event.prospect_id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "pipeline": event.pipeline,
        "payload": payload,
    }
