"""Dates as networks' exports and spreadsheets write them, read into real dates.

Exports write dates in many forms: ISO (``2025-07-08``, with a time or not),
LinkedIn's ``08 Jul 2025``, the same after a round trip through Excel
(``8-Jul-25``: ``D-Mon-YY``), English ``Jul 8, 2025``, localised month names
(``8 juil. 2025``, ``8. Juli 2025``, ``8 de julio de 2025``, ``8 luglio
2025``, ``8 de julho de 2025``) and epoch seconds or milliseconds.
:func:`parse_date` reads them all and returns ``None`` for anything else, so
no importer ever stores a date it could not read.

Two-digit years follow the POSIX ``strptime`` rule: 69-99 → 1969-1999,
00-68 → 2000-2068.  Numeric day/month orders (``08/07/2025``) are ambiguous
and read only when the day is over 12 or both parts agree.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

__all__ = ["MONTH_NAMES", "parse_date", "precision"]

#: Month names (without accents, lower case) of the languages exports use.
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ),
    "fr": (
        "janvier",
        "fevrier",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "aout",
        "septembre",
        "octobre",
        "novembre",
        "decembre",
    ),
    "de": (
        "januar",
        "februar",
        "marz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "it": (
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "marco",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
}
#: Abbreviations that are not prefixes of a full name.
_EXTRA = {"mrz": 3, "maerz": 3, "jaenner": 1, "janner": 1, "setiembre": 9, "sept": 9}
#: Words around dates that carry no meaning (``8 de julio de 2025``, ``1er``).
_FILLERS = {"de", "del", "di", "le", "am", "der", "the", "of", "er"}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[t ].*)?")
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
_TOKENS = re.compile(r"[a-z]+|\d+")
#: Epoch values read as dates: 1990-01-01 … 2100-01-01, in seconds or milliseconds.
_EPOCH_MIN, _EPOCH_MAX = 631_152_000, 4_102_444_800


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _month_table() -> dict[str, int]:
    """Every full name and every unambiguous prefix of 3+ letters → month number."""
    seen: dict[str, set[int]] = {}
    for names in MONTH_NAMES.values():
        for number, name in enumerate(names, 1):
            for end in range(3, len(name) + 1):
                seen.setdefault(name[:end], set()).add(number)
    table = {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}
    table.update(_EXTRA)
    return table


_MONTHS = _month_table()


def _year(text: str) -> int:
    value = int(text)
    if len(text) <= 2:
        return value + (1900 if value >= 69 else 2000)
    return value


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _epoch(text: str) -> date | None:
    value = int(text)
    if len(text) >= 12:
        value //= 1000
    if not _EPOCH_MIN <= value < _EPOCH_MAX:
        return None
    return datetime.fromtimestamp(value, UTC).date()


def _worded(text: str) -> date | None:
    """A date with a month name: day month year, or month day year."""
    tokens = [t for t in _TOKENS.findall(text) if t not in _FILLERS]
    months = [i for i, t in enumerate(tokens) if not t.isdigit()]
    if len(months) != 1 or len(tokens) != 3:
        return None
    at = months[0]
    month = _MONTHS.get(tokens[at])
    if month is None:
        return None
    if at == 2:  # "2025 juillet 8" is not a form anyone writes
        return None
    # 8 juillet 2025, 08-Jul-25 (at 1); Jul 8, 2025 (at 0)
    day, year = (t for t in tokens if t.isdigit())
    if len(day) > 2 or len(year) not in (2, 4):
        return None
    return _make(_year(year), month, int(day))


def parse_date(value: object) -> date | None:
    """The date ``value`` stands for, or ``None`` if it is not a date in a known form.

    ``value`` may be a string, an epoch ``int``/``float`` (seconds or
    milliseconds), a :class:`~datetime.date` or :class:`~datetime.datetime`
    (its UTC date).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(UTC)).date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return _epoch(str(int(value))) if value == value and abs(value) < 1e15 else None
    if not isinstance(value, str):
        return None
    text = _strip_accents(value.strip()).lower()
    if not text or len(text) > 64:
        return None
    found = _ISO.fullmatch(text)
    if found:
        if "t" in text[10:11] or " " in text[10:11]:
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                parsed = None
            if parsed is not None:
                return parse_date(parsed)
        return _make(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    found = _SLASHED.fullmatch(text)
    if found:
        return _make(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    if text.isdigit() and 9 <= len(text) <= 13:
        return _epoch(text)
    found = _NUMERIC.fullmatch(text)
    if found:
        a, b, year = int(found.group(1)), int(found.group(2)), _year(found.group(3))
        if a > 12 >= b or a == b:
            return _make(year, b, a)  # day first
        if b > 12 >= a:
            return _make(year, a, b)  # month first
        return None
    return _worded(text.replace(".", " ").replace(",", " "))


def precision(text: str) -> int:
    """How much a stored value says as a date: 3 = an ISO date and time
    (``2025-07-08T10:00:00+00:00``), 2 = an ISO date (``2025-07-08``), 1 =
    another form socialcrm can read (``27-Nov-24``), 0 = not a date (text kept
    by older versions, or no date at all).  An import's update never replaces
    a value with one of lower precision."""
    stripped = text.strip()
    if _ISO.fullmatch(stripped.lower()) and parse_date(stripped) is not None:
        return 3 if len(stripped) > 10 else 2
    return 1 if parse_date(stripped) is not None else 0
