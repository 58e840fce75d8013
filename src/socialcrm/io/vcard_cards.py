"""Cutting a vCard file into cards, with every limit checked while reading.

vobject unfolds a whole logical line before anything can look at it (a NOTE
folded over 200,000 lines grew to ~2 GB before its length was checked),
keeps every property of a card, and recurses into nested ``BEGIN:VCARD``
(5,000 of them ended in ``RecursionError``).  So the file is first cut here,
one card at a time, keeping only the properties socialcrm reads
(:data:`READ_PROPERTIES`): each kept logical line is measured while it is
unfolded and dropped as soon as it passes :data:`FIELD_LIMIT`, each card's
repeated properties are counted against the caps of :mod:`socialcrm.limits`,
and nesting deeper than :data:`MAX_NESTING` stops the import with the line
number.  vobject then parses one small card at a time.

A card over a cap is a :class:`CardProblem` (the row is refused, naming the
field; the import goes on); a file whose structure is broken raises
:class:`~socialcrm.errors.ImportFormatError` with the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from attrs import frozen

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import text as _
from socialcrm.io.csvsafe import FIELD_LIMIT, open_text
from socialcrm.limits import MAX_EMAILS, MAX_IDENTITIES, MAX_PHONES, MAX_TAGS

__all__ = [
    "MAX_CARD_CHARS",
    "MAX_NESTING",
    "MAX_SINGLE_PROPERTIES",
    "READ_PROPERTIES",
    "Card",
    "CardProblem",
    "read_cards",
]

#: Properties a card is read for; any other (PHOTO, LOGO, X-…) is skipped unread.
READ_PROPERTIES = frozenset(
    {
        "VERSION",
        "FN",
        "N",
        "EMAIL",
        "TEL",
        "ORG",
        "TITLE",
        "NOTE",
        "CATEGORIES",
        "ADR",
        "URL",
        "X-SOCIALPROFILE",
        "SOCIALPROFILE",
    }
)
#: Deepest ``BEGIN`` nesting read: a card, and one card inside it (vCard 2.1's
#: ``AGENT``, whose content is skipped).  Deeper stops the import.
MAX_NESTING = 2
#: Characters of the properties kept for one card (all its lines together).
MAX_CARD_CHARS = 2 * FIELD_LIMIT
#: Lines of the single-valued properties (FN, N, ORG, TITLE, NOTE, ADR, VERSION)
#: one card may repeat.
MAX_SINGLE_PROPERTIES = 50

# property -> (field named in the refusal, cap on how many a card may carry)
_COUNTED = {
    "EMAIL": ("emails", MAX_EMAILS),
    "TEL": ("phones", MAX_PHONES),
    "URL": ("urls", MAX_IDENTITIES),
    "X-SOCIALPROFILE": ("urls", MAX_IDENTITIES),
    "SOCIALPROFILE": ("urls", MAX_IDENTITIES),
    "CATEGORIES": ("tags", MAX_TAGS),
}
_LABELS = {"emails": "e-mails", "phones": "phones", "urls": "URLs and profiles", "tags": "tags"}
_PIECE = 65_536  # characters read at a time from an over-long physical line


@frozen
class Card:
    """One card's kept lines (as in the file), its number and the line it begins at."""

    number: int
    line: int
    text: str


@frozen
class CardProblem:
    """A card refused before parsing: over a cap (``field`` names which)."""

    number: int
    line: int
    reason: str
    field: str | None


def _physical_lines(stream: TextIO) -> Iterator[tuple[str, int]]:
    """``(line, length)`` of each physical line, without its line end.

    A line over :data:`FIELD_LIMIT` characters is cut there: the rest is read
    and dropped, only its ``length`` is kept.
    """
    while True:
        line = stream.readline(FIELD_LIMIT + 1)
        if not line:
            return
        length = len(line)
        if length > FIELD_LIMIT and not line.endswith(("\n", "\r")):
            while True:  # over-long: measure the rest without keeping it
                rest = stream.readline(_PIECE)
                length += len(rest)
                if not rest or rest.endswith(("\n", "\r")):
                    break
        text = line.rstrip("\r\n")
        yield text, length - (len(line) - len(text))


def _name(first: str) -> str | None:
    """The property name of a logical line (``item1.EMAIL;TYPE=x:…`` → ``EMAIL``)."""
    colon = first.find(":")
    if colon < 0:
        return None
    head = first[:colon].split(";", 1)[0].strip()
    return head.rsplit(".", 1)[-1].upper()


