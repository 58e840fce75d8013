"""How the models normalise what they are given: text in NFC and made safe, times in UTC.

These are the attrs converters (and the id validator) of :mod:`socialcrm.models`,
so every path that builds a model -- the CRM facade, an importer, a plugin, a
host application -- stores the same normalised values.  Text drops the
characters a terminal would obey (:func:`socialcrm.text.clean`): a one-line
field (a name, a tag) turns a line break into a space, a multi-line text
(notes, messages) keeps its line breaks and tabs; an event's text is only made
safe (not trimmed).  Every converter is idempotent: the store rebuilds models
without running them again (:mod:`socialcrm.fast_codec`).
"""

import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from socialcrm.text import clean, is_safe

__all__ = [
    "custom_fields",
    "multi_line",
    "network_id",
    "nfc",
    "one_line",
    "opt_multi_line",
    "opt_one_line",
    "opt_safe_line",
    "opt_safe_multi_line",
    "opt_utc",
    "safe_changes",
    "safe_id",
    "safe_json",
    "safe_line",
    "safe_multi_line",
    "safe_settings",
    "str_tuple",
    "tag_tuple",
    "utc",
]


def nfc(value: str) -> str:
    """Normalise text to NFC and strip surrounding whitespace."""
    return unicodedata.normalize("NFC", value).strip()


def one_line(value: str) -> str:
    """A one-line field: safe (see :func:`socialcrm.text.clean`), NFC, stripped."""
    return unicodedata.normalize("NFC", clean(value)).strip()


def opt_one_line(value: str | None) -> str | None:
    return None if value is None else (one_line(value) or None)


def multi_line(value: str) -> str:
    """A multi-line text: safe, line breaks and tabs kept, NFC, stripped."""
    return unicodedata.normalize("NFC", clean(value, multiline=True)).strip()


def opt_multi_line(value: str | None) -> str | None:
    return None if value is None else (multi_line(value) or None)


def safe_line(value: str) -> str:
    """An event's one-line value: only made safe (events keep text as it was given)."""
    return clean(value)


def opt_safe_line(value: str | None) -> str | None:
    return None if value is None else clean(value)


def safe_multi_line(value: str) -> str:
    """An event's multi-line text (a message, a note): only made safe."""
    return clean(value, multiline=True)


def opt_safe_multi_line(value: str | None) -> str | None:
    return None if value is None else clean(value, multiline=True)


def safe_json(value: Any) -> Any:
    """Every text of a JSON-like value made safe (keys as one line; values may be multi-line)."""
    if isinstance(value, str):
        return clean(value, multiline=True)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: safe_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_json(v) for v in value]
    return value


def safe_changes(values: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    return {clean(k): [safe_json(v) for v in pair] for k, pair in values.items()}


def safe_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    return {clean(k): safe_json(v) for k, v in values.items()}


def safe_id(_instance: Any, attribute: "attrs.Attribute[str]", value: str) -> None:
    """Ids are refused, never changed, when unsafe: two ids must not become one."""
    if not is_safe(value):
        raise ValueError(f"{attribute.name} {value!r} holds a control or bidi character")


def utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    return value.astimezone(UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value)


def network_id(value: str) -> str:
    return one_line(value).lower()


def str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Unique, order-preserving, NFC, empty strings dropped."""
    seen: dict[str, None] = {}
    for v in values:
        text = one_line(v)
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def tag_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Tags are case-insensitive labels: stored lower-case, sorted, unique."""
    return tuple(sorted({tag for tag in (one_line(v).casefold() for v in values) if tag}))


def custom_fields(values: Mapping[str, str]) -> dict[str, str]:
    return {one_line(k): one_line(v) for k, v in sorted(values.items()) if one_line(k)}
