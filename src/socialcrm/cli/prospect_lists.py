"""Whole lists of prospects as JSON or CSV, without every record (or model) at once.

A part of :mod:`socialcrm.cli.render` (which gives the encoders: orjson with
the standard library's fallbacks, the escaping of unsafe characters, CSV cells
neutralised): a list of 100,000 prospects is written in pieces.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from socialcrm.cli.records import PROSPECT_COLUMNS, as_is, record, record_floats, record_row
from socialcrm.cli.render import Output, _json_bytes, emit_csv, emit_json, emit_json_list, json_safe

if TYPE_CHECKING:
    from socialcrm.models import Prospect

__all__ = ["JSON_CHUNK", "emit_json_records", "emit_listed", "json_element", "listed_encoder"]

JSON_CHUNK = 1000
"""Prospects written at a time by :func:`emit_json_records` and :func:`emit_listed`
(tests make it small)."""


def emit_json_records(prospects: Sequence[Prospect]) -> None:
    """Print the JSON list of ``prospects``' records, :data:`JSON_CHUNK` records at a time.

    The bytes are those of ``emit_json([prospect_record(p) for p in prospects])``
    (``json.dumps(..., indent=2)`` plus a newline), but the records and their
    text never exist all at once: at 30,000 prospects they were ~100 MB besides
    the models and pushed ``list --format json`` past the 200 MB budget (issue
    #4).
    """
    size = max(1, JSON_CHUNK)
    _emit_elements(
        [json_element(record(p, as_is)) for p in prospects[at : at + size]]
        for at in range(0, len(prospects), size)
    )


def json_element(r: Mapping[str, Any]) -> bytes:
    """The JSON text of one record as an element of an indented list (no brackets,
    not yet escaped: :func:`emit_listed` escapes whole chunks).

    Written as a one-element list by :func:`_json_bytes` (small-float and orjson
    fallbacks included), whose opening bracket and newline and closing newline
    and bracket are dropped: the element keeps the list's indentation.
    """
    return _json_bytes([r], floats=record_floats([r]))[2:-2]


def listed_encoder(state: Output) -> Callable[[dict[str, Any]], Any]:
    """What each record of a listed prospect becomes for ``state``'s format: its JSON
    element (:func:`json_element`) or its CSV row."""
    return record_row if state.output_format == "csv" else json_element


def emit_listed(state: Output, encoded: list[Any]) -> None:
    """Print the prospects ``encoded`` by :func:`listed_encoder`, in their order.

    The same bytes as the whole list of records at once (``json.dumps(...,
    indent=2)`` and a newline; one CSV row each), written :data:`JSON_CHUNK`
    elements at a time, each chunk escaped as it goes.
    """
    if state.output_format == "csv":
        emit_csv(PROSPECT_COLUMNS, encoded)
        return
    size = max(1, JSON_CHUNK)
    _emit_elements(encoded[start : start + size] for start in range(0, len(encoded), size))


def _emit_elements(chunks: Iterable[list[bytes]]) -> None:
    """``[``, the chunks' elements escaped and joined by a comma and newline, ``]``
    (``[]`` for none), as the indenting encoder writes a list."""
    pieces = (json_safe(b",\n".join(chunk)) for chunk in chunks if chunk)
    first = next(pieces, None)
    if first is None:
        emit_json([])
        return
    emit_json_list(itertools.chain([first], pieces))
