"""Reading untrusted text files safely, and writing CSV that spreadsheets cannot abuse.

Every importer reads through :func:`open_bytes` / :func:`open_text` /
:func:`read_csv` so that the same hostile inputs give the same clear error: a
missing or unreadable file, a binary file, invalid UTF-8, a line over
:data:`LINE_LIMIT` bytes, a field over :data:`FIELD_LIMIT` characters.  Each
becomes an :class:`~socialcrm.errors.ImportFormatError` naming the file and the
row.  The standard :mod:`csv` field size limit is kept as a feature: it stops a
50 MB "field" before it reaches the store.  A file saved as UTF-16 or UTF-32
(Excel's "Unicode text", some address books) starts with a byte order mark:
it is read as such, re-encoded to UTF-8 on the fly.  A file that is not
UTF-8 (Excel's "CSV" on a French Windows: Windows-1252) is recognised by
``charset-normalizer`` from its first 64 KiB and re-encoded the same way.
The delimiter of a CSV file (``,``, ``;`` as Excel writes it where the
decimal separator is a comma, or a tab) is found from its first lines
(:func:`sniff_delimiter`).

Writing goes through :func:`neutralise` (OWASP "CSV injection"): a cell a
spreadsheet would evaluate as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import os_reason
from socialcrm.i18n import text as _
from socialcrm.interchange import name_key

__all__ = [
    "FIELD_LIMIT",
    "HEAD_SIZE",
    "LINE_LIMIT",
    "check_text",
    "head_rows",
    "header_key",
    "neutralise",
    "open_bytes",
    "open_text",
    "read_csv",
    "read_csv_dicts",
    "read_head",
    "sniff_delimiter",
]

#: Largest field accepted (characters): the standard csv module's default.
FIELD_LIMIT = 131_072
#: Longest physical line of a CSV file (bytes, in UTF-8): a line holds several
#: fields.  A longer one stops the import.
LINE_LIMIT = 2 * FIELD_LIMIT
#: Bytes read to detect a format.
HEAD_SIZE = 8192
#: Byte order marks of the UTF-16/32 encodings read (UTF-32 first: its LE mark
#: begins with UTF-16 LE's).
UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Numbers and phone numbers ("+33 6 12 34 56 78", "-12.5") hold no letters,
# so no function or cell reference: they are left readable.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 ().\-/]*")


def neutralise(value: str) -> str:
    """A cell value a spreadsheet shows as text instead of evaluating it."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _unreadable(path: Path, exc: OSError) -> ImportFormatError:
    reason = os_reason(exc, type(exc).__name__)
    return ImportFormatError(
        _("cannot read the file: {reason}").format(reason=reason),
        path=str(path),
        hint=_("check the path and its permissions"),
    )


class _ToUTF8(io.RawIOBase):
    """A UTF-16/32 file read as UTF-8 bytes, decoded and re-encoded chunk by chunk."""

    def __init__(self, raw: BinaryIO, path: Path, encoding: str, label: str) -> None:
        self.raw = raw
        self.path = path
        self.label = label
        self.decoder = codecs.getincrementaldecoder(encoding)("strict")
        self.pending = b""
        self.lines = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending and not self.done:
            chunk = self.raw.read(65536)
            self.done = not chunk
            try:
                text = self.decoder.decode(chunk, final=self.done)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(
                    _("invalid {label} text ({reason})").format(
                        label=self.label, reason=exc.reason
                    ),
                    path=str(self.path),
                    row=self.lines + 1,
                    hint=_("save the file as UTF-8"),
                ) from None
            self.pending = text.encode("utf-8", "surrogatepass")
            self.lines += self.pending.count(b"\n")
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        self.raw.close()
        super().close()


def open_bytes(path: Path) -> BinaryIO:
    """``path`` as a binary stream of UTF-8 (or other 8-bit) bytes, or a clear error.

    A file beginning with a UTF-16 or UTF-32 byte order mark is decoded and
    re-encoded to UTF-8 as it is read (the mark dropped); any other file is
    returned as it is (a UTF-8 BOM included).
    """
    try:
        raw = path.open("rb")
        start = raw.read(4)
        raw.seek(0)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    for bom, encoding, label in UNICODE_BOMS:
        if start.startswith(bom):
            raw.seek(len(bom))
            return io.BufferedReader(_ToUTF8(raw, path, encoding, label))
    try:
        head = raw.read(DETECT_SIZE)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise _unreadable(path, exc) from None
    legacy = _legacy_encoding(head)
    if legacy is not None:
        return io.BufferedReader(_ToUTF8(raw, path, legacy, legacy))
    return raw


