"""The backup archive format: a ``.tar.gz`` of the manifest and the data files.

Written one member at a time, atomically (:func:`write_archive`); read one
member at a time (:func:`archive_members`); verified whole before a restore
writes anything (:func:`check_archive`).  One file in memory at a time, never
the store.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from attrs import frozen

from socialcrm.atomic_files import FILE_MODE, open_atomic
from socialcrm.errors import SchemaVersionError, StoreCorruptError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.files import check_manifest, decode_tables, digest, manifest_header

__all__ = ["Checked", "Member", "archive_members", "check_archive", "write_archive"]

Member = tuple[str, bytes]
"""An archive member: its name in the archive and its bytes."""


def write_archive(target: Path, members: Iterable[Member]) -> None:
    """Write a tar.gz atomically (tmp + fsync + replace + dir fsync), mode 0600.

    Members are compressed as they come: if producing one raises (a damaged
    file), the half-written archive is removed and ``target`` is untouched.
    """
    now = int(datetime.now(UTC).timestamp())
    with (
        open_atomic(target) as fd,
        open(fd, "wb", closefd=False) as out,  # a descriptor: nothing else to name
        tarfile.open(fileobj=out, mode="w:gz", compresslevel=1) as tar,
    ):
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = FILE_MODE
            info.mtime = now
            tar.addfile(info, io.BytesIO(data))


def archive_members(archive: Path, fh: BinaryIO) -> Iterator[Member]:
    """The files of an open ``.tar.gz`` backup, one at a time, from its start."""
    try:
        fh.seek(0)
        with tarfile.open(fileobj=fh, mode="r:gz") as tar:
            for info in tar:
                if not info.isfile():
                    continue
                extracted = tar.extractfile(info)
                if extracted is None:  # pragma: no cover - isfile() members always extract
                    continue
                yield info.name, extracted.read()
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise StoreCorruptError(
            path=str(archive), detail=_("unreadable backup ({exc})").format(exc=exc)
        ) from None


@frozen
class Checked:
    """A backup verified by a first reading: its manifest (parsed and as stored) and schema."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    schema: int

    def wanted(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """``archive path -> (logical, manifest entry)`` of the files to restore."""
        if self.schema < layout.SCHEMA_VERSION:
            return {}
        return {e["path"]: (logical, e) for logical, e in self.manifest["files"].items()}


def check_archive(archive: Path, fh: BinaryIO) -> Checked:
    """Read a backup through once and verify it all; nothing is kept but the manifest."""
    seen: dict[str, tuple[int, str, StoreCorruptError | None]] = {}
    manifest_bytes: bytes | None = None
    for name, raw in archive_members(archive, fh):
        if name == layout.MANIFEST_NAME:
            manifest_bytes = raw
            continue
        problem = None
        if name.startswith(f"{layout.DATA_DIR}/"):
            try:
                decode_tables(raw, archive / name)
            except StoreCorruptError as exc:
                problem = exc
        seen[name] = (len(raw), digest(raw), problem)
    if manifest_bytes is None:
        raise StoreCorruptError(
            path=str(archive),
            detail=_("no {manifest_name} inside").format(manifest_name=layout.MANIFEST_NAME),
        )
    manifest = decode_tables(manifest_bytes, archive / layout.MANIFEST_NAME)
    schema = manifest_header(manifest, archive)["schema"]
    if schema > layout.SCHEMA_VERSION:
        raise SchemaVersionError(path=str(archive), found=schema, supported=layout.SCHEMA_VERSION)
    checked = Checked(manifest, manifest_bytes, schema)
    if schema == layout.SCHEMA_VERSION:
        check_manifest(manifest, archive)
    for rel, (logical, entry) in checked.wanted().items():
        size, crc, problem = seen.get(rel, (-1, "", None))
        if size != entry["size"] or crc != entry["crc32"]:
            raise StoreCorruptError(
                path=str(archive),
                detail=_("{rel} ({logical}) missing or damaged").format(rel=rel, logical=logical),
            )
        if problem is not None:
            raise problem
    return checked
