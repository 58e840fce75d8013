"""socialcrm's own JSON: a lossless backup (pipelines, prospects, events, settings).

The document is written prospect by prospect (never built whole in memory)::

    {"format": "socialcrm", "v": 1, "exported_at": "…",
     "pipelines": [<pipeline>…], "meta": {…},
     "prospects": [{"prospect": <prospect>, "events": [<event>…]}, …]}

with one prospect entry per line.  :class:`JSONImporter` reads a file laid
out so entry by entry (a backup of 30,000 prospects × 10 events is 106 MB,
and parsed whole it took ~600 MB); a file of any other layout (re-indented
by another tool) is valid JSON all the same and is read whole, up to
:data:`MAX_JSON_BYTES`.

Each model goes through :mod:`socialcrm.serialization`, the one place that
knows the document form, so export → import reproduces a pipeline exactly
(ids, timestamps, stages, history).  :func:`load_json` is also the safe JSON
reader of the network importers (size and nesting limits, clear errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from socialcrm.errors import ImportFormatError, ValidationError
from socialcrm.formats import (
    ExportContext,
    ImportItem,
    RowProblem,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)
from socialcrm.i18n import N_, os_reason
from socialcrm.i18n import text as _
from socialcrm.io.csvsafe import check_text, open_bytes, read_head
from socialcrm.models import Event, Prospect
from socialcrm.networks import NetworkRegistry

__all__ = [
    "FORMAT_TAG",
    "MAX_JSON_BYTES",
    "JSONExporter",
    "JSONImporter",
    "load_json",
    "parse_json",
    "read_json_bytes",
]

FORMAT_TAG = "socialcrm"
#: Store-wide settings carried by a backup (the CRM's channel length overrides).
SETTINGS = ("channel_limits",)
#: Largest JSON document read whole (bytes, as UTF-8): parsed, a document takes
#: about 8 times its size in memory, so this keeps a whole read near 130 MB.  A
#: backup laid out as :class:`JSONExporter` writes it is read entry by entry,
#: whatever its size; a larger file of any other layout is refused.
MAX_JSON_BYTES = 16 * 1024 * 1024
#: Longest line of a backup read entry by entry: one prospect with its history
#: (about 16,000 events).  A longer line (or a whole file on one line) makes the
#: file be read whole, within :data:`MAX_JSON_BYTES`.
MAX_ENTRY_BYTES = 4 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def parse_json(path: Path, data: bytes | str) -> Any:
    """Parse JSON text with orjson (nesting limited to 1024 levels), or a clear error."""
    import orjson

    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        line = getattr(exc, "lineno", None)
        detail = getattr(exc, "msg", str(exc))
        raise ImportFormatError(
            _("invalid JSON: {detail}").format(detail=detail),
            path=str(path),
            row=line if isinstance(line, int) and line > 0 else None,
        ) from None


def read_json_bytes(path: Path) -> bytes:
    """A JSON file's bytes (UTF-8, BOM dropped), within :data:`MAX_JSON_BYTES`."""
    check_text(path, read_head(path))
    try:
        with open_bytes(path) as fh:
            data = fh.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise ImportFormatError(
            _("cannot read the file: {reason}").format(reason=os_reason(exc, type(exc).__name__)),
            path=str(path),
        ) from None
    if len(data) > MAX_JSON_BYTES:
        raise ImportFormatError(
            _("the file is over {limit:,} bytes, the most read whole").format(limit=MAX_JSON_BYTES),
            path=str(path),
            hint=_(
                "a socialcrm backup is read entry by entry only as "
                "'socialcrm export' lays it out (one prospect per line); "
                "split other JSON files"
            ),
        )
    data = data.removeprefix(_BOM)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            _("invalid UTF-8 ({reason})").format(reason=exc.reason),
            path=str(path),
            row=data[: exc.start].count(b"\n") + 1,
            hint=_("save the file as UTF-8"),
        ) from None
    return data


def load_json(path: Path) -> Any:
    """Read and parse a JSON file safely (binary, encoding, size, nesting)."""
    return parse_json(path, read_json_bytes(path))


class _OtherLayout(Exception):
    """The file is not laid out one prospect entry per line (read it whole)."""


