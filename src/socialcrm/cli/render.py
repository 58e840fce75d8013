"""Shared renderers: the JSON shape of records, CSV for spreadsheets, tables.

Three output forms, chosen by ``--format``:

* ``table`` — a rich table with colour on a terminal; plain aligned text
  (no colour, no box drawing, nothing truncated) when piped or with
  ``NO_COLOR``, so ``grep``/``awk`` see stable lines;
* ``json`` — the documented, stable shape (docs/cli.md), printed with plain
  ``typer.echo`` (rich would treat ``[...]`` as markup and wrap lines);
* ``csv`` — one header row, cells that a spreadsheet would run as a formula
  neutralised with a leading apostrophe.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.crm import Board
    from socialcrm.models import Event, Pipeline, Prospect

__all__ = [
    "PROSPECT_COLUMNS",
    "board_record",
    "describe_event",
    "dumps_json",
    "emit",
    "emit_csv",
    "emit_json",
    "emit_json_records",
    "emit_one",
    "emit_table",
    "event_record",
    "neutralise",
    "pipeline_record",
    "prospect_record",
    "prospect_row",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

STAGE_COLORS = {
    "profile": "bright_black",
    "identify": "cyan",
    "notoriety": "blue",
    "contact": "magenta",
    "convert": "yellow",
    "won": "green",
    "lost": "red",
}


# -- JSON shapes ----------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def record_floats(prospects: Iterable[Prospect]) -> list[float]:
    """Every float in the :func:`prospect_record` of ``prospects``: assessment scores and
    thresholds (a test checks this against generated records)."""
    return [
        number
        for p in prospects
        if p.assessment is not None
        for number in (p.assessment.score, p.assessment.threshold)
        if number is not None
    ]


def prospect_record(p: Prospect) -> dict[str, Any]:
    """The stable JSON form of a prospect (documented in docs/cli.md).

    Enum values are read as ``_value_``: the ``value`` property costs ~3x
    more, which shows when listing thousands of prospects.
    """
    return _record(p, _iso)


def _as_is(value: datetime | None) -> datetime | None:
    return value


def _record(p: Prospect, when: Callable[[datetime | None], Any]) -> dict[str, Any]:
    """:func:`prospect_record` with each timestamp given to ``when``.

    :func:`emit_json_records` keeps the datetimes (``_as_is``): orjson writes a
    UTC datetime exactly as ``isoformat()`` does, in C, where the 12,000
    ``isoformat()`` calls of a 6,000-prospect list were a third of building its
    records.  A test checks the bytes against the standard library's text of
    :func:`prospect_record`.
    """
    poi = p.point_of_interest
    assessment = p.assessment
    source = p.source
    return {
        "id": p.id,
        "name": p.name,
        "pipeline": p.pipeline,
        "stage": p.stage._value_,
        "status": p.status._value_,
        "lost_reason": p.lost_reason,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "company": p.company,
        "title": p.title,
        "sector": p.sector,
        "company_size": p.company_size,
        "location": p.location,
        "identities": [
            {"network": i.network, "handle": i.handle, "url": i.url} for i in p.identities
        ],
        "emails": list(p.emails),
        "phones": list(p.phones),
        "tags": list(p.tags),
        "notes": p.notes,
        "custom": dict(p.custom),
        "point_of_interest": (
            {"text": poi.text, "url": poi.url, "at": when(poi.at)} if poi is not None else None
        ),
        "assessment": (
            {
                "qualified": assessment.qualified,
                "score": assessment.score,
                "threshold": assessment.threshold,
                "note": assessment.note,
                "at": when(assessment.at),
            }
            if assessment is not None
            else None
        ),
        "owner": p.owner,
        "source": (
            {
                "network": source.network,
                "url": source.url,
                "collected_at": when(source.collected_at),
                "note": source.note,
            }
            if source is not None
            else None
        ),
        "lawful_basis": p.lawful_basis._value_,
        "created_at": when(p.created_at),
        "updated_at": when(p.updated_at),
    }


def event_record(e: Event) -> dict[str, Any]:
    """The stable JSON form of an event: ``kind`` plus the payload's fields in ``data``."""
    from socialcrm.serialization import event_to_dict

    payload = dict(event_to_dict(e)["payload"])
    payload.pop("kind", None)
    return {
        "id": e.id,
        "at": _iso(e.at),
        "kind": e.kind.value,
        "actor": e.actor,
        "summary": describe_event(e),
        "data": payload,
    }


