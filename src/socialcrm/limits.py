"""How much one prospect may hold: the caps every write path and every importer enforce.

A prospect is a person a rep sells to, not a data dump: these caps are far
above what real use needs, and low enough that one hostile file (a vCard with
20,000 e-mails, a note of 15 MB) can neither bloat the store nor exhaust
memory.  They are stated in ``docs/storage.md`` ("Limits") and
``docs/import-export.md``; a value over a cap is refused with a
:class:`~socialcrm.errors.ValidationError` naming the field, never truncated.
"""

from __future__ import annotations

__all__ = [
    "MAX_CUSTOM_FIELDS",
    "MAX_EMAILS",
    "MAX_IDENTITIES",
    "MAX_LINE_TEXT",
    "MAX_LONG_TEXT",
    "MAX_PHONES",
    "MAX_TAGS",
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
