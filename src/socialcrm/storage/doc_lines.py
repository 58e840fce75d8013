"""Data files laid out one document per line, merged with a transaction's changes as a stream.

A data file is a TinyDB document, ``{table: {doc_id: document}}``.  Written by
:func:`write_merged`, it keeps that JSON but puts every document on a line of
its own::

    {"prospects":{
    "01J…":{…},
    "01K…":{…}
    },"other":{
    "key":{…}
    }}

orjson never writes a raw newline inside a value (it escapes it), so each line
is exactly one document: merging a file with the changes of a transaction
reads it line by line, copies the lines of unchanged documents as they are and
parses only the documents a change extends (appended events).  Memory no
longer grows with the file: parsed whole, a data file takes about twelve times
its size on disk (a 6 MB prospects file of a 400,000-row import held 73 MB),
and the files grow with the store (their number is fixed when it is created).

Readers are unchanged: the layout is ordinary JSON (``orjson.loads`` ignores
the newlines).  A file in the older compact layout (one line) is merged the
old way, parsed whole, once: the merge writes it in this layout.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import orjson

from socialcrm.errors import StoreCorruptError
from socialcrm.i18n import text as _
from socialcrm.storage.files import damaged, encode_tables, open_listed_file, read_listed_file
from socialcrm.storage.pending import Change, merged_for_writing, resolve

__all__ = ["Written", "write_merged"]

#: Bytes buffered before each ``os.write`` of the merged file.
_CHUNK = 1 << 20


class Written:
    """What :func:`write_merged` wrote: size, CRC-32 and number of documents."""

    __slots__ = ("crc", "documents", "size")

    def __init__(self) -> None:
        self.size = 0
        self.crc = 0
        self.documents = 0

    @property
    def digest(self) -> str:
        """The checksum as the manifest records it (see ``storage.files.digest``)."""
        return f"{self.crc:08x}"


class _Writer:
    """Buffered writes to a file descriptor, counting size and CRC-32 on the way."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer: list[bytes] = []
        self.buffered = 0
        self.written = Written()

    def write(self, data: bytes) -> None:
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        view = memoryview(b"".join(self.buffer))
        self.buffer.clear()
        self.buffered = 0
        self.written.size += len(view)
        self.written.crc = zlib.crc32(view, self.written.crc)
        while view:
            view = view[os.write(self.fd, view) :]


def _key(raw: bytes) -> str:
    """The id of a document line ``"id":{…}`` (fast path: an id without escapes)."""
    end = raw.find(b'":', 1)
    if end > 0 and b"\\" not in raw[1:end]:
        return raw[1:end].decode("utf-8")
    parsed: dict[str, Any] = orjson.loads(b"{" + raw + b"}")
    return next(iter(parsed))


def _lines(source: IO[bytes], path: Path, entry: Mapping[str, Any]) -> Iterator[bytes]:
    """The lines of a stored file in the line layout, checked against its entry
    (size and CRC-32) once the last line is read."""
    size, crc = 0, 0
    for line in source:
        size += len(line)
        crc = zlib.crc32(line, crc)
        yield line.rstrip(b"\n")
    if size != entry["size"] or f"{crc:08x}" != entry["crc32"]:
        raise damaged(path)


def _tables(lines: Iterator[bytes], path: Path) -> Iterator[tuple[str, Iterator[bytes]]]:
    """``(table, its document lines)`` of a file in the line layout, in file order."""
    header = next(lines, b"")
    while header:
        if header.startswith(b'{"'):
            opening = header[1:]
        elif header.startswith(b'},"'):
            opening = header[2:]
        else:
            if header == b"}}":
                return
            raise StoreCorruptError(path=str(path), detail=_("unexpected line in a data file"))
        try:
            (name,) = orjson.loads(b"{" + opening + b"}}")
        except (orjson.JSONDecodeError, ValueError):
            raise StoreCorruptError(path=str(path), detail=_("bad table header")) from None
        following: list[bytes] = []

        def documents(following: list[bytes] = following) -> Iterator[bytes]:
            for line in lines:
                if line.startswith(b'"'):
                    yield line[:-1] if line.endswith(b",") else line
                else:
                    following.append(line)
                    return

        yield name, documents()
        header = following[0] if following else b""


