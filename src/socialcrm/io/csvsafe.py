"""Reading untrusted text files safely, and writing CSV that spreadsheets cannot abuse.

Every importer reads through :func:`open_text` / :func:`read_csv` so that the
same hostile inputs give the same clear error: a missing or unreadable file, a
binary file, invalid UTF-8, a field over :data:`FIELD_LIMIT` characters.  Each
becomes an :class:`~socialcrm.errors.ImportFormatError` naming the file and the
row.  The standard :mod:`csv` field size limit is kept as a feature: it stops a
50 MB "field" before it reaches the store.

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
from typing import BinaryIO, TextIO

from socialcrm.errors import ImportFormatError

__all__ = [
    "FIELD_LIMIT",
    "HEAD_SIZE",
    "check_text",
    "header_key",
    "neutralise",
    "open_text",
    "read_csv",
    "read_csv_dicts",
    "read_head",
]

#: Largest field accepted (characters): the standard csv module's default.
FIELD_LIMIT = 131_072
#: Bytes read to detect a format.
HEAD_SIZE = 8192

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
    reason = exc.strerror or type(exc).__name__
    return ImportFormatError(
        f"cannot read the file: {reason}",
        path=str(path),
        hint="check the path and its permissions",
    )


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """The first bytes of ``path`` (for format detection), or a clear error."""
    try:
        with path.open("rb") as fh:
            return fh.read(size)
    except OSError as exc:
        raise _unreadable(path, exc) from None


def check_text(path: Path, head: bytes) -> None:
    """Refuse a file whose first bytes are not text (NUL bytes, invalid UTF-8)."""
    if b"\x00" in head:
        raise ImportFormatError(
            "this is a binary file, not a text export",
            path=str(path),
            row=1,
            hint="give the CSV/JSON/vCard file itself, not an archive or a document",
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"not UTF-8 text (byte {exc.start + 1})",
            path=str(path),
            row=head[: exc.start].count(b"\n") + 1,
            hint="save the file as UTF-8",
        ) from None


_LINE_CAP = FIELD_LIMIT * 2


def _cr_lines(stream: BinaryIO) -> Iterator[bytes]:
    """Lines of a file using old Mac line endings (``\\r`` only), each capped."""
    buffer = b""
    while True:
        chunk = stream.read(65536)
        buffer += chunk
        while True:
            end = buffer.find(b"\r")
            if end < 0 or end >= _LINE_CAP:
                break
            yield buffer[: end + 1]
            buffer = buffer[end + 1 :]
        if len(buffer) >= _LINE_CAP:
            yield buffer[:_LINE_CAP]  # over-long: the reader refuses it
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
        if not raw.endswith((b"\n", b"\r")) and len(raw) >= _LINE_CAP:
            # the reader stopped at the size cap: a line longer than any sane export.
            raise ImportFormatError(
                f"a line is longer than {_LINE_CAP} characters",
                path=str(self.path),
                row=self.lines + 1,
                hint="this does not look like an export file",
            )
        if self.lines == 0:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        self.lines += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"invalid UTF-8 ({exc.reason})",
                path=str(self.path),
                row=self.lines,
                hint="save the file as UTF-8",
            ) from None


def open_text(path: Path) -> TextIO:
    """Open ``path`` as UTF-8 text (a leading BOM dropped), with a clear error."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def read_csv(path: Path, *, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Stream ``(line_number, cells)`` of a CSV file; ``line_number`` is where the row starts.

    Raises :class:`ImportFormatError` (with the row) on invalid UTF-8, an
    over-long field or a malformed row.  LF, CRLF and old Mac (CR only) line
    endings are read.
    """
    head = read_head(path)
    check_text(path, head)
    mac = b"\r" in head and b"\n" not in head  # old Mac line endings (CR only)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise _unreadable(path, exc) from None
    with stream:
        raw_lines = _cr_lines(stream) if mac else iter(lambda: stream.readline(_LINE_CAP), b"")
        counter = _LineCounter(path, raw_lines)
        reader = csv.reader(counter, delimiter=delimiter, strict=False)
        while True:
            start = counter.lines + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFormatError(
                    f"malformed CSV: {exc}",
                    path=str(path),
                    row=start,
                    hint=f"fields are limited to {csv.field_size_limit()} characters",
                ) from None
            yield start, cells


def header_key(cell: str) -> str:
    """A header cell compared loosely: case-folded, spaces and ``_``/``-`` collapsed."""
    return " ".join(cell.replace("_", " ").replace("-", " ").split()).casefold()


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
            f"no header row found (expected {expected})",
            path=str(path),
            hint="is this the right file, or the right --format?",
        )
    width = len(header)
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            yield line, None
            continue
        cells = cells[:width] + [""] * (width - len(cells))
        yield line, dict(zip(header, cells, strict=True))