#: Bytes looked at to tell a legacy encoding (Windows-1252…) from UTF-8.
DETECT_SIZE = 65_536
#: Encodings a text export may come in besides Unicode: Windows and ISO Western
#: European, and what charset-normalizer may name them.
LEGACY_ENCODINGS = {
    "cp1252": "cp1252",
    "windows_1252": "cp1252",
    "latin_1": "cp1252",  # cp1252 is a superset of Latin-1's printable characters
    "iso8859_15": "iso8859_15",
    "iso8859_1": "cp1252",
    "mac_roman": "mac_roman",
    "cp850": "cp850",
}


def _legacy_encoding(head: bytes) -> str | None:
    """The encoding of a text file that is not UTF-8, if it is one socialcrm reads.

    ``None`` for UTF-8 (or ASCII), for binary content (NUL bytes: refused by
    :func:`check_text`) and for anything charset-normalizer cannot place.
    """
    if not head or b"\x00" in head:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(head).best()
    found = LEGACY_ENCODINGS.get(best.encoding) if best is not None else None
    if found is None:
        try:  # the usual case in France: Windows-1252 without accents charset-normalizer knows
            head.decode("cp1252")
            found = "cp1252"
        except UnicodeDecodeError:
            return None
    return found


def sniff_delimiter(head: bytes) -> str:
    """The delimiter of a CSV file from its first lines: ``,``, ``;`` or a tab.

    The one that splits the most lines into the same number (> 1) of fields
    wins (a preamble line without delimiter is ignored, and so is a line of
    delimiters only: a spreadsheet's padding, no evidence); ``,`` when none
    does.  A one-column file whose cells hold ``;`` is read as ``;``-separated:
    such a file is ambiguous, and `;` files are the common case in France.
    """
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if len(head) >= HEAD_SIZE and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    best, score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts: dict[int, int] = {}
        try:
            for cells in csv.reader(lines, delimiter=delimiter):
                if len(cells) > 1 and any(cells):
                    counts[len(cells)] = counts.get(len(cells), 0) + 1
        except csv.Error:
            continue
        if counts:
            width, lines_of_width = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
            if (lines_of_width, width) > score:
                best, score = delimiter, (lines_of_width, width)
    return best


