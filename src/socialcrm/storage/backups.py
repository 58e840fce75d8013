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
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def _verified_files(path: Path) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The manifest and every file of a consistent store, checked; raises if damaged."""
    manifest_path = path / layout.MANIFEST_NAME
    manifest = _read_manifest(path)
    members = [(layout.MANIFEST_NAME, manifest_path.read_bytes())]
    schema = manifest_header(manifest, manifest_path)["schema"]
    if schema > layout.SCHEMA_VERSION:
        raise SchemaVersionError(path=str(path), found=schema, supported=layout.SCHEMA_VERSION)
    if schema == layout.SCHEMA_VERSION:
        check_manifest(manifest, manifest_path)
        for entry in manifest["files"].values():
            file_path = path / entry["path"]
            try:
                raw = file_path.read_bytes()
            except FileNotFoundError:
                raise StoreCorruptError(path=str(file_path), detail="missing") from None
            if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
                raise StoreCorruptError(path=str(file_path), detail="checksum mismatch")
            decode_tables(raw, file_path)
            members.append((entry["path"], raw))
    return manifest, members


def _raw_files(path: Path) -> list[tuple[str, bytes]]:
    """Every store file as it is on disk, readable or not (for safety copies)."""
    members: list[tuple[str, bytes]] = []
    manifest_path = path / layout.MANIFEST_NAME
    if manifest_path.is_file():
        members.append((layout.MANIFEST_NAME, manifest_path.read_bytes()))
    data_dir = path / layout.DATA_DIR
    if data_dir.is_dir():
        for child in sorted(data_dir.iterdir()):
            if child.is_file() and not child.name.endswith(TMP_SUFFIX):
                members.append((f"{layout.DATA_DIR}/{child.name}", child.read_bytes()))
    return members


def _generation_of(manifest: dict[str, Any]) -> int:
    gen = manifest.get("store", {}).get("1", {}).get("generation", 0)
    return gen if isinstance(gen, int) else 0


def _write_archive(target: Path, members: list[tuple[str, bytes]]) -> None:
    """Write a tar.gz atomically (tmp + fsync + replace + dir fsync), mode 0600."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=1) as tar:
        now = int(datetime.now(UTC).timestamp())
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = FILE_MODE
            info.mtime = now
            tar.addfile(info, io.BytesIO(data))
    write_atomic(target, buffer.getvalue())


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
        if kind == "pre-restore":
            members = _raw_files(store)
            try:
                generation = _generation_of(_read_manifest(store))
            except SocialCRMError:
                generation = 0
        else:
            manifest, members = _verified_files(store)
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


def _read_archive(archive: Path) -> dict[str, bytes]:
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            members: dict[str, bytes] = {}
            for info in tar.getmembers():
                if not info.isfile():
                    continue
                extracted = tar.extractfile(info)
                if extracted is None:  # pragma: no cover - isfile() members always extract
                    continue
                members[info.name] = extracted.read()
            return members
    except (OSError, tarfile.TarError, EOFError) as exc:
        raise StoreCorruptError(path=str(archive), detail=f"unreadable backup ({exc})") from None


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
    members = _read_archive(archive)
    if layout.MANIFEST_NAME not in members:
        raise StoreCorruptError(path=str(archive), detail=f"no {layout.MANIFEST_NAME} inside")
    manifest = decode_tables(members[layout.MANIFEST_NAME], archive / layout.MANIFEST_NAME)
    schema = manifest_header(manifest, archive)["schema"]
    if schema > layout.SCHEMA_VERSION:
        raise SchemaVersionError(path=str(archive), found=schema, supported=layout.SCHEMA_VERSION)
    if schema == layout.SCHEMA_VERSION:
        check_manifest(manifest, archive)
        for logical, entry in manifest["files"].items():
            raw = members.get(entry["path"])
            if raw is None or len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
                raise StoreCorruptError(
                    path=str(archive), detail=f"{entry['path']} ({logical}) missing or damaged"
                )
            decode_tables(raw, archive / entry["path"])
    ensure_dir(store)
    with _store_lock(store, held=False):
        safety: Path | None = None
        if _raw_files(store):
            safety = make_backup(store, keep, kind="pre-restore", _locked=True)
        generation = max([*_current_generations(store), _generation_of(manifest)]) + 1
        if schema == layout.SCHEMA_VERSION:
            files: dict[str, Any] = {}
            data_dir = store / layout.DATA_DIR
            ensure_dir(data_dir)
            for logical, entry in manifest["files"].items():
                rel = layout.data_file_name(logical, generation)
                write_atomic(store / rel, members[entry["path"]], sync_dir=False)
                files[logical] = {**entry, "path": rel}
            fsync_dir(data_dir)
            manifest["files"] = files
            manifest["store"]["1"]["generation"] = generation
            write_atomic(store / layout.MANIFEST_NAME, encode_tables(manifest))
            referenced = {entry["path"] for entry in files.values()}
        else:  # an older-schema store: put it back as it was; opening it migrates it
            write_atomic(store / layout.MANIFEST_NAME, members[layout.MANIFEST_NAME])
            referenced = set()
        _remove_unreferenced(store, referenced)
    return RestoreResult(archive, safety, generation)


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