def _entry_lines(fh: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """``(line number, entry)`` of each prospect line after the header line.

    Raises :class:`_OtherLayout` unless every line is one entry followed by a
    comma (none after the last), then ``]}`` and nothing but blank lines.
    """
    lineno, closed, comma = 1, False, False
    for line in iter(lambda: fh.readline(MAX_ENTRY_BYTES), b""):
        lineno += 1
        if not line.endswith(b"\n") and len(line) >= MAX_ENTRY_BYTES:
            raise _OtherLayout
        text = line.strip()
        if closed or not text:
            if text:
                raise _OtherLayout
            continue
        if text == b"]}":
            if comma:
                raise _OtherLayout
            closed = True
            continue
        if lineno > 2 and not comma:
            raise _OtherLayout
        comma = text.endswith(b",")
        yield lineno, text[:-1] if comma else text
    if not closed:
        raise _OtherLayout


def _streamable_header(path: Path) -> dict[str, Any] | None:
    """The header (``format``, ``v``, ``pipelines``, ``meta``…) of a backup laid out
    as :class:`JSONExporter` writes it, or ``None`` for any other layout.

    One pass parses every line and keeps nothing, so the entries can then be
    read one at a time knowing that the whole file is valid JSON.
    """
    import orjson

    try:
        with open_bytes(path) as fh:
            first = fh.readline(MAX_ENTRY_BYTES).strip()
            if first.startswith(_BOM):
                first = first[len(_BOM) :]
            if not first.endswith(b"["):
                return None
            header = orjson.loads(first + b"]}")
            if not isinstance(header, dict) or header.get("prospects") != []:
                return None
            for _line, entry in _entry_lines(fh):
                orjson.loads(entry)
    except (orjson.JSONDecodeError, _OtherLayout):
        return None
    except OSError as exc:
        raise ImportFormatError(
            _("cannot read the file: {reason}").format(reason=os_reason(exc, type(exc).__name__)),
            path=str(path),
        ) from None
    del header["prospects"]
    return header


def _streamed_entries(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line, parsed entry)`` of a file :func:`_streamable_header` accepted."""
    import orjson

    with open_bytes(path) as fh:
        fh.readline(MAX_ENTRY_BYTES)
        for lineno, entry in _entry_lines(fh):
            yield lineno, orjson.loads(entry)


class JSONImporter:
    """Restores a socialcrm JSON backup (as written by :class:`JSONExporter`)."""

    name = "socialcrm-json"
    description = N_("socialcrm JSON backup (pipelines, prospects, events, settings)")

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"format": "socialcrm"' in text[:200].replace(
            b'":"', b'": "'
        )

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        from socialcrm.serialization import event_from_dict, pipeline_from_dict, prospect_from_dict

        check_text(path, read_head(path))
        header = _streamable_header(path)
        if header is not None:
            doc = header
            entries: Iterable[Any] = (entry for _, entry in _streamed_entries(path))
        else:
            doc = load_json(path)
            entries = doc.get("prospects", []) if isinstance(doc, dict) else []
        if not isinstance(doc, dict) or doc.get("format") != FORMAT_TAG:
            raise ImportFormatError(
                _('not a socialcrm JSON backup (no "format": "socialcrm")'), path=str(path)
            )
        version = doc.get("v")
        if not isinstance(version, int) or version > 1:
            raise ImportFormatError(
                _("backup format version {version!r} is not supported").format(version=version),
                path=str(path),
                hint=_("upgrade socialcrm"),
            )
        pipelines = doc.get("pipelines", [])
        if not isinstance(pipelines, list) or not isinstance(entries, list | Iterator):
            raise ImportFormatError(_("'pipelines' and 'prospects' must be lists"), path=str(path))
        meta = doc.get("meta", {})
        if not isinstance(meta, dict):
            raise ImportFormatError(_("'meta' must be an object"), path=str(path))
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
                yield RowProblem(
                    row, _("pipeline: {message}").format(message=exc.message), "pipelines"
                )
        del doc  # only the entries are still needed
        for entry in entries:
            row += 1
            if not isinstance(entry, dict) or not isinstance(entry.get("events", []), list):
                yield RowProblem(row, _("a prospect entry must be an object with 'events'"))
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
    description = N_("socialcrm JSON (lossless backup: pipelines, prospects, events, settings)")
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
