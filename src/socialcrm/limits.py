"""How much one prospect may hold: the caps every write path and every importer enforce.

A prospect is a person a rep sells to, not a data dump: these caps are far
above what real use needs, and low enough that one hostile file (a vCard with
20,000 e-mails, a note of 15 MB) can neither bloat the store nor exhaust
memory.  They are stated in ``docs/model.md`` ("Limits"); a value over a cap
is refused with a :class:`~socialcrm.errors.LimitExceededError` (a
``ValidationError``) naming the field, the cap and the count, never truncated:
by the CRM on every write (:func:`check_prospect`, :func:`check_payload`) and by
the import engine, for which a row over a cap is an invalid row.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from socialcrm.errors import LimitExceededError

if TYPE_CHECKING:
    from socialcrm.models import Payload, Prospect

__all__ = [
    "ARCHIVE_MAX_ENTRIES",
    "ARCHIVE_MAX_MEMBER_BYTES",
    "ARCHIVE_MAX_RATIO",
    "ARCHIVE_MAX_TOTAL_BYTES",
    "ARCHIVE_RATIO_FLOOR",
    "MAX_AUDIENCE_MEASURES",
    "MAX_CUSTOM_FIELDS",
    "MAX_EMAILS",
    "MAX_GOALS",
    "MAX_IDENTITIES",
    "MAX_LINE_TEXT",
    "MAX_LONG_TEXT",
    "MAX_PHONES",
    "MAX_TAGS",
    "check_count",
    "check_length",
    "check_payload",
    "check_prospect",
]

#: Characters in a one-line field: a name, company, title, tag, handle, URL,
#: custom field, channel, reason.
MAX_LINE_TEXT = 1_000
#: Characters in a free text: a note, a message, a point of interest.
MAX_LONG_TEXT = 20_000
#: E-mail addresses on one prospect.
MAX_EMAILS = 20
#: Phone numbers on one prospect.
MAX_PHONES = 20
#: Tags on one prospect.
MAX_TAGS = 100
#: Network identities (profiles) on one prospect.
MAX_IDENTITIES = 50
#: Custom fields on one prospect.
MAX_CUSTOM_FIELDS = 100
#: Audience measures kept in a store (one per network and day: 27 years of 5 networks).
MAX_AUDIENCE_MEASURES = 50_000
#: Goals set in a store.
MAX_GOALS = 100

# -- archives (a network's whole data export as a .zip or an unzipped directory) ------
# Checked before anything is read (the zip's directory) and again while each member
# is copied into the import's private temporary directory (the real byte counts).
#: Entries (files and directories) in one archive: real exports hold a few hundred
#: to a few thousand (a big X archive with media: ~20,000).
ARCHIVE_MAX_ENTRIES = 50_000
#: Uncompressed bytes of all the entries together (2 GiB).
ARCHIVE_MAX_TOTAL_BYTES = 2 * 1024**3
#: Uncompressed bytes of one member socialcrm reads (512 MiB).
ARCHIVE_MAX_MEMBER_BYTES = 512 * 1024**2
#: Uncompressed / compressed size of one entry: text compresses 5-20x; a zip bomb
#: reaches 1,000x and more.
ARCHIVE_MAX_RATIO = 200
#: Entries smaller than this (uncompressed) are not held to the ratio (a tiny
#: file of repeated bytes is harmless): 1 MiB.
ARCHIVE_RATIO_FLOOR = 1024**2


# -- enforcement ----------------------------------------------------------------------
# Checked where prospects and events are written: the unit of work (every facade
# change, merges, re-scoring) and the import engine's plan (a row over a cap is
# an invalid row).  Counts are of the model's values, after normalisation.


def check_count(field: str, count: int, limit: int, *, unit: str = "values") -> None:
    """Refuse ``count`` values (or characters, ``unit="characters"``) in ``field`` above
    ``limit``."""
    if count > limit:
        raise LimitExceededError(field=field, count=count, limit=limit, unit=unit)


def check_length(field: str, text: str | None, *, multiline: bool = False) -> None:
    """Refuse a text longer than :data:`MAX_LINE_TEXT` (:data:`MAX_LONG_TEXT` if ``multiline``)."""
    limit = MAX_LONG_TEXT if multiline else MAX_LINE_TEXT
    if text is not None and len(text) > limit:
        raise LimitExceededError(field=field, count=len(text), limit=limit, unit="characters")


def _measures(p: Prospect) -> Iterator[tuple[str, int, int, str]]:
    """``(field, measure, cap, unit)`` of everything a cap applies to on ``p``."""
    yield "emails", len(p.emails), MAX_EMAILS, "values"
    yield "phones", len(p.phones), MAX_PHONES, "values"
    yield "tags", len(p.tags), MAX_TAGS, "values"
    yield "identities", len(p.identities), MAX_IDENTITIES, "values"
    yield "custom", len(p.custom), MAX_CUSTOM_FIELDS, "values"
    lines: list[tuple[str, str | None]] = [
        ("name", p.name),
        ("first_name", p.first_name),
        ("last_name", p.last_name),
        ("title", p.title),
        ("company", p.company),
        ("sector", p.sector),
        ("location", p.location),
        ("lost_reason", p.lost_reason),
        ("owner", p.owner),
    ]
    lines += [("emails", e) for e in p.emails]
    lines += [("phones", x) for x in p.phones]
    lines += [("tags", t) for t in p.tags]
    for key, value in p.custom.items():
        lines += [("custom field name", key), (f"custom field {key}", value)]
    for identity in p.identities:
        lines += [("identities", identity.handle), ("identities", identity.url)]
    if p.source is not None:
        lines += [("source", p.source.note), ("source", p.source.url)]
    texts: list[tuple[str, str | None]] = [("notes", p.notes)]
    if p.point_of_interest is not None:
        texts.append(("point_of_interest", p.point_of_interest.text))
        lines.append(("point_of_interest", p.point_of_interest.url))
    if p.assessment is not None:
        texts.append(("assessment", p.assessment.note))
    for field, text in lines:
        if text is not None:
            yield field, len(text), MAX_LINE_TEXT, "characters"
    for field, text in texts:
        if text is not None:
            yield field, len(text), MAX_LONG_TEXT, "characters"


def check_prospect(p: Prospect, *, before: Prospect | None = None) -> None:
    """Refuse ``p`` if it holds more than a cap allows.

    With ``before`` (the prospect as stored), a field already over a cap may
    stay as it is or shrink -- a store written before the caps existed must
    not lock its prospects -- but never grow.
    """
    allowed: dict[tuple[str, str], int] = {}
    if before is not None:
        for field, measure, _cap, unit in _measures(before):
            key = (field, unit)
            allowed[key] = max(allowed.get(key, 0), measure)
    for field, measure, cap, unit in _measures(p):
        if measure > cap and measure > allowed.get((field, unit), 0):
            raise LimitExceededError(field=field, count=measure, limit=cap, unit=unit)


#: Each event payload's texts: (field, multi-line).
_PAYLOAD_TEXTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "StageChanged": (("reason", False),),
    "StatusChanged": (("reason", False),),
    "Interaction": (("type", False), ("network", False), ("url", False), ("note", True)),
    "MessageSent": (("text", True), ("network", False), ("channel", False)),
    "MessageReceived": (("text", True), ("network", False), ("channel", False)),
    "Note": (("text", True),),
    "PointOfInterestSet": (("text", True), ("url", False)),
    "Assessed": (("note", True),),
    "Imported": (("format", False), ("file", False)),
    "Merged": (("other_name", False),),
    "SequenceEnrolled": (("sequence", False),),
    "SequenceStopped": (("sequence", False), ("reason", False)),
    "NoticeGiven": (("channel", False), ("language", False)),
}


def check_payload(payload: Payload) -> None:
    """Refuse an event payload whose text is over :data:`MAX_LINE_TEXT` / :data:`MAX_LONG_TEXT`."""
    for field, multiline in _PAYLOAD_TEXTS.get(type(payload).__name__, ()):
        check_length(field, getattr(payload, field), multiline=multiline)
