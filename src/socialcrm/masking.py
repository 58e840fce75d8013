"""Masked forms of identifying values, for history and audit records.

A rectified name, e-mail or phone must not survive in clear in the history
(GDPR art. 16): the ``edited`` event keeps that the field changed and a masked
form (``j•••@example.com``), the prospect itself holds the current value.
"""

from __future__ import annotations

from typing import Any

__all__ = ["IDENTIFYING_FIELDS", "mask", "mask_email", "mask_name", "mask_phone"]

DOT = "\u2022\u2022\u2022"

#: Prospect fields whose values are masked in ``edited`` events (both sides).
IDENTIFYING_FIELDS = frozenset(
    {"name", "first_name", "last_name", "emails", "phones", "identities"}
)


def mask_name(value: str) -> str:
    """``Jean Dupont`` → ``J••• D•••``: the initials only."""
    return " ".join(f"{word[0]}{DOT}" for word in value.split() if word) or DOT


def mask_email(value: str) -> str:
    """``jean@example.com`` → ``j•••@example.com`` (the domain is the company's)."""
    local, at, domain = value.rpartition("@")
    if not at:
        return mask_name(value)
    return f"{local[:1]}{DOT}@{domain}"


def mask_phone(value: str) -> str:
    """``+33612345678`` → ``+33•••78``."""
    return f"{value[:3]}{DOT}{value[-2:]}" if len(value) > 6 else DOT


def _mask_identity(value: Any) -> Any:
    if isinstance(value, dict):
        network = value.get("network")
        return {"network": network, "handle": DOT, "url": f"{network}:{DOT}"}
    return DOT


def mask(field: str, value: Any) -> Any:
    """``value`` of prospect ``field`` (stored JSON form) with identifying text masked."""
    if value is None or field not in IDENTIFYING_FIELDS:
        return value
    if isinstance(value, list):
        return [mask(field, item) for item in value]
    if field == "identities":
        return _mask_identity(value)
    if not isinstance(value, str):
        return DOT
    if field == "emails":
        return mask_email(value)
    if field == "phones":
        return mask_phone(value)
    return mask_name(value)