def pipeline_record(p: Pipeline, *, prospects: int, current: bool) -> dict[str, Any]:
    return {
        "name": p.name,
        "current": current,
        "prospects": prospects,
        "description": p.description,
        "created_at": _iso(p.created_at),
    }


def _brief(p: Prospect) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "company": p.company}


def board_record(board: Board) -> dict[str, Any]:
    """The board as JSON: open prospects per stage, won and lost."""
    return {
        "pipeline": board.pipeline,
        "stages": {
            stage.value: [_brief(p) for p in people] for stage, people in board.stages.items()
        },
        "counts": {stage.value: len(people) for stage, people in board.stages.items()},
        "won": [_brief(p) for p in board.won],
        "lost": [_brief(p) for p in board.lost],
        "total": board.total,
    }


# -- event summaries ------------------------------------------------------------------


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def describe_event(e: Event) -> str:
    """One human line for an event (history tables, ``show``)."""
    from socialcrm import models as m

    p = e.payload
    if isinstance(p, m.Created):
        return f"created at {p.stage.value}"
    if isinstance(p, m.StageChanged):
        text = f"{p.from_stage.value} → {p.to_stage.value}"
        if p.forced:
            text += f" (forced over {len(p.overridden)} problem(s))"
        if p.reason:
            text += f": {p.reason}"
        return text
    if isinstance(p, m.StatusChanged):
        text = f"{p.from_status.value} → {p.to_status.value}"
        return text + (f": {p.reason}" if p.reason else "")
    if isinstance(p, m.Interaction):
        where = f" on {p.network}" if p.network else ""
        extra = f": {_short(p.note)}" if p.note else (f" {p.url}" if p.url else "")
        return f"{p.type}{where}{extra}"
    if isinstance(p, m.MessageSent | m.MessageReceived):
        arrow = "sent" if isinstance(p, m.MessageSent) else "received"
        via = ".".join(x for x in (p.network, p.channel) if x)
        return f"{arrow}{' via ' + via if via else ''}: {_short(p.text)}"
    if isinstance(p, m.Note):
        return _short(p.text)
    if isinstance(p, m.PointOfInterestSet):
        return _short(p.text) + (f" {p.url}" if p.url else "")
    if isinstance(p, m.Assessed):
        verdict = "qualified" if p.qualified else "not qualified"
        score = f" (score {p.score:g})" if p.score is not None else ""
        return verdict + score + (f": {_short(p.note)}" if p.note else "")
    if isinstance(p, m.Imported):
        return f"{'created' if p.created else 'updated'} from {p.format}" + (
            f" {p.file}" if p.file else ""
        )
    if isinstance(p, m.Merged):
        return f"merged {p.other_name} ({p.other_id})"
    if isinstance(p, m.Edited):
        return "changed " + ", ".join(sorted(p.changes))
    if isinstance(p, m.SequenceEnrolled):
        return f"enrolled in sequence {p.sequence!r}"
    if isinstance(p, m.SequenceStopped):
        return f"left sequence {p.sequence!r}" + (f": {p.reason}" if p.reason else "")
    return e.kind.value


