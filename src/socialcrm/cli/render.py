"""Everything a command prints on standard output goes through here.

Three output forms, chosen by ``--format``:

* ``table`` — a rich table with colour on a terminal; plain aligned text
  (no colour, no box drawing, nothing truncated) when piped or with
  ``NO_COLOR``, so ``grep``/``awk`` see stable lines;
* ``json`` — the documented, stable shape (docs/cli.md,
  :mod:`socialcrm.cli.records`), printed with plain ``typer.echo`` (rich
  would treat ``[...]`` as markup and wrap lines);
* ``csv`` — one header row, cells that a spreadsheet would run as a formula
  neutralised with a leading apostrophe.

Names, notes and file names come from hostile exports, and a store written by
an older socialcrm may hold control characters: nothing from the data reaches
a terminal raw.  Text (tables, records, confirmations, :func:`echo`) shows each
unsafe character escaped (``\\x1b``, ``\\u202e``: :func:`socialcrm.text.escape`);
JSON writes them as ``\\uXXXX`` escapes (the same data once parsed); CSV is
escaped only on a terminal (a pipe or a file gets the cells as stored).  Text
never goes through rich markup.  Standard error is :mod:`socialcrm.cli.errors`'s.

An :class:`OSError` while writing standard output names it (:data:`STDOUT`),
so the CLI reports a full disk or a closed pipe as an output problem, not as a
store problem.
"""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TextIO, cast

import typer

from socialcrm.cards import Card
from socialcrm.cli import localised
from socialcrm.cli.errors import STDOUT
from socialcrm.cli.localised import STAGE_COLORS
from socialcrm.cli.records import (
    PROSPECT_COLUMNS,
    board_record,
    describe_event,
    event_record,
    pipeline_record,
    prospect_record,
    prospect_row,
    stage_label,
)
from socialcrm.i18n import gettext as _
from socialcrm.text import escape

if TYPE_CHECKING:
    from rich.console import Console

    from socialcrm.models import Prospect


class Output(Protocol):
    """What rendering needs from the CLI's state (a :class:`~socialcrm.cli.context.CLIState`).

    A protocol, so the state (which prints its status lines here) and this module
    do not import each other.
    """

    @property
    def output_format(self) -> str: ...
    @property
    def is_terminal(self) -> bool: ...
    @property
    def console(self) -> Console: ...
    @property
    def err_console(self) -> Console: ...
    def info(self, message: str) -> None: ...


