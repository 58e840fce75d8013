"""socialcrm's own JSON: a lossless backup (pipelines, prospects, events, settings).

The document is written prospect by prospect (never built whole in memory)::

    {"format": "socialcrm", "v": 1, "exported_at": "…",
     "pipelines": [<pipeline>…], "meta": {…},
     "prospects": [{"prospect": <prospect>, "events": [<event>…]}, …]}

Each model goes through :mod:`socialcrm.serialization`, the one place that
knows the document form, so export → import reproduces a pipeline exactly
(ids, timestamps, stages, history).  :func:`load_json` is also the safe JSON
reader of the network importers (size and nesting limits, clear errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from socialcrm.errors import ImportFormatError, ValidationError
from socialcrm.io.csvsafe import check_text, read_head
from socialcrm.io.formats import (
    ExportContext,
    ImportItem,
    RowProblem,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)
from socialcrm.models import Event, Prospect
from socialcrm.networks import NetworkRegistry

__all__ = [
    "FORMAT_TAG",
    "MAX_JSON_BYTES",
    "JSONExporter",
    "JSONImporter",
    "load_json",
    "parse_json",
]

FORMAT_TAG = "socialcrm"
#: Store-wide settings carried by a backup (the CRM's channel length overrides).
SETTINGS = ("channel_limits",)
#: Largest JSON document read (bytes): backups of very large stores stay far below.
MAX_JSON_BYTES = 512 * 1024 * 1024


def parse_json(path: Path, data: bytes | str) -> Any:
    """Parse JSON text with orjson (nesting limited to 1024 levels), or a clear error."""
    import orjson

    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = getattr(exc, "lineno", None)
        detail = getattr(exc, "msg", str(exc))
        raise ImportFormatError(
            f"invalid JSON: {detail}",
            path=str(path),
            row=line if isinstance(line, int) and line > 0 else None,
        ) from None


def load_json(path: Path) -> Any:
    """Read and parse a JSON file safely (binary, invalid UTF-8, size, nesting)."""
    check_text(path, read_head(path))
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ImportFormatError(
                f"file is {size} bytes, over the {MAX_JSON_BYTES}-byte limit", path=str(path)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(
            f"cannot read the file: {exc.strerror or type(exc).__name__}", path=str(path)
        ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            f"invalid UTF-8 ({exc.reason})",
            path=str(path),
            row=data[: exc.start].count(b"\n") + 1,
        ) from None
    return parse_json(path, data)


class JSONImporter:
    """Restores a socialcrm JSON backup (as written by :class:`JSONExporter`)."""

    name = "socialcrm-json"
    description = "socialcrm JSON backup (pipelines, prospects, events, settings)"

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"format": "socialcrm"' in text[:200].replace(
            b'":"', b'": "'
        )

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        from socialcrm.serialization import event_from_dict, pipeline_from_dict, prospect_from_dict

        doc = load_json(path)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_TAG:
            raise ImportFormatError(
                'not a socialcrm JSON backup (no "format": "socialcrm")', path=str(path)
            )
        version = doc.get("v")
        if not isinstance(version, int) or version > 1:
            raise ImportFormatError(
                f"backup format version {version!r} is not supported",
                path=str(path),
                hint="upgrade socialcrm",
            )
        pipelines = doc.get("pipelines", [])
        prospects = doc.get("prospects", [])
        if not isinstance(pipelines, list) or not isinstance(prospects, list):
            raise ImportFormatError("'pipelines' and 'prospects' must be lists", path=str(path))
        meta = doc.get("meta", {})
        if not isinstance(meta, dict):
            raise ImportFormatError("'meta' must be an object", path=str(path))
        row = 0
        for key in sorted(meta):
            if key in SETTINGS:
                row += 1
                yield StoredSetting(row, key, meta[key])
        for data in pipelines:
            row += 1
            try:
                yield StoredPipeline(row, pipeline_from_dict(data))
            except ValidationError as exc:
                yield RowProblem(row, f"pipeline: {exc.message}", "pipelines")
        for entry in prospects:
            row += 1
            if not isinstance(entry, dict) or not isinstance(entry.get("events", []), list):
                yield RowProblem(row, "a prospect entry must be an object with 'events'")
                continue
            try:
                prospect = prospect_from_dict(entry.get("prospect"))
                events = [event_from_dict(e) for e in entry.get("events", [])]
            except ValidationError as exc:
                yield RowProblem(row, exc.message, exc.field)
                continue
            yield StoredProspect(row, prospect, events)


class JSONExporter:
    """Writes the lossless socialcrm JSON backup."""

    name = "json"
    description = "socialcrm JSON (lossless backup: pipelines, prospects, events, settings)"
    suffix = ".json"

    def write(
        self,
        items: Iterable[tuple[Prospect, list[Event]]],
        out: TextIO,
        context: ExportContext,
    ) -> int:
        from socialcrm.serialization import dumps, event_to_dict, pipeline_to_dict, prospect_to_dict

        out.write('{"format": "socialcrm", "v": 1')
        exported = context.exported_at.isoformat() if context.exported_at else None
        out.write(f', "exported_at": {dumps(exported)}')
        if context.stage:
            out.write(f', "stage": {dumps(context.stage)}')
        out.write(', "pipelines": [')
        out.write(", ".join(dumps(pipeline_to_dict(p)) for p in context.pipelines))
        out.write(f'], "meta": {dumps(dict(context.meta))}, "prospects": [')
        count = 0
        for prospect, events in items:
            out.write(",\n" if count else "\n")
            entry = {
                "prospect": prospect_to_dict(prospect),
                "events": [event_to_dict(e) for e in events],
            }
            out.write(dumps(entry))
            count += 1
        out.write("\n]}\n")
        return count