# -- low-level emitters ---------------------------------------------------------------


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON (UTF-8 kept, stable key order) on stdout.

    Written as UTF-8 bytes (JSON's encoding, RFC 8259): a 6,000-prospect list
    is 5.5 MB, and decoding orjson's bytes to text only for the stream to
    encode them back cost ~10 ms.
    """
    typer.echo(_json_bytes(data))


def dumps_json(data: Any) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``, the same text, ~10x faster."""
    return _json_bytes(data).decode()


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
        return json.dumps(data, ensure_ascii=False, indent=2, default=_isoformat).encode()
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
    """Print a CSV document (header row first, CRLF line ends as RFC 4180) on stdout."""
    import csv  # here: most runs print a table or JSON

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; quotes cells with CR or LF
    writer.writerow([neutralise(h) for h in headers])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    # color=True: click otherwise strips ANSI escape sequences from text written
    # to a pipe, which silently changed cells holding them (JSON escapes them)
    typer.echo(buffer.getvalue(), nl=False, color=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit_table(
    state: CLIState,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    styles: Mapping[int, str] | None = None,
) -> None:
    """A rich table on a terminal; plain aligned columns otherwise."""
    cells = [[_cell(v) for v in row] for row in rows]
    if state.is_terminal:
        from rich.table import Table
        from rich.text import Text

        table = Table(title=title, header_style="bold", title_justify="left")
        for header in headers:
            table.add_column(header)
        for row in cells:
            styled = []
            for i, value in enumerate(row):
                style = (styles or {}).get(i)
                if style == "stage":
                    style = STAGE_COLORS.get(value.split()[0] if value else "", "")
                styled.append(Text(value, style=style or ""))
            table.add_row(*styled)
        state.console.print(table)
        return
    if title:
        typer.echo(title)
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [list(headers), *cells]
    for row in lines:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# -- prospects ------------------------------------------------------------------------

PROSPECT_COLUMNS = (
    "id",
    "name",
    "stage",
    "status",
    "company",
    "title",
    "emails",
    "phones",
    "identities",
    "tags",
    "created_at",
    "updated_at",
)


def prospect_row(p: Prospect) -> list[Any]:
    """A prospect as CSV cells in :data:`PROSPECT_COLUMNS` order (lists joined with ``;``)."""
    return [
        p.id,
        p.name,
        p.stage.value,
        p.status.value,
        p.company or "",
        p.title or "",
        "; ".join(p.emails),
        "; ".join(p.phones),
        "; ".join(i.url for i in p.identities),
        "; ".join(p.tags),
        _iso(p.created_at),
        _iso(p.updated_at),
    ]


def stage_label(p: Prospect) -> str:
    """``contact``, or ``won``/``lost`` for closed prospects (with their last stage)."""
    if p.status.value == "open":
        return p.stage.value
    return f"{p.status.value} (at {p.stage.value})"


def emit(state: CLIState, prospects: Sequence[Prospect]) -> None:
    """Print a list of prospects in the chosen format."""
    if state.output_format == "json":
        emit_json_records(prospects)
    elif state.output_format == "csv":
        emit_csv(PROSPECT_COLUMNS, [prospect_row(p) for p in prospects])
    else:
        rows = [
            [
                p.id,
                p.name,
                stage_label(p),
                p.company or "",
                " ".join(i.network for i in p.identities),
                " ".join(p.tags),
            ]
            for p in prospects
        ]
        emit_table(
            state, ["ID", "NAME", "STAGE", "COMPANY", "NETWORKS", "TAGS"], rows, styles={2: "stage"}
        )
        if not prospects:
            state.info("no prospects match")


JSON_CHUNK = 1000
"""Prospects serialised at a time by :func:`emit_json_records` (tests make it small)."""


def emit_json_records(prospects: Sequence[Prospect]) -> None:
    """Print the JSON list of ``prospects``' records, :data:`JSON_CHUNK` records at a time.

    The bytes are those of ``emit_json([prospect_record(p) for p in prospects])``
    (``json.dumps(..., indent=2)`` plus a newline), but the records and their
    text never exist all at once: at 30,000 prospects they were ~100 MB besides
    the models and pushed ``list --format json`` past the 200 MB budget (issue
    #4).  Each chunk goes through :func:`_json_bytes` (small-float and orjson
    fallbacks included) as a list, whose opening bracket and newline and
    closing newline and bracket are dropped; the pieces are joined with a comma
    and newline, as the indenting encoder joins elements.
    """
    if not prospects:
        emit_json([])
        return
    size = max(1, JSON_CHUNK)
    typer.echo(b"[\n", nl=False)
    for start in range(0, len(prospects), size):
        chunk = prospects[start : start + size]
        text = _json_bytes([_record(p, _as_is) for p in chunk], floats=record_floats(chunk))
        typer.echo((b",\n" if start else b"") + text[2:-2], nl=False)
    typer.echo(b"\n]")


def emit_one(state: CLIState, p: Prospect, message: str) -> None:
    """The result of a change: ``message`` as a line of text, or the record in json/csv."""
    if state.output_format == "json":
        emit_json(prospect_record(p))
    elif state.output_format == "csv":
        emit_csv(PROSPECT_COLUMNS, [prospect_row(p)])
    elif state.is_terminal:
        from rich.markup import escape

        state.console.print(f"[green]✓[/green] {escape(message)}")
    else:
        typer.echo(message)