__all__ = [
    "PROSPECT_COLUMNS",
    "STDOUT",
    "board_record",
    "describe_event",
    "dumps_json",
    "echo",
    "emit_cards",
    "emit_csv",
    "emit_fields",
    "emit_json",
    "emit_json_list",
    "emit_one",
    "emit_table",
    "event_record",
    "json_safe",
    "markup_safe",
    "neutralise",
    "ok",
    "pipeline_record",
    "prospect_record",
    "prospect_row",
    "stage_label",
    "status",
    "stdout_text",
    "to_file",
    "to_stdout",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# -- standard output ------------------------------------------------------------------


@contextmanager
def to_stdout() -> Iterator[None]:
    """Around a write to standard output: an OSError without a file name gets :data:`STDOUT`."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = STDOUT
        raise


@contextmanager
def to_file(path: Path) -> Iterator[None]:
    """Around writing a file the user named (``--out``): an OSError without a file name
    gets ``path`` (exit 4, not a store problem)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise


def echo(text: str = "", *, nl: bool = True, fg: str | None = None) -> None:
    """Print text on standard output, unsafe characters escaped (``fg``: a colour)."""
    with to_stdout():
        if fg:
            typer.secho(escape(text), nl=nl, fg=fg)
        else:
            typer.echo(escape(text), nl=nl)


def markup_safe(text: str) -> str:
    """``text`` escaped for the terminal and for rich markup (progress labels, status lines)."""
    from rich.markup import escape as markup_escape

    return markup_escape(escape(text))


def status(state: Output, message: str) -> None:
    """A dim status line on the terminal's stderr (:meth:`Output.info` decides when)."""
    from rich.text import Text

    state.err_console.print(Text(escape(message), style="dim"))


def ok(state: Output, message: str) -> None:
    """Confirm a change: a green tick on a terminal, the plain message otherwise."""
    if not state.is_terminal:
        echo(message)
        return
    from rich.text import Text

    with to_stdout():
        state.console.print(Text.assemble(("✓", "green"), " ", escape(message)))


def emit_fields(state: Output, title: str, fields: Sequence[tuple[str, str]]) -> None:
    """A record as ``label  value`` lines under a bold title (``show``)."""
    shown = [(escape(label), escape(value)) for label, value in fields]
    width = max((len(label) for label, _ in shown), default=0)
    if not state.is_terminal:
        echo(title)
        for label, value in shown:
            echo(f"  {label.ljust(width)}  {value}")
        return
    from rich.text import Text

    with to_stdout():
        state.console.print(Text(escape(title), style="bold"))
        for label, value in shown:
            state.console.print(Text.assemble("  ", (label.ljust(width), "dim"), "  ", value))


class _TerminalText:
    """A text stream on a terminal that escapes what is written to it (exports).

    A CR at the end of a write is held back: with the LF the next write may
    start with, it is a line end (CSV's CRLF), not a character to show.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._cr = False

    def write(self, text: str) -> int:
        size = len(text)
        if self._cr:
            text, self._cr = "\r" + text, False
        if text.endswith("\r"):
            text, self._cr = text[:-1], True
        self._stream.write(escape(text))
        return size

    def flush(self) -> None:
        if self._cr:
            self._stream.write(escape("\r"))
            self._cr = False
        self._stream.flush()


def stdout_text() -> TextIO:
    """Standard output for a writer of whole documents (``export``): escaped on a terminal."""
    if sys.stdout.isatty():
        return cast(TextIO, _TerminalText(sys.stdout))
    return sys.stdout


# -- low-level emitters ---------------------------------------------------------------


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept, stable key order) on stdout.

    Written as UTF-8 bytes (JSON's encoding, RFC 8259): a 6,000-prospect list
    is 5.5 MB, and decoding orjson's bytes to text only for the stream to
    encode them back cost ~10 ms.  Control characters, bidi overrides and
    surrogates are ``\\uXXXX`` escapes (:func:`json_safe`).
    """
    with to_stdout():
        typer.echo(json_safe(_json_bytes(data)))


def dumps_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, the same text, ~10x faster."""
    return _json_bytes(data).decode("utf-8", "surrogatepass")


#: UTF-8 of what JSON may hold raw but a terminal must not see: DEL, C1 controls,
#: bidi overrides and isolates, surrogates (written by the fallback encoder).
_JSON_UNSAFE = re.compile(
    rb"\x7f|\xc2[\x80-\x9f]|\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])|\xed[\xa0-\xbf][\x80-\xbf]"
)


def _unsafe_at(text: bytes, at: int) -> bool:
    lead, end = text[at], len(text)
    second = text[at + 1] if at + 1 < end else 0
    if lead == 0x7F:
        return True
    if lead == 0xC2:
        return 0x80 <= second <= 0x9F
    if lead == 0xED:
        return 0xA0 <= second <= 0xBF
    third = text[at + 2] if at + 2 < end else 0
    return (second == 0x80 and 0xAA <= third <= 0xAE) or (second == 0x81 and 0xA6 <= third <= 0xA9)


def _json_unsafe(found: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(found.group().decode("utf-8", "surrogatepass"))


def json_safe(text: bytes) -> bytes:
    """JSON ``text`` (UTF-8) with DEL, C1 controls, bidi controls and surrogates as
    ``\\uXXXX`` escapes: they only occur inside strings, so the document parses to
    the same data (JSON encoders already escape C0 controls).

    Looking for their lead bytes with ``bytes.find`` costs ~1 ms on a 5 MB list
    (a regex over the whole text, ~25 ms); the regex rewrites a text only when
    one was found.
    """
    for lead in (b"\x7f", b"\xc2", b"\xe2", b"\xed"):
        at = text.find(lead)
        while at >= 0:
            if _unsafe_at(text, at):
                return _JSON_UNSAFE.sub(_json_unsafe, text)
            at = text.find(lead, at + 1)
    return text


def _json_bytes(data: Any, *, floats: Iterable[float] | None = None) -> bytes:
    """:func:`dumps_json` as UTF-8 bytes.

    The standard library's encoder is pure Python once ``indent`` is given
    (230 ms for a 6,000-prospect list); orjson writes the same bytes for our
    records.  The standard library still writes what orjson would write
    differently: floats below 1e-4 (``1e-05`` and ``6e-08``; orjson
    ``0.00001`` and ``6e-8``) and anything orjson refuses (integers beyond 64
    bits, non-string keys).  Whether there is such a float is read from
    ``floats`` when the caller gives every float of ``data``, else from the
    text (a string that merely looks like such a float then takes the slow
    path too, with the same result; the scan costs ~14 ms on a 5.5 MB list).
    """
    import orjson

    try:
        text = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):
        text = None
    if floats is None:
        small = text is not None and _may_hold_small_float(text)
    else:
        small = any(f != 0 and abs(f) < 1e-4 for f in floats)
    if text is None or small:
        encoded = json.dumps(data, ensure_ascii=False, indent=2, default=_isoformat)
        return encoded.encode("utf-8", "surrogatepass")
    return text


def _isoformat(value: Any) -> str:
    """The standard library's fallback for the datetimes orjson writes itself."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_DIGITS = frozenset(b"0123456789")


def _may_hold_small_float(text: bytes) -> bool:
    """Whether orjson may have written a float below 1e-4 (``0.00001``, ``6e-8``).

    Two substring scans (~10 ms on a 5 MB list; a regex takes ~80 ms).
    """
    if b"0.0000" in text:
        return True
    at = text.find(b"e-")
    while at > 0:
        if text[at - 1] in _DIGITS:
            return True
        at = text.find(b"e-", at + 2)
    return False


def neutralise(value: Any) -> str:
    """A CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def emit_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a CSV document (header row first, CRLF line ends as RFC 4180) on stdout.

    Cells are as stored, but on a terminal, where unsafe characters are escaped.
    """
    import csv  # here: most runs print a table or JSON

    shown = escape if sys.stdout.isatty() else str
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; quotes cells with CR or LF
    writer.writerow([shown(neutralise(h)) for h in headers])
    for row in rows:
        writer.writerow([shown(neutralise(cell)) for cell in row])
    # color=True: click otherwise strips ANSI escape sequences from text written
    # to a pipe, which silently changed cells holding them (JSON escapes them)
    with to_stdout():
        typer.echo(buffer.getvalue(), nl=False, color=True)


def _cell(value: Any) -> str:
    if type(value) is str:  # nearly every cell (a list's 36,000 cells at 30,000 prospects)
        return escape(value)
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def emit_rich(state: Output, *renderables: Any) -> None:
    """Rich renderables built from escaped text (the reports' terminal charts)."""
    with to_stdout():
        state.console.print(*renderables)


def emit_table(
    state: Output,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    styles: Mapping[int, str] | None = None,
) -> None:
    """A rich table on a terminal; plain aligned columns otherwise (cells escaped)."""
    cells = [[_cell(v) for v in row] for row in rows]
    if state.is_terminal:
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=Text(escape(title)) if title else None,
            header_style="bold",
            title_justify="left",
        )
        for header in headers:
            table.add_column(header)
        for row in cells:
            styled = []
            for i, value in enumerate(row):
                style = (styles or {}).get(i)
                if style == "stage":
                    style = localised.stage_colour(value, STAGE_COLORS)
                styled.append(Text(value, style=style or ""))
            table.add_row(*styled)
        with to_stdout():
            state.console.print(table)
        return
    if title:
        echo(title)
    from socialcrm.cli.plain import aligned

    with to_stdout():
        for text in aligned(headers, cells):
            typer.echo(text, nl=False)


