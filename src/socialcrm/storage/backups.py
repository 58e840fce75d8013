"""Rotating backups of a store, and restoring one.

A backup is one ``.tar.gz`` file in ``<store>/backups/`` holding the manifest
and the data files it lists, exactly as they were (checked against their
checksums first: a damaged store is never backed up over good backups).  It is
written like every store file: temporary file, ``fsync``, ``os.replace``,
mode 0600.

Nothing here "repairs" data silently: :func:`restore` replaces the whole store
by a verified backup after keeping a safety copy of what was there.  The store
is read as raw files (:mod:`socialcrm.storage.files`), never through tinydb, so
that a store too damaged to open can still be backed up or restored.
"""

from __future__ import annotations

import contextlib
import io
import re
import tarfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from attrs import frozen

from socialcrm.errors import (
    SchemaVersionError,
    SocialCRMError,
    StoreCorruptError,
    StoreError,
)
from socialcrm.storage import layout
from socialcrm.storage.atomic import (
    FILE_MODE,
    TMP_SUFFIX,
    ensure_dir,
    fsync_dir,
    open_atomic,
    write_atomic,
)
from socialcrm.storage.files import (
    check_manifest,
    decode_tables,
    digest,
    encode_tables,
    manifest_header,
)
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env

__all__ = [
    "DEFAULT_KEEP",
    "BackupInfo",
    "RestoreResult",
    "backup",
    "backup_dir",
    "list_backups",
    "make_backup",
    "restore",
]

DEFAULT_KEEP = 10
BACKUP_KINDS = ("backup", "pre-migrate", "pre-restore")
_BACKUP_RE = re.compile(
    r"^(?P<kind>backup|pre-migrate|pre-restore)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-g(?P<gen>\d+)\.tar\.gz$"
)


Member = tuple[str, bytes]
"""An archive member: its name in the archive and its bytes."""


# --------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _store_lock(path: Path, held: bool, timeout: float | None = None) -> Iterator[None]:
    if held:
        yield
        return
    lock = StoreLock(
        path / layout.LOCK_NAME,
        store_path=path,
        timeout=lock_timeout_from_env() if timeout is None else timeout,
    )
    with lock:
        yield


def _check_store_dir(path: Path) -> None:
    if not path.is_dir():
        raise StoreError(
            f"no socialcrm store at {path}",
            path=str(path),
            hint="check --db or SOCIALCRM_DB",
        )


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / layout.MANIFEST_NAME
    try:
        raw = manifest_path.read_bytes()
    except FileNotFoundError:
        raise StoreError(
            f"the store at {path} is empty (no {layout.MANIFEST_NAME})", path=str(path)
        ) from None
    manifest = decode_tables(raw, manifest_path)
    manifest_header(manifest, manifest_path)
    return manifest


def _checked_manifest(path: Path) -> tuple[dict[str, Any], int]:
    """The manifest of a store to back up, and its schema; raises if unusable."""
    manifest_path = path / layout.MANIFEST_NAME
    manifest = _read_manifest(path)
    schema = manifest_header(manifest, manifest_path)["schema"]
    if schema > layout.SCHEMA_VERSION:
        raise SchemaVersionError(path=str(path), found=schema, supported=layout.SCHEMA_VERSION)
    if schema == layout.SCHEMA_VERSION:
        check_manifest(manifest, manifest_path)
    return manifest, schema


def _verified_files(path: Path, manifest: dict[str, Any], schema: int) -> Iterator[Member]:
    """The manifest and every file it lists, each checked as it is read (one at a
    time: a backup never holds the store in memory); raises at the first damaged one."""
    yield layout.MANIFEST_NAME, (path / layout.MANIFEST_NAME).read_bytes()
    if schema < layout.SCHEMA_VERSION:  # an older layout lives in its manifest file
        return
    for entry in manifest["files"].values():
        file_path = path / entry["path"]
        try:
            raw = file_path.read_bytes()
        except FileNotFoundError:
            raise StoreCorruptError(path=str(file_path), detail="missing") from None
        if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
            raise StoreCorruptError(path=str(file_path), detail="checksum mismatch")
        decode_tables(raw, file_path)
        yield entry["path"], raw


def _raw_paths(path: Path) -> list[tuple[str, Path]]:
    """Every store file as it is on disk, readable or not (for safety copies)."""
    found: list[tuple[str, Path]] = []
    manifest_path = path / layout.MANIFEST_NAME
    if manifest_path.is_file():
        found.append((layout.MANIFEST_NAME, manifest_path))
    data_dir = path / layout.DATA_DIR
    if data_dir.is_dir():
        for child in sorted(data_dir.iterdir()):
            if child.is_file() and not child.name.endswith(TMP_SUFFIX):
                found.append((f"{layout.DATA_DIR}/{child.name}", child))
    return found


