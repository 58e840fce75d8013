"""A table as plain aligned columns: what a pipe or a file gets instead of a rich table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

__all__ = ["TABLE_CHUNK", "aligned"]

TABLE_CHUNK = 2000
"""Lines given at a time: one flushed ``echo`` per line cost ~0.3 s at 30,000 lines."""


def aligned(headers: Sequence[str], cells: Sequence[Sequence[str]]) -> Iterator[str]:
    """The table's text, :data:`TABLE_CHUNK` lines at a time: each row's cells
    left-aligned to the column's widest, two spaces apart, line ends trimmed
    (``cells`` already escaped; :func:`socialcrm.cli.render.emit_table` prints it)."""
    lines = [list(headers), *cells]
    widths = [max(map(len, column)) for column in zip(*lines, strict=True)]
    for at in range(0, len(lines), TABLE_CHUNK):
        text = (
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
            for row in lines[at : at + TABLE_CHUNK]
        )
        yield "".join(text)