def _is_line_layout(source: IO[bytes]) -> bool:
    """Whether a stored file is in the line layout (its first line opens a table)."""
    first = source.readline()
    source.seek(0)
    return first.startswith(b'{"') and first.endswith(b":{\n")


def _merge_lines(
    stored: Iterator[tuple[str, Iterator[bytes]]],
    changes: Mapping[str, Mapping[str, Change]],
) -> Iterator[tuple[str, Iterable[bytes]]]:
    """The merged tables, each as its document lines (``"id":json``)."""
    seen: set[str] = set()
    for name, lines in stored:
        seen.add(name)
        yield name, _merged_table(lines, changes.get(name, {}))
    for name, docs in changes.items():
        if name not in seen:
            yield name, _merged_table(iter(()), docs)


def _merged_table(lines: Iterator[bytes], changes: Mapping[str, Change]) -> Iterator[bytes]:
    done: set[str] = set()
    for line in lines:
        doc_id = _key(line)
        change = changes.get(doc_id)
        if change is None:
            yield line
            continue
        done.add(doc_id)
        stored: dict[str, Any] = orjson.loads(b"{" + line + b"}")[doc_id]
        new = _encoded(doc_id, change, stored)
        if new is not None:
            yield new
    for doc_id, change in changes.items():
        if doc_id not in done:
            new = _encoded(doc_id, change, None)
            if new is not None:
                yield new


def _encoded(doc_id: str, change: Change, stored: Mapping[str, Any] | None) -> bytes | None:
    doc = resolve(change, stored, orjson.Fragment)
    if doc is None:
        return None
    return _line(doc_id, doc)


def _line(doc_id: str, doc: Any) -> bytes:
    """One document line (``StoreError`` if the document is not JSON-compatible)."""
    return orjson.dumps(doc_id) + b":" + encode_tables(doc)


def _write_tables(out: _Writer, tables: Iterable[tuple[str, Iterable[bytes]]]) -> None:
    opened = False
    for name, lines in tables:
        first = True
        for line in lines:
            if first:
                out.write((b'},"' if opened else b'{"') + orjson.dumps(name)[1:] + b":{\n")
                opened, first = True, False
            else:
                out.write(b",\n")
            out.write(line)
            out.written.documents += 1
        if not first:
            out.write(b"\n")
    if opened:
        out.write(b"}}\n")


def write_merged(
    fd: int,
    store: Path,
    logical: str,
    entry: Mapping[str, Any] | None,
    changes: Mapping[str, Mapping[str, Change]],
) -> Written:
    """Write to ``fd`` the data file ``logical`` of ``store``, as its manifest
    ``entry`` lists it (``None``: no file yet), with ``changes`` applied, one
    document per line; empty tables are dropped.  A file left without documents
    writes nothing (``documents == 0``).

    Raises :class:`StoreCorruptError` if the stored file differs from its entry
    (the caller discards what was written).
    """
    out = _Writer(fd)
    if entry is None:
        _write_tables(out, _merge_lines(iter(()), changes))
    else:
        stored, source = open_listed_file(store, logical, entry)
        with source:
            if _is_line_layout(source):
                lines = _lines(source, stored, entry)
                _write_tables(out, _merge_lines(_tables(lines, stored), changes))
                for _rest in lines:  # the checksum is verified once the file is read whole
                    pass
            else:  # the compact layout of older versions: parsed whole, this once
                _raw, tables = read_listed_file(store, logical, entry)
                del _raw
                merged = merged_for_writing(tables, changes)
                del tables
                _write_tables(
                    out,
                    (
                        (name, (_line(i, d) for i, d in docs.items()))
                        for name, docs in merged.items()
                    ),
                )
    out.flush()
    return out.written
