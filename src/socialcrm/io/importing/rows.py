"""What makes one row of an import invalid, before any matching.

Every record is held to the caps of :mod:`socialcrm.limits` here, whichever
importer produced it (a plugin's too): a row over a cap is refused naming the
field, never truncated, and the import goes on (or, ``strict``, writes
nothing).  Importers whose records could grow without bound (a vCard's
repeated properties) refuse such rows while reading; this is the same rule
applied to what they hand over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from socialcrm.errors import LimitExceededError
from socialcrm.formats import ActivityRecord, ProspectRecord
from socialcrm.i18n import text as _
from socialcrm.limits import (
    MAX_CUSTOM_FIELDS,
    MAX_EMAILS,
    MAX_IDENTITIES,
    MAX_LINE_TEXT,
    MAX_LONG_TEXT,
    MAX_PHONES,
    MAX_TAGS,
    check_count,
)

__all__ = [
    "MAX_RECIPIENTS",
    "RowError",
    "check_activity",
    "check_lengths",
    "check_prospect",
]

#: Profile URLs one message may name (its sender and recipients, a group thread's
#: included).
MAX_RECIPIENTS = 250


class RowError(Exception):
    """A record that cannot be imported: the row becomes an ``invalid`` outcome
    naming ``field``, and the import goes on (or, ``strict``, writes nothing)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@contextmanager
def _as_row_error() -> Iterator[None]:
    """A cap of :mod:`socialcrm.limits` exceeded: the row is invalid, with the same
    message the write path gives."""
    try:
        yield
    except LimitExceededError as exc:
        raise RowError(exc.message, exc.field) from None


def check_lengths(values: Mapping[str, str | None], limit: int = MAX_LINE_TEXT) -> None:
    """Refuse a text longer than ``limit`` characters, naming its field."""
    for key, value in values.items():
        if value is not None and len(value) > limit:
            with _as_row_error():
                check_count(key, len(value), limit, unit="characters")


def check_prospect(record: ProspectRecord, tags: tuple[str, ...] = ()) -> None:
    """``record`` within the caps of one prospect (``tags``: those the import adds)."""
    with _as_row_error():
        check_count("emails", len(record.emails), MAX_EMAILS)
        check_count("phones", len(record.phones), MAX_PHONES)
        check_count("urls", len(record.urls), MAX_IDENTITIES)
        check_count("tags", len(record.tags) + len(tags), MAX_TAGS)
        check_count("custom", len(record.custom), MAX_CUSTOM_FIELDS)
    check_lengths({"notes": record.notes}, MAX_LONG_TEXT)
    if _longest(record) <= MAX_LINE_TEXT:
        return  # (the common case: no dictionary of fields to build)
    check_lengths(
        {
            "name": record.name,
            "first_name": record.first_name,
            "last_name": record.last_name,
            "company": record.company,
            "title": record.title,
            "location": record.location,
            **{f"email {n}": v for n, v in enumerate(record.emails, 1)},
            **{f"phone {n}": v for n, v in enumerate(record.phones, 1)},
            **{f"url {n}": v for n, v in enumerate(record.urls, 1)},
            **{f"tag {n}": v for n, v in enumerate(record.tags, 1)},
        }
    )
    for key, value in record.custom.items():
        check_lengths({"custom field name": key, f"custom:{key[:40]}": value})


def _longest(record: ProspectRecord) -> int:
    """Length of the record's longest one-line text (a cheap test before naming it)."""
    texts = (
        record.name,
        record.first_name or "",
        record.last_name or "",
        record.company or "",
        record.title or "",
        record.location or "",
        *record.custom,
        *record.custom.values(),
        *record.emails,
        *record.phones,
        *record.urls,
        *record.tags,
    )
    return max(map(len, texts))


def check_activity(record: ActivityRecord) -> None:
    """``record`` within the caps of one message or signal."""
    urls = {*record.urls, *record.recipients}
    if len(urls) > MAX_RECIPIENTS:
        raise RowError(
            _("{count:,} profile URLs, more than the {limit:,} a message may name").format(
                count=len(urls), limit=MAX_RECIPIENTS
            ),
            "url",
        )
    check_lengths({f"url {n}": u for n, u in enumerate(sorted(urls), 1)})
    check_lengths({"sender": record.sender, "channel": record.channel})
    check_lengths({"text": record.text}, MAX_LONG_TEXT)