def _raw_files(path: Path) -> Iterator[Member]:
    for name, file_path in _raw_paths(path):
        yield name, file_path.read_bytes()


def _generation_of(manifest: dict[str, Any]) -> int:
    gen = manifest.get("store", {}).get("1", {}).get("generation", 0)
    return gen if isinstance(gen, int) else 0


def _write_archive(target: Path, members: Iterable[Member]) -> None:
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


# --------------------------------------------------------------------------- backups
@frozen
class BackupInfo:
    """One backup file: its kind (``backup``, ``pre-migrate``, ``pre-restore``)."""

    path: Path
    kind: str
    created_at: datetime
    generation: int
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "generation": self.generation,
            "size": self.size,
        }


def backup_dir(path: Path) -> Path:
    return path / layout.BACKUP_DIR


def list_backups(path: str | Path) -> list[BackupInfo]:
    """Backups of the store at ``path``, oldest first."""
    directory = backup_dir(Path(path))
    found: list[BackupInfo] = []
    if not directory.is_dir():
        return found
    for child in directory.iterdir():
        m = _BACKUP_RE.match(child.name)
        if m is None:
            continue
        created = datetime.strptime(m["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        found.append(BackupInfo(child, m["kind"], created, int(m["gen"]), child.stat().st_size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name))


def backup(path: str | Path, keep: int = DEFAULT_KEEP) -> Path:
    """Write a verified backup of the store and keep only the ``keep`` newest backups.

    Raises :class:`StoreCorruptError` (and writes nothing) if the store is damaged.
    """
    return make_backup(path, keep)


def make_backup(
    path: str | Path,
    keep: int = DEFAULT_KEEP,
    *,
    kind: str = "backup",
    _locked: bool = False,
) -> Path:
    """:func:`backup` of a given kind; ``pre-restore`` copies files as they are, unchecked."""
    store = Path(path)
    if keep < 1:
        raise StoreError("keep must be at least 1", path=str(store))
    if kind not in BACKUP_KINDS:
        raise StoreError(f"unknown backup kind {kind!r}", path=str(store))
    _check_store_dir(store)
    with _store_lock(store, _locked):
        members: Iterable[Member]
        if kind == "pre-restore":
            members = _raw_files(store)
            try:
                generation = _generation_of(_read_manifest(store))
            except SocialCRMError:
                generation = 0
        else:
            manifest, schema = _checked_manifest(store)
            members = _verified_files(store, manifest, schema)
            generation = _generation_of(manifest)
        directory = backup_dir(store)
        ensure_dir(directory)
        for leftover in directory.glob(f".*{TMP_SUFFIX}"):  # from a backup killed mid-write
            with contextlib.suppress(OSError):
                leftover.unlink()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = directory / f"{kind}-{stamp}-g{generation:06d}.tar.gz"
        _write_archive(target, members)
        same_kind = [b for b in list_backups(store) if b.kind == kind]
        for old in same_kind[:-keep]:
            with contextlib.suppress(OSError):
                old.path.unlink()
        return target


# --------------------------------------------------------------------------- restore
@frozen
class RestoreResult:
    """What :func:`restore` did: the backup restored and the safety copy made first."""

    restored: Path
    safety_copy: Path | None
    generation: int


def _archive_members(archive: Path, fh: BinaryIO) -> Iterator[Member]:
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
        raise StoreCorruptError(path=str(archive), detail=f"unreadable backup ({exc})") from None


@frozen
class _Checked:
    """A backup verified by a first reading: its manifest (parsed and as stored) and schema."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    schema: int

    def wanted(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """``archive path -> (logical, manifest entry)`` of the files to restore."""
        if self.schema < layout.SCHEMA_VERSION:
            return {}
        return {e["path"]: (logical, e) for logical, e in self.manifest["files"].items()}


def _check_archive(archive: Path, fh: BinaryIO) -> _Checked:
    """Read a backup through once and verify it all; nothing is kept but the manifest."""
    seen: dict[str, tuple[int, str, StoreCorruptError | None]] = {}
    manifest_bytes: bytes | None = None
    for name, raw in _archive_members(archive, fh):
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
        raise StoreCorruptError(path=str(archive), detail=f"no {layout.MANIFEST_NAME} inside")
    manifest = decode_tables(manifest_bytes, archive / layout.MANIFEST_NAME)
    schema = manifest_header(manifest, archive)["schema"]
    if schema > layout.SCHEMA_VERSION:
        raise SchemaVersionError(path=str(archive), found=schema, supported=layout.SCHEMA_VERSION)
    checked = _Checked(manifest, manifest_bytes, schema)
    if schema == layout.SCHEMA_VERSION:
        check_manifest(manifest, archive)
    for rel, (logical, entry) in checked.wanted().items():
        size, crc, problem = seen.get(rel, (-1, "", None))
        if size != entry["size"] or crc != entry["crc32"]:
            raise StoreCorruptError(
                path=str(archive), detail=f"{rel} ({logical}) missing or damaged"
            )
        if problem is not None:
            raise problem
    return checked


def _choose_backup(store: Path, chosen: str | Path | None) -> Path:
    if chosen is None:
        candidates = [b for b in list_backups(store) if b.kind != "pre-restore"]
        if not candidates:
            raise StoreError(
                f"no backup of {store} to restore",
                path=str(store),
                hint=f"backups live in {backup_dir(store)}; pass a backup file explicitly",
            )
        return candidates[-1].path
    candidate = Path(chosen).expanduser()
    if not candidate.exists() and (backup_dir(store) / candidate.name).exists():
        candidate = backup_dir(store) / candidate.name
    if not candidate.is_file():
        raise StoreError(f"no backup file {chosen}", path=str(chosen))
    return candidate


def restore(
    path: str | Path, backup: str | Path | None = None, *, keep: int = DEFAULT_KEEP
) -> RestoreResult:
    """Replace the store by a backup (the newest one by default), atomically.

    The backup is read and verified completely first; then the current files
    (even damaged ones) are saved as a ``pre-restore`` backup; then the
    backup's data files are written under a new generation and the manifest is
    swapped in one ``os.replace``.
    """
    store = Path(path)
    archive = _choose_backup(store, backup)
    try:
        fh = archive.open("rb")  # kept open: both readings see the same bytes
    except OSError as exc:
        raise StoreCorruptError(path=str(archive), detail=f"unreadable backup ({exc})") from None
    with fh:
        checked = _check_archive(archive, fh)
        ensure_dir(store)
        with _store_lock(store, held=False):
            safety: Path | None = None
            if _raw_paths(store):
                safety = make_backup(store, keep, kind="pre-restore", _locked=True)
            generation = max([*_current_generations(store), _generation_of(checked.manifest)]) + 1
            if checked.schema == layout.SCHEMA_VERSION:
                referenced = _write_files(store, archive, fh, checked, generation)
            else:  # an older-schema store: put it back as it was; opening it migrates it
                write_atomic(store / layout.MANIFEST_NAME, checked.manifest_bytes)
                referenced = set()
            _remove_unreferenced(store, referenced)
    return RestoreResult(archive, safety, generation)


def _write_files(
    store: Path, archive: Path, fh: BinaryIO, checked: _Checked, generation: int
) -> set[str]:
    """Second reading: write each verified data file under ``generation``, then swap
    the manifest in (the store changes only then).  Returns the files now in use."""
    wanted = checked.wanted()
    files: dict[str, Any] = {}
    data_dir = store / layout.DATA_DIR
    ensure_dir(data_dir)
    for name, raw in _archive_members(archive, fh):
        if name not in wanted:
            continue
        logical, entry = wanted[name]
        if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
            continue  # an earlier copy of a member stored twice: the first reading kept the last
        rel = layout.data_file_name(logical, generation)
        write_atomic(store / rel, raw, sync_dir=False)
        files[logical] = {**entry, "path": rel}
    if len(files) != len(wanted):  # pragma: no cover - the first reading checked them all
        raise StoreCorruptError(path=str(archive), detail="changed while being restored")
    fsync_dir(data_dir)
    manifest = {**checked.manifest, "files": files}
    manifest["store"]["1"]["generation"] = generation
    write_atomic(store / layout.MANIFEST_NAME, encode_tables(manifest))
    return {entry["path"] for entry in files.values()}


def _current_generations(store: Path) -> list[int]:
    gens = [0]
    with contextlib.suppress(SocialCRMError, OSError):
        gens.append(_generation_of(_read_manifest(store)))
    data_dir = store / layout.DATA_DIR
    if data_dir.is_dir():
        for child in data_dir.iterdir():
            parsed = layout.parse_data_file_name(child.name)
            if parsed is not None:
                gens.append(parsed[1])
    return gens


def _remove_unreferenced(store: Path, referenced: set[str]) -> None:
    data_dir = store / layout.DATA_DIR
    if not data_dir.is_dir():
        return
    for child in data_dir.iterdir():
        rel = f"{layout.DATA_DIR}/{child.name}"
        if layout.parse_data_file_name(child.name) is not None and rel not in referenced:
            with contextlib.suppress(OSError):
                child.unlink()