# -- prospects ------------------------------------------------------------------------


def emit_json_list(pieces: Iterable[bytes]) -> None:
    """Print a JSON list given as pieces of its elements' text (each piece one or
    more indented elements, already escaped by :func:`json_safe`), written as they
    come: ``[``, the pieces joined by a comma and newline, ``]``."""
    with to_stdout():
        typer.echo(b"[\n", nl=False)
        for n, piece in enumerate(pieces):
            typer.echo((b",\n" if n else b"") + piece, nl=False)
        typer.echo(b"\n]")


def emit_cards(state: Output, cards: Sequence[Card]) -> None:
    """The prospect table: id, name, stage, company, networks, tags."""
    rows = [
        [
            c.id,
            _("{name} (organisation)").format(name=c.name) if c.organisation else c.name,
            localised.stage_label(c),
            c.company or "",
            " ".join(c.networks),
            " ".join(c.tags),
        ]
        for c in cards
    ]
    emit_table(
        state,
        [_("ID"), _("NAME"), _("STAGE"), _("COMPANY"), _("NETWORKS"), _("TAGS")],
        rows,
        styles={2: "stage"},
    )
    if not cards:
        state.info(_("no prospects match"))


def emit_one(state: Output, p: Prospect, message: str) -> None:
    """The result of a change: ``message`` as a line of text, or the record in json/csv."""
    if state.output_format == "json":
        emit_json(prospect_record(p))
    elif state.output_format == "csv":
        emit_csv(PROSPECT_COLUMNS, [prospect_row(p)])
    else:
        ok(state, message)