def head_rows(head: bytes, limit: int = 12) -> list[list[str]]:
    """The first rows of a CSV file's head, split with its own delimiter (for sniffers)."""
    delimiter = sniff_delimiter(head)
    text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    rows = []
    for line in text.splitlines()[:limit]:
        try:
            rows.append(next(csv.reader([line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            rows.append([])
    return rows


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """The first bytes of ``path`` (as UTF-8 for a UTF-16/32 file), for format detection."""
    try:
        with open_bytes(path) as fh:
            return fh.read(size)
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _looks_utf16(head: bytes) -> bool:
    """Whether ``head`` looks like UTF-16 text without a byte order mark (NUL every
    other byte)."""
    even, odd = head[0::2], head[1::2]
    return len(head) >= 4 and (even.count(0) > 0.8 * len(even) or odd.count(0) > 0.8 * len(odd))


def check_text(path: Path, head: bytes) -> None:
    """Refuse a file whose first bytes are not text (NUL bytes, invalid UTF-8)."""
    if b"\x00" in head:
        if _looks_utf16(head):
            raise ImportFormatError(
                _("this looks like UTF-16 text without a byte order mark"),
                path=str(path),
                row=1,
                hint=_("save the file as UTF-8 (or as UTF-16 with a BOM)"),
            )
        raise ImportFormatError(
            _("this is a binary file (it holds NUL bytes), not a text export"),
            path=str(path),
            row=1,
            hint=_("give the CSV/JSON/vCard file itself, not an archive or a document"),
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            _("not UTF-8 text (byte {position})").format(position=exc.start + 1),
            path=str(path),
            row=head[: exc.start].count(b"\n") + 1,
            hint=_("save the file as UTF-8"),
        ) from None


def _cr_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines of a file using old Mac line endings (``\\r`` only), each capped."""
    buffer = b""
    while True:
        chunk = stream.read(65536)
        buffer += chunk
        while True:
            end = buffer.find(b"\r")
            if end < 0 or end >= LINE_LIMIT:
                break
            yield buffer[: end + 1]
            buffer = buffer[end + 1 :]
        if len(buffer) >= LINE_LIMIT:
            yield buffer[:LINE_LIMIT]  # over-long: the reader refuses it
            return
        if not chunk:
            if buffer:
                yield buffer
            return


class _LineCounter:
    """Decodes raw lines one by one, counting them: exact rows for every error."""

    def __init__(self, path: Path, raw_lines: Iterator[bytes]) -> None:
        self.path = path
        self.raw_lines = raw_lines
        self.lines = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = next(self.raw_lines)  # StopIteration ends the file
        if not raw.endswith((b"\n", b"\r")) and len(raw) >= LINE_LIMIT:
            # the reader stopped at the size cap: a line longer than any sane export.
            raise ImportFormatError(
                _("a line is longer than {limit:,} bytes").format(limit=LINE_LIMIT),
                path=str(self.path),
                row=self.lines + 1,
                hint=_("this does not look like an export file"),
            )
        if self.lines == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        self.lines += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                _("invalid UTF-8 ({reason})").format(reason=exc.reason),
                path=str(self.path),
                row=self.lines,
                hint=_("save the file as UTF-8"),
            ) from None


def open_text(path: Path) -> TextIO:
    """Open ``path`` as UTF-8 text (a leading BOM dropped; UTF-16/32 with a BOM
    re-encoded), with a clear error."""
    return io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", errors="strict", newline="")


def read_csv(path: Path, *, delimiter: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Stream ``(line_number, cells)`` of a CSV file; ``line_number`` is where the row starts.

    ``delimiter``: found from the first lines when not given (:func:`sniff_delimiter`).
    Raises :class:`ImportFormatError` (with the row) on invalid UTF-8, an
    over-long field or a malformed row.  LF, CRLF and old Mac (CR only) line
    endings are read.
    """
    head = read_head(path)
    check_text(path, head)
    mac = b"\r" in head and b"\n" not in head  # old Mac line endings (CR only)
    if delimiter is None:
        delimiter = sniff_delimiter(head)
    with open_bytes(path) as stream:
        raw_lines = _cr_lines(stream) if mac else iter(lambda: stream.readline(LINE_LIMIT), b"")
        counter = _LineCounter(path, raw_lines)
        reader = csv.reader(counter, delimiter=delimiter, strict=False)
        while True:
            start = counter.lines + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                limit = "field limit" in str(exc)
                raise ImportFormatError(
                    _("malformed CSV: {exc}").format(exc=exc),
                    path=str(path),
                    row=start,
                    hint=_("fields are limited to {limit:,} characters").format(
                        limit=csv.field_size_limit()
                    )
                    if limit
                    else _("check the quotes around this row's fields"),
                ) from None
            yield start, cells


def header_key(cell: str) -> str:
    """A header cell compared loosely: case-folded, spaces and ``_``/``-`` collapsed."""
    return name_key(cell)


def read_csv_dicts(
    path: Path,
    is_header: Callable[[list[str]], bool],
    *,
    expected: str,
    max_preamble: int = 20,
) -> Iterator[tuple[int, dict[str, str] | None]]:
    """Stream ``(row, {header: cell})`` after the header row found *by content*.

    Lines before the header (a preamble such as LinkedIn's ``Notes:``) are
    passed over, up to ``max_preamble`` lines.  A blank line (or one padded
    with commas by a spreadsheet) is yielded as ``(row, None)``.  Missing
    trailing cells are read as empty strings; surplus cells are dropped.
    """
    rows = read_csv(path)
    header: list[str] | None = None
    for line, cells in rows:
        if is_header(cells):
            header = [c.strip() for c in cells]
            break
        if line > max_preamble:
            break
    if header is None:
        raise ImportFormatError(
            _("no header row found (expected {expected})").format(expected=expected),
            path=str(path),
            hint=_("is this the right file, or the right --format?"),
        )
    width = len(header)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            yield line, None
            continue
        cells = cells[:width] + [""] * (width - len(cells))
        yield line, dict(zip(header, cells, strict=True))
