"""Whole lists of prospects as JSON or CSV, without every record (or model) at once.

A part of :mod:`socialcrm.cli.render` (which gives the encoders: orjson with
the standard library's fallbacks, the escaping of unsafe characters, CSV cells
neutralised): a list of 100,000 prospects is written in pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from socialcrm.cli.records import PROSPECT_COLUMNS, as_is, prospect_row, raw_record, record_floats
from socialcrm.cli.render import Output, _json_bytes, emit_csv, emit_json, emit_json_list, json_safe

if TYPE_CHECKING:
    from socialcrm.models import Prospect

__all__ = ["JSON_CHUNK", "emit_json_records", "emit_listed"]

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
    emit_json_list(_elements(prospects[at : at + size]) for at in range(0, len(prospects), size))


def _elements(prospects: Sequence[Prospect]) -> bytes:
    """The JSON text of ``prospects``' records as list elements (no brackets)."""
    records = [raw_record(p, as_is) for p in prospects]
    return json_safe(_json_bytes(records, floats=record_floats(prospects)))[2:-2]


def emit_listed(state: Output, order: Sequence[str], prospects: Iterable[Prospect]) -> None:
    """The JSON or CSV list of the prospects of ``order``, given in any order.

    Each prospect becomes its output (JSON text, CSV row) as it comes, and only
    that is kept until all are there: the same bytes as the whole list at once
    (:func:`emit_json_records`; one CSV row each), without every model at once
    (:func:`socialcrm.cards.listed`).
    """
    if state.output_format == "csv":
        rows = {p.id: prospect_row(p) for p in prospects}
        emit_csv(PROSPECT_COLUMNS, [rows[pid] for pid in order])
        return
    if not order:
        emit_json([])
        return
    texts = {p.id: _elements([p]) for p in prospects}
    size = max(1, JSON_CHUNK)
    emit_json_list(  # each text freed once written
        b",\n".join(texts.pop(pid) for pid in order[start : start + size])
        for start in range(0, len(order), size)
    )
