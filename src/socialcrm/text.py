"""Which characters text may hold, and what happens to the others.

Names, notes and messages come from social-network exports and from people
typing: hostile input.  A terminal obeys control characters (ESC starts a
sequence that can retitle the window, rewrite the screen or, with OSC 52,
write the clipboard) and a bidirectional override makes ``exe.txt`` read as
``txt.exe``.  So these code points are **unsafe** in stored text:

* C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F);
* bidirectional embeddings and overrides (U+202A–U+202E) and isolates
  (U+2066–U+2069);
* lone surrogates (U+D800–U+DFFF): undecodable bytes of a file name or an
  argument (Python's ``surrogateescape``), which no encoder can write.

A multi-line text (a note, a message, a point of interest) may hold line
breaks (``\\n``) and tabs; a one-line field (a name, a tag, a URL…) may not.
Marks that legitimately shape names (LRM/RLM U+200E/U+200F, ZWJ U+200D) are
kept.

Three uses, one definition:

* :func:`check` — typed input (the CRM facade): refused with a
  :class:`~socialcrm.errors.ValidationError` naming the field, the code point
  and its position;
* :func:`clean` — data from files and plugins (the models' converters): the
  unsafe characters are removed (a line break in a one-line field becomes a
  space);
* :func:`escape` — output: each unsafe character shown as ``\\x1b`` or
  ``\\u202e``, never sent raw (a store written by an older socialcrm may
  still hold them).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from socialcrm.i18n import text as _

__all__ = ["check", "check_fields", "clean", "escape", "first_unsafe", "is_safe"]

_BIDI = "\u202a-\u202e\u2066-\u2069"
_SURROGATES = "\ud800-\udfff"
_PATTERNS = {
    # unsafe in a one-line field: every control character, DEL, bidi controls, surrogates
    "line": f"[\x00-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]",
    # unsafe in a multi-line text: the same but the tab and the line feed
    "text": f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]",
    # shown escaped on output: as in a multi-line text, but a CR ending a line is layout
    "display": f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SURROGATES}]",
}


@cache
def _pattern(name: str) -> re.Pattern[str]:
    """Compiled on first use: most runs meet only text the fast paths accept (~2 ms saved)."""
    return re.compile(_PATTERNS[name])


#: Controls a one-line field turns into a space (they separate words); others go.
_SPACES = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85")


def is_safe(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds no unsafe character (for a multi-line text if ``multiline``)."""
    if not multiline and text.isascii() and text.isprintable():
        return True  # fast path: most names, tags and URLs
    return _pattern("text" if multiline else "line").search(text) is None


def first_unsafe(text: str, *, multiline: bool = False) -> int | None:
    """The index of the first unsafe character of ``text``, or None."""
    if is_safe(text, multiline=multiline):
        return None
    found = _pattern("text" if multiline else "line").search(text)
    return None if found is None else found.start()


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if char == "\n":
        return f"a line break ({code})"
    if char == "\r":
        return f"a carriage return ({code})"
    if char == "\t":
        return f"a tab ({code})"
    if "\u202a" <= char <= "\u202e":
        return f"a bidirectional override ({code})"
    if "\u2066" <= char <= "\u2069":
        return f"a bidirectional isolate ({code})"
    if "\ud800" <= char <= "\udfff":
        return f"an undecodable byte ({code})"
    return f"the control character {code}"


def check(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` if it holds no unsafe character, else a ValidationError naming ``field``.

    A multi-line text may end its lines with CRLF (text pasted from Windows):
    they are returned as LF.  Any other CR is refused, as it lets text
    overwrite its own line on a terminal.
    """
    if multiline and "\r\n" in value:
        value = value.replace("\r\n", "\n")
    at = first_unsafe(value, multiline=multiline)
    if at is None:
        return value
    from socialcrm.errors import ValidationError

    if multiline:
        hint = "line breaks and tabs are fine; other control characters and bidi overrides are not"
    else:
        hint = "one line of text: no control characters, line breaks, tabs or bidi overrides"
    raise ValidationError(
        _("{field} contains {character} at position {position}").format(
            field=field, character=_describe(value[at]), position=at + 1
        ),
        field=field,
        value=value,
        hint=hint,
    )


def check_fields(values: Mapping[str, Any], *, multiline: Collection[str] = ()) -> None:
    """:func:`check` each text in ``values`` (field name → text, list, mapping, or None).

    Lists are checked item by item, mappings key and value (the key as one
    line); anything that is not text (a number, a date) is left alone.
    Fields named in ``multiline`` are multi-line texts.
    """
    for field, value in values.items():
        _check_any(value, field, field in multiline)


def _check_any(value: Any, field: str, multiline: bool) -> None:
    if isinstance(value, str):
        check(value, field, multiline=multiline)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                check(key, f"{field} key", multiline=False)
            _check_any(item, f"{field}.{key}", multiline)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_any(item, field, multiline)


def _spaced(found: re.Match[str]) -> str:
    return " " if found.group() in _SPACES else ""


def clean(value: str, *, multiline: bool = False) -> str:
    """``value`` without its unsafe characters (idempotent; safe text is returned as is).

    In a one-line field a line break, tab or other separating control
    becomes a space; in a multi-line text CRLF and a lone CR become LF and
    tabs stay.
    """
    if is_safe(value, multiline=multiline):
        return value
    if multiline:
        return _pattern("text").sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _pattern("line").sub(_spaced, value)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` for a terminal: each unsafe character written as ``\\x1b`` or ``\\u202e``.

    Layout stays: line feeds, tabs and a CR ending a line (CRLF) are kept.
    Safe text is returned unchanged.
    """
    if text.isascii() and text.isprintable():
        return text
    return _pattern("display").sub(_escaped, text)
