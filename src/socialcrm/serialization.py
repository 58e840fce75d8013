"""Models ⇄ plain, JSON-compatible dicts, versioned.

This is the one place that knows the document form of the models; storage
backends, exports and the CLI's ``--format json`` all go through it.  It uses a
*private* cattrs converter so that a host application's own cattrs
configuration can never change socialcrm's format (and vice versa).

The converter is the reference; documents in exactly the form it writes go
through :mod:`socialcrm.fast_codec` first (no cattrs import, no code generation
per process), and anything that codec does not handle falls back to cattrs.

Every top-level document carries ``"v": FORMAT_VERSION``.  Documents of an
older version are upgraded on load; a newer version is refused.

Versions: 1, the first; 2 (issue 25) adds the prospect's ``kind`` (``person`` or
``organisation``).  A version-1 prospect is a person, unless an import of the
version before marked it with the custom field ``kind: organisation``: that
marker becomes the field (and leaves ``custom``).
"""

from __future__ import annotations

import enum
import json
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import fields

from socialcrm import fast_codec
from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import (
    PAYLOAD_TYPES,
    Event,
    EventKind,
    LawfulBasis,
    Payload,
    Pipeline,
    Prospect,
    ProspectKind,
)
from socialcrm.stages import Stage, Status

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "FORMAT_VERSION",
    "changed_fields",
    "dumps",
    "event_from_dict",
    "event_to_dict",
    "from_dict",
    "from_stored_dict",
    "loads",
    "pipeline_from_dict",
    "pipeline_to_dict",
    "plain",
    "prospect_from_dict",
    "prospect_to_dict",
    "to_dict",
]

FORMAT_VERSION = 2

#: The custom field by which version 1 documents marked an organisation.
_V1_KIND = "kind"

T = TypeVar("T")


