"""The store's on-disk format: data-file encoding, checksums and the manifest.

A store is a directory of TinyDB-format JSON files committed through one
manifest (``store.json``).  Reading and checking those files is shared by the
repository (:mod:`socialcrm.storage.tinydb`) and by the tools that must work on
raw files, even of a store too damaged to open (:mod:`socialcrm.storage.doctor`,
:mod:`socialcrm.storage.backups`, :mod:`socialcrm.storage.migrations`).  It
lives here, apart from the repository, so that those tools can be imported
without tinydb: this module must never import it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import orjson

from socialcrm.errors import StoreCorruptError, StoreError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.problems import io_error

__all__ = [
    "Tables",
    "Version",
    "check_entry",
    "check_header",
    "check_manifest",
    "decode_tables",
    "digest",
    "empty_manifest",
    "encode_tables",
    "file_version",
    "file_version_of",
    "manifest_header",
    "read_listed_file",
]

#: A TinyDB document: ``{table: {doc_id: document}}``.
Tables = dict[str, dict[str, Any]]
#: A data file's version, as its manifest entry gives it: (path, size, crc32).
Version = tuple[str, int, str]


# --------------------------------------------------------------------------- encoding
def digest(data: bytes) -> str:
    """Checksum recorded in the manifest for each data file (CRC-32: catches torn or
    garbled files, fast enough to verify on every read)."""
    return f"{zlib.crc32(data):08x}"


def encode_tables(data: Mapping[str, Any]) -> bytes:
    """Serialise a TinyDB document (``{table: {doc_id: doc}}``) in memory.

    Raises :class:`StoreError` if a value is not JSON-serialisable, before any
    file is touched.
    """
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError) as exc:
        raise StoreError(
            _("cannot serialise store data: {exc}").format(exc=exc),
            hint=_("a value is not JSON-compatible; nothing was written"),
        ) from exc


def decode_tables(raw: bytes, path: Path) -> Tables:
    """Parse a TinyDB file, raising :class:`StoreCorruptError` naming it if unreadable."""
    if not raw:
        raise StoreCorruptError(path=str(path), detail=_("the file is empty (truncated?)"))
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorruptError(
            path=str(path), detail=_("not valid JSON ({exc})").format(exc=exc)
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
        for table in data.values()
    ):
        raise StoreCorruptError(
            path=str(path), detail=_("not a TinyDB document (an object of tables of objects)")
        )
    return data


# --------------------------------------------------------------------------- manifest
def empty_manifest(shards: Mapping[str, int] | None = None) -> Tables:
    """The manifest of a store never written (generation 0)."""
    return {
        "store": {
            "1": {
                "schema": layout.SCHEMA_VERSION,
                "generation": 0,
                **(shards or layout.DEFAULT_SHARDS),
            }
        },
        "files": {},
        "meta": {},
        "pipelines": {},
    }


def manifest_header(manifest: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The ``store`` record of a manifest, checked enough to trust its numbers."""
    record = manifest.get("store", {}).get("1")
    if not isinstance(record, dict) or not isinstance(record.get("schema"), int):
        raise StoreCorruptError(path=str(path), detail=_("no 'store' record with a schema version"))
    return record


def check_header(manifest: Tables, path: Path) -> None:
    """Validate a current-schema manifest's store record and tables (StoreCorruptError)."""
    header = manifest_header(manifest, path)
    for key in ("generation", *layout.DEFAULT_SHARDS):
        value = header.get(key)
        low = 0 if key == "generation" else 1
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            raise StoreCorruptError(
                path=str(path), detail=_("store record: bad {key!r}").format(key=key)
            )
    for table in ("files", "meta", "pipelines"):
        if not isinstance(manifest.get(table, {}), dict):
            raise StoreCorruptError(
                path=str(path), detail=_("bad {table!r} table").format(table=table)
            )


_DATA_PREFIX = layout.DATA_DIR + "/"


def check_entry(logical: str, entry: Mapping[str, Any], path: Path) -> None:
    """Validate one file entry of a manifest (StoreCorruptError naming the manifest).

    The name must be one we write (``data/<logical>.<gen>.json``): a damaged or
    hostile manifest can never make us read a file outside the store.
    """
    rel = entry.get("path")
    parsed = (
        layout.parse_data_file_name(rel[len(_DATA_PREFIX) :])
        if isinstance(rel, str) and rel.startswith(_DATA_PREFIX)
        else None
    )
    if (
        parsed is None
        or parsed[0] != logical
        or not isinstance(entry.get("size"), int)
        or not isinstance(entry.get("crc32"), str)
    ):
        raise StoreCorruptError(
            path=str(path), detail=_("bad file entry for {logical!r}").format(logical=logical)
        )


def check_manifest(manifest: Tables, path: Path) -> None:
    """Validate a whole current-schema manifest (doctor, backup, restore)."""
    check_header(manifest, path)
    for logical, entry in manifest.get("files", {}).items():
        check_entry(logical, entry, path)


def file_version(entry: Mapping[str, Any]) -> Version:
    """A data file's version: names are never reused for other content in a store's
    life, and size and checksum guard even that (the key of parsed files in memory)."""
    return (entry.get("path"), entry.get("size"), entry.get("crc32"))  # type: ignore[return-value]


def file_version_of(entry: Mapping[str, Any] | None) -> Version | None:
    return None if entry is None else file_version(entry)


def open_listed_file(store: Path, logical: str, entry: Mapping[str, Any]) -> tuple[Path, IO[bytes]]:
    """A data file as a manifest lists it (``logical`` → ``entry``), checked against
    the entry's name and opened for reading: its path and the open file.

    Raises :class:`StoreCorruptError` naming the file if it is missing,
    :class:`StoreError` if it cannot be opened.
    """
    check_entry(logical, entry, store / layout.MANIFEST_NAME)
    path = store / entry["path"]
    try:
        return path, path.open("rb")
    except FileNotFoundError:
        raise StoreCorruptError(
            path=str(path),
            detail=_("missing (listed in {manifest_name})").format(
                manifest_name=layout.MANIFEST_NAME
            ),
        ) from None
    except OSError as exc:
        raise io_error(exc, path, "read") from exc


def damaged(path: Path) -> StoreCorruptError:
    """The error of a data file whose size or CRC-32 is not its manifest entry's."""
    return StoreCorruptError(
        path=str(path),
        detail=_("size or checksum differs from {manifest_name} (damaged file)").format(
            manifest_name=layout.MANIFEST_NAME
        ),
    )


def read_listed_file(store: Path, logical: str, entry: Mapping[str, Any]) -> tuple[bytes, Tables]:
    """A data file as a manifest lists it (``logical`` → ``entry``), read, checked
    against the entry's name, size and CRC-32, and parsed: its bytes and its tables.

    Raises :class:`StoreCorruptError` naming the file if it is missing or
    damaged, :class:`StoreError` if it cannot be read.
    """
    path, source = open_listed_file(store, logical, entry)
    with source:
        try:
            raw = source.read()
        except OSError as exc:
            raise io_error(exc, path, "read") from exc
    if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
        raise damaged(path)
    return raw, decode_tables(raw, path)
