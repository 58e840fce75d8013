"""Reading the elements of a large JSON array one at a time.

Network exports are one big JSON array (X's ``follower.js``, Instagram's
``followers_1.json``) or an object holding one (Facebook's
``{"friends_v2": [...]}``).  Parsed whole, a document takes about 8 times its
size in memory, so :func:`array_elements` cuts the array into its elements
instead — tracking strings, escapes and brackets — and parses each element
on its own with orjson.  Memory holds one element (at most
:data:`MAX_ELEMENT_BYTES`) whatever the file's size.

Errors are :class:`~socialcrm.errors.ImportFormatError` naming the file and
the line.  Elements are handed out as they are read: an error further on
stops the import, and the import engine then writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import text as _
from socialcrm.io.csvsafe import check_text, open_bytes, read_head

__all__ = ["MAX_ELEMENT_BYTES", "array_elements"]

#: Largest element of an array (bytes): one follower, one friend, one X
#: conversation with all its messages.
MAX_ELEMENT_BYTES = 8 * 1024 * 1024
_CHUNK = 1024 * 1024
# bytes that can change the scanner's state: string quotes, escapes, brackets, commas
_SIGNIFICANT = re.compile(rb'["\\\[\]{},]')
#: Deepest nesting of brackets read (orjson's own limit).
MAX_DEPTH = 1024
_OPENERS = {ord("["), ord("{")}
_CLOSERS = {ord("]"), ord("}")}


class _Prepended:
    """``stream`` with ``first`` (bytes already read from it) put back in front."""

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        self.first = first
        self.stream = stream

    def read(self, size: int) -> bytes:
        if self.first:
            out, self.first = self.first[:size], self.first[size:]
            return out
        return self.stream.read(size)


class _Scanner:
    """Cuts the elements of an array out of ``stream``, which starts just after its ``[``."""

    def __init__(self, path: Path, stream: _Prepended, line: int) -> None:
        self.path = path
        self.stream = stream
        self.line = line  # the line the bytes not handed out yet begin on
        self.tail = b""  # what follows the closing "]" in the last chunk read

    def error(self, message: str) -> ImportFormatError:
        """The import error ``message`` (a whole translated sentence) at the current line."""
        return ImportFormatError(message, path=str(self.path), row=self.line)

    def _error_at(self, element: bytearray, more: bytes, message: str) -> ImportFormatError:
        self.line += element.count(b"\n") + more.count(b"\n")
        return self.error(message)

    def _cut(self, element: bytearray) -> tuple[int, bytes] | None:
        """``(line, bytes)`` of an element's text (``None`` if blank); lines counted."""
        text = element.strip()
        lead = len(element) - len(element.lstrip())
        found = (self.line + element[:lead].count(b"\n"), bytes(text)) if text else None
        self.line += element.count(b"\n")
        return found

    def elements(self) -> Iterator[tuple[int, bytes]]:
        """``(line, bytes)`` of each element, up to the closing ``]``."""
        in_string, skip_to = False, 0
        stack = bytearray()  # the closers expected, innermost last
        element = bytearray()
        after_comma = False
        while True:
            chunk = self.stream.read(_CHUNK)
            if not chunk:
                lead = len(element) - len(element.lstrip())
                self.line += element[:lead].count(b"\n")
                raise self.error(_("invalid JSON: the file ends inside the array"))
            start = 0
            for found in _SIGNIFICANT.finditer(chunk, skip_to):
                at = found.start()
                if at < skip_to:
                    continue  # the byte after a backslash
                byte = chunk[at]
                if in_string:
                    if byte == 0x5C:  # backslash: the next byte is escaped
                        skip_to = at + 2
                    elif byte == 0x22:
                        in_string = False
                    continue
                if byte == 0x22:
                    in_string = True
                elif byte in _OPENERS:
                    stack.append(byte + 2)  # "[" -> "]", "{" -> "}"
                    if len(stack) > MAX_DEPTH:
                        raise self._error_at(
                            element, chunk[start:at], _("invalid JSON: nested too deep")
                        )
                elif stack and byte == stack[-1]:
                    stack.pop()
                elif byte in _CLOSERS and (stack or byte == 0x7D):
                    raise self._error_at(
                        element,
                        chunk[start:at],
                        _("invalid JSON: unexpected {char!r}").format(char=chr(byte)),
                    )
                elif not stack:  # "," between elements, or the closing "]"
                    element += chunk[start:at]
                    cut = self._cut(element)
                    element.clear()
                    start = at + 1
                    if cut is None and (byte == 0x2C or after_comma):
                        raise self.error(
                            _("invalid JSON: an empty element (two commas, or a comma before ']')")
                        )
                    if cut is not None:
                        yield cut
                    after_comma = byte == 0x2C
                    if byte == 0x5D:
                        self.tail = chunk[start:]
                        return
            skip_to = max(0, skip_to - len(chunk))
            element += chunk[start:]
            if len(element) > MAX_ELEMENT_BYTES:
                raise ImportFormatError(
                    _("an element of the array is over {limit:,} bytes").format(
                        limit=MAX_ELEMENT_BYTES
                    ),
                    path=str(self.path),
                    row=self.line,
                    hint=_("this does not look like a network's export"),
                )


def array_elements(
    path: Path,
    opening: re.Pattern[bytes],
    closing: re.Pattern[bytes],
    *,
    expected: str | None = None,
) -> Iterator[tuple[int, Any]]:
    """``(line, parsed element)`` of the array opened by ``opening`` (a pattern
    matched at the start of the file, up to and including the ``[``), checking
    that what follows its ``]`` matches ``closing``.  ``expected`` says what the
    file should begin with, for the error when it does not (a translated phrase;
    by default, a JSON array).
    """
    import orjson

    check_text(path, read_head(path))
    with open_bytes(path) as raw:
        head = raw.read(65536).removeprefix(b"\xef\xbb\xbf")
        found = opening.match(head)
        if found is None:
            message = (
                _("expected a JSON array")
                if expected is None
                else _("expected {expected}").format(expected=expected)
            )
            raise ImportFormatError(message, path=str(path), row=1)
        line = head[: found.end()].count(b"\n") + 1
        scanner = _Scanner(path, _Prepended(head[found.end() :], raw), line)
        for at, element in scanner.elements():
            try:
                yield at, orjson.loads(element)
            except orjson.JSONDecodeError as exc:
                where = getattr(exc, "lineno", 1)
                raise ImportFormatError(
                    _("invalid JSON: {detail}").format(detail=getattr(exc, "msg", exc)),
                    path=str(path),
                    row=at + (where - 1 if isinstance(where, int) and where > 0 else 0),
                ) from None
        tail = scanner.tail + raw.read(65536)
        if not closing.fullmatch(tail):
            raise ImportFormatError(
                _("invalid JSON: unexpected content after the array"),
                path=str(path),
                row=scanner.line,
            )