@cache
def _converter() -> cattrs.Converter:
    """The reference converter, built on first use (importing cattrs costs ~15 ms)."""
    import cattrs

    conv = cattrs.Converter(forbid_extra_keys=True)
    # cattrs' default str() would store a list, an object or a number given for a
    # text field as its Python repr ("['a']"): a document says what it means, or is refused
    conv.register_structure_hook(str, _structure_str)
    conv.register_unstructure_hook(datetime, lambda d: d.isoformat())
    conv.register_structure_hook(datetime, lambda v, _t: _parse_datetime(v))

    def unstructure_payload(payload: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": payload.kind.value}
        data.update(conv.unstructure(payload, unstructure_as=type(payload)))
        return data

    def structure_payload(value: Any, _t: Any) -> Any:
        if not isinstance(value, dict) or "kind" not in value:
            raise ValueError("an event payload needs a 'kind'")
        kind = EventKind(value["kind"])
        body = {k: v for k, v in value.items() if k != "kind"}
        return conv.structure(body, PAYLOAD_TYPES[kind])

    conv.register_structure_hook(Payload, structure_payload)

    def unstructure_event(event: Event) -> dict[str, Any]:
        return {
            "id": event.id,
            "prospect_id": event.prospect_id,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "pipeline": event.pipeline,
            "payload": unstructure_payload(event.payload),
        }

    conv.register_unstructure_hook(Event, unstructure_event)
    conv.register_structure_hook(
        Event,
        lambda v, _t: Event(
            id=v["id"],
            prospect_id=v["prospect_id"],
            at=_parse_datetime(v["at"]),
            actor=v.get("actor"),
            pipeline=v.get("pipeline", "default"),
            payload=structure_payload(v["payload"], None),
        ),
    )
    # Enums (Stage, Status, LawfulBasis…) are stored as their plain string values.
    for enum_type in (Stage, Status, LawfulBasis, ProspectKind, EventKind):
        conv.register_unstructure_hook(enum_type, _enum_value)
    return conv


def _enum_value(member: enum.Enum) -> Any:
    return member.value


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone")
    return parsed


def to_dict(obj: Prospect | Event | Pipeline) -> dict[str, Any]:
    """The versioned document form of a model."""
    data: dict[str, Any] = {"v": FORMAT_VERSION}
    try:
        data.update(fast_codec.encode(obj))
    except fast_codec.Unsupported:
        data.update(_converter().unstructure(obj))
    return data


def plain(value: Any) -> Any:
    """Any model value (a field, a list of identities…) in JSON-compatible form."""
    return _converter().unstructure(value)


_TOO_NEW = {
    "prospect": N_(
        "prospect document has format version {version!r}; this socialcrm reads up to {supported}"
    ),
    "event": N_(
        "event document has format version {version!r}; this socialcrm reads up to {supported}"
    ),
    "pipeline": N_(
        "pipeline document has format version {version!r}; this socialcrm reads up to {supported}"
    ),
}
_NOT_AN_OBJECT = {
    "prospect": N_("a prospect document must be an object, got {kind}"),
    "event": N_("an event document must be an object, got {kind}"),
    "pipeline": N_("a pipeline document must be an object, got {kind}"),
}
_INVALID = {
    "prospect": N_("invalid prospect document: {detail}"),
    "event": N_("invalid event document: {detail}"),
    "pipeline": N_("invalid pipeline document: {detail}"),
}
"""Each message about a model's document, a whole sentence per model (for its grammar
in French); a model without its own falls back to a sentence naming its type."""


def _upgrade(data: dict[str, Any], what: str) -> dict[str, Any]:
    version = data.get("v", 1)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        message = _TOO_NEW.get(what) or N_(
            "document of type {what} has format version {version!r}; "
            "this socialcrm reads up to {supported}"
        )
        raise ValidationError(
            _(message).format(what=what, version=version, supported=FORMAT_VERSION),
            field="v",
            value=version,
            hint=_("upgrade socialcrm"),
        )
    body = {k: v for k, v in data.items() if k != "v"}
    return _from_v1(body, what) if version == 1 else body


def _from_v1(body: dict[str, Any], what: str) -> dict[str, Any]:
    """A version-1 document in version 2's form: a prospect gains its ``kind``."""
    if what != "prospect" or "kind" in body:
        return body
    custom = body.get("custom")
    if isinstance(custom, dict) and custom.get(_V1_KIND) == ProspectKind.ORGANISATION.value:
        rest = {k: v for k, v in custom.items() if k != _V1_KIND}
        return {**body, "custom": rest, "kind": ProspectKind.ORGANISATION.value}
    return {**body, "kind": ProspectKind.PERSON.value}


def from_dict(cls: type[T], data: Any) -> T:
    """Build a model from its document form, with a clear error on bad data."""
    what = cls.__name__.lower()
    if not isinstance(data, dict):
        message = _NOT_AN_OBJECT.get(what) or N_(
            "a document of type {what} must be an object, got {kind}"
        )
        raise ValidationError(_(message).format(what=what, kind=type(data).__name__))
    body = _upgrade(data, what)
    try:
        return fast_codec.decode(cls, body)  # type: ignore[no-any-return]
    except fast_codec.Unsupported:
        pass  # not in the exact written form: the reference converter decides and explains
    import cattrs

    try:
        return _converter().structure(body, cls)
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        detail, field = _explain(exc)
        message = _INVALID.get(what) or N_("invalid document of type {what}: {detail}")
        raise ValidationError(
            _(message).format(what=what, detail=detail),
            field=field,
            value=data.get("id"),
        ) from exc


def from_stored_dict(cls: type[T], data: Any) -> T:
    """A model from a document this library wrote, read back unchanged from a store.

    Skips re-running the models' converters and validators (see
    :func:`socialcrm.fast_codec.rebuild`: three times faster, which is most of
    ``list``'s time); a document not in the exact written form goes through
    :func:`from_dict`, which validates and explains.  Backends call this only
    for data whose integrity they verified (the TinyDB store checks each file's
    checksum); anything else must use :func:`from_dict`.
    """
    if type(data) is dict and data.get("v") in (1, FORMAT_VERSION):
        if data["v"] == 1:  # written by the version before: same values, upgraded form
            data = {**_from_v1(data, cls.__name__.lower()), "v": FORMAT_VERSION}
        try:
            return fast_codec.rebuild(cls, data)  # type: ignore[no-any-return]
        except fast_codec.Unsupported:
            pass
    return from_dict(cls, data)


_JSON_TYPES = {
    bool: "true/false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _structure_str(value: Any, type_: Any) -> str:
    """Text as text; for a ``str`` subclass (``Stage``, ``Status``…) its own check."""
    if not isinstance(value, str):
        kind = "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)
        raise ValueError(f"expected text, got {kind}")
    return value if type_ is str else type_(value)


def _explain(exc: BaseException) -> tuple[str, str | None]:
    """What is wrong, and the top-level field of the first problem (``$.company…``)."""
    import re

    import cattrs

    if isinstance(exc, cattrs.BaseValidationError):
        messages = cattrs.transform_error(exc, format_exception=_format_leaf)
        found = re.search(r" @ \$\.([A-Za-z_]\w*)", messages[0]) if messages else None
        return "; ".join(messages), found.group(1) if found else None
    return str(exc) or type(exc).__name__, None


def _format_leaf(exc: BaseException, type_: Any) -> str:
    """Keep our own validators' messages (they say what is wrong), cattrs' otherwise."""
    import cattrs
    import cattrs.v

    if isinstance(exc, ValueError) and not isinstance(exc, cattrs.BaseValidationError) and str(exc):
        return str(exc)
    return cattrs.v.format_exception(exc, type_)


def prospect_to_dict(p: Prospect) -> dict[str, Any]:
    return to_dict(p)


#: Keys of a prospect's document that record when and how it was written, not what it holds.
_BOOKKEEPING = frozenset({"updated_at", "v"})


def changed_fields(before: Prospect, after: Prospect) -> dict[str, list[Any]]:
    """What differs between two states of a prospect, as ``{field: [old, new]}``.

    The ``changes`` of an :class:`~socialcrm.models.Edited` event, whether the
    rep edited the prospect or an import updated it: both sides in their stored
    (JSON) form, fields in alphabetical order, ``updated_at`` left out.
    Identifying fields (name, e-mails, phones, identities) are masked on both
    sides (:mod:`socialcrm.masking`): a rectified value never stays in clear.
    """
    from socialcrm.masking import mask

    old, new = prospect_to_dict(before), prospect_to_dict(after)
    return {
        key: [mask(key, old.get(key)), mask(key, new.get(key))]
        for key in sorted(old.keys() | new.keys())
        if key not in _BOOKKEEPING and old.get(key) != new.get(key)
    }


def prospect_from_dict(data: Any) -> Prospect:
    return from_dict(Prospect, data)


def event_to_dict(e: Event) -> dict[str, Any]:
    return to_dict(e)


def event_from_dict(data: Any) -> Event:
    return from_dict(Event, data)


def pipeline_to_dict(p: Pipeline) -> dict[str, Any]:
    return to_dict(p)


def pipeline_from_dict(data: Any) -> Pipeline:
    return from_dict(Pipeline, data)


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text: UTF-8 characters kept as they are, keys in a stable order."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=indent)


def loads(text: str | bytes) -> Any:
    return json.loads(text)


def field_names(cls: type[Any]) -> list[str]:
    """Names of a model's fields, in declaration order (for exports and docs)."""
    return [f.name for f in fields(cls)]