class _CardBuilder:
    """The card being read: kept lines, counts, the first cap it passed."""

    def __init__(self, number: int, line: int) -> None:
        self.number = number
        self.line = line
        self.lines: list[str] = []
        self.chars = 0
        self.counts: dict[str, int] = {}
        self.problem: tuple[str, str | None] | None = None

    def refuse(self, reason: str, field: str | None) -> None:
        if self.problem is None:
            self.problem = (reason, field)
            self.lines = []  # nothing more is kept for a refused card

    def count(self, name: str, first: str) -> None:
        field, cap = _COUNTED.get(name, ("other", MAX_SINGLE_PROPERTIES))
        value = first.split(":", 1)[1] if ":" in first else ""
        n = value.count(",") - value.count("\\,") + 1 if name == "CATEGORIES" else 1
        self.counts[field] = self.counts.get(field, 0) + n
        if self.counts[field] > cap:
            if field == "other":
                self.refuse(f"more than {cap} lines of single-valued properties", name.lower())
            else:
                self.refuse(f"more than {cap} {_LABELS[field]} (the limit)", field)

    def result(self) -> Card | CardProblem:
        if self.problem is not None:
            reason, field = self.problem
            return CardProblem(self.number, self.line, reason, field)
        return Card(self.number, self.line, self.text())

    def text(self) -> str:
        return "\r\n".join(self.lines) + "\r\n"


class _Reader:
    """Reads logical lines (unfolding as vobject does: a line starting with a space or
    a tab continues the previous one; vCard 2.1 quoted-printable soft breaks are
    not read, as vobject does not read them) and groups them into cards."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0
        self.cards = 0
        self.card: _CardBuilder | None = None

    def error(self, message: str, line: int) -> ImportFormatError:
        return ImportFormatError(
            _("invalid vCard: {message} (line {line})").format(message=message, line=line),
            path=str(self.path),
            row=self.cards or None,
        )

    def read(self, stream: TextIO) -> Iterator[Card | CardProblem]:
        lineno = 0
        start = 0  # line where the current logical line begins
        pieces: list[str] = []  # its physical lines (only the first once over the limit)
        length = 0
        for text, size in _physical_lines(stream):
            lineno += 1
            if pieces and text[:1] in (" ", "\t") and text.strip():  # folded: continues
                length += size
                if length <= FIELD_LIMIT:
                    pieces.append(text)
                else:
                    del pieces[1:]  # over the limit: stop accumulating
                continue
            if pieces:
                yield from self.logical(pieces, length, start)
            pieces, length = [], 0
            if text.strip():
                start, pieces, length = lineno, [text], size
        if pieces:
            yield from self.logical(pieces, length, start)
        card = self.card
        if card is not None:  # not closed: vobject says so, naming the card
            yield card.result() if card.problem else Card(card.number, card.line, card.text())

    def logical(self, pieces: list[str], length: int, line: int) -> Iterator[Card | CardProblem]:
        first = pieces[0]
        name = _name(first)
        if name == "BEGIN":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise self.error(
                    f"a card nested {self.depth} levels deep (at most {MAX_NESTING} are read)",
                    line,
                )
            if self.depth == 1:
                self.cards += 1
                self.card = _CardBuilder(self.cards, line)
                self.card.lines.append(first)
            return
        if self.card is None:
            raise self.error(f"expected BEGIN:VCARD, found {first[:40]!r}", line)
        card = self.card
        if name == "END":
            self.depth -= 1
            if self.depth > 0:
                return
            if card.problem is None:
                card.lines.append(first)
            self.card = None
            yield card.result()
            return
        if self.depth > 1 or card.problem is not None:
            return  # inside a nested card (not read), or the card is refused already
        if name is not None and name not in READ_PROPERTIES:
            return  # a property socialcrm does not read: never kept
        if length > FIELD_LIMIT:
            label = name or "a line"
            card.refuse(f"{label} is longer than {FIELD_LIMIT:,} characters", (name or "").lower())
            return
        if name is not None:
            card.count(name, first)
        card.chars += length
        if card.chars > MAX_CARD_CHARS:
            card.refuse(f"the card's properties pass {MAX_CARD_CHARS:,} characters", None)
        if card.problem is None:
            card.lines.extend(pieces)


def read_cards(path: Path) -> Iterator[Card | CardProblem]:
    """Stream the cards of a vCard file (see the module doc)."""
    with open_text(path) as stream:
        try:
            yield from _Reader(path).read(stream)
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                _("invalid UTF-8 ({reason})").format(reason=exc.reason),
                path=str(path),
                hint=_("save the file as UTF-8"),
            ) from None
