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

``restore`` is, with ``doctor``, the one command that works on a store whose
manifest is missing (:mod:`socialcrm.storage.directory`): it is how such a
store is brought back.  Neither ever writes into a directory that is not a
store.  Operating-system errors become :class:`StoreError` naming the file.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from attrs import frozen

from socialcrm.atomic_files import (
    ensure_dir,
    fsync_dir,
    temp_target,
    write_atomic,
)
from socialcrm.errors import (
    SchemaVersionError,
    SocialCRMError,
    StoreCorruptError,
    StoreError,
)
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.archives import (
    Checked,
    Member,
    archive_members,
    check_archive,
    write_archive,
)
from socialcrm.storage.directory import (
    DirectoryKind,
    inspect_directory,
    refuse_unless_store,
    refuse_unless_usable,
)
from socialcrm.storage.files import (
    check_manifest,
    decode_tables,
    digest,
    empty_manifest,
    encode_tables,
    manifest_header,
    read_listed_file,
)
from socialcrm.storage.locking import OnWait, StoreLock, lock_timeout_from_env
from socialcrm.storage.problems import io_error, not_written_error, read_only_error
from socialcrm.storage.rotation import DEFAULT_MAX_AGE_DAYS, rotate
from socialcrm.storage.sweep import highest_generation, sweep

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


#: How long to wait for the store's lock (``None``: the default), and whom to tell.
Wait = tuple[float | None, OnWait | None]


# --------------------------------------------------------------------------- helpers
@contextlib.contextmanager
def _store_lock(path: Path, held: bool, doing: str, wait: Wait = (None, None)) -> Iterator[None]:
    """Hold the store's lock (unless the caller does) to write; ``doing`` names the
    write in the error raised if the store is read-only; ``wait``: the lock's
    timeout (``None``: ``$SOCIALCRM_LOCK_TIMEOUT`` or 10 s) and ``on_wait``."""
    if held:
        yield
        return
    timeout = lock_timeout_from_env() if wait[0] is None else wait[0]
    lock = StoreLock(path / layout.LOCK_NAME, store_path=path, timeout=timeout, on_wait=wait[1])
    try:
        lock.acquire()
    except OSError as exc:
        raise io_error(exc, lock.lock_path, "open the lock file") from exc
    try:
        if lock.read_only_reason is not None:
            raise read_only_error(path, lock.read_only_reason, doing=doing)
        yield
    finally:
        lock.release()


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise io_error(exc, path, "read") from exc


def _read_manifest(path: Path) -> dict[str, Any]:
    manifest_path = path / layout.MANIFEST_NAME
    try:
        raw = _read_bytes(manifest_path)
    except FileNotFoundError:
        refuse_unless_usable(path)  # a lost manifest, or not a store at all
        raise StoreError(
            _("the store at {path} is empty (no {manifest_name}): nothing to back up").format(
                path=path, manifest_name=layout.MANIFEST_NAME
            ),
            path=str(path),
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
    yield layout.MANIFEST_NAME, _read_bytes(path / layout.MANIFEST_NAME)
    if schema < layout.SCHEMA_VERSION:  # an older layout lives in its manifest file
        return
    for logical, entry in manifest["files"].items():
        raw, _tables = read_listed_file(path, logical, entry)
        del _tables
        yield entry["path"], raw


def _raw_paths(path: Path) -> list[tuple[str, Path]]:
    """Every store file as it is on disk, readable or not (for safety copies)."""
    found: list[tuple[str, Path]] = []
    manifest_path = path / layout.MANIFEST_NAME
    if manifest_path.is_file():
        found.append((layout.MANIFEST_NAME, manifest_path))
    data_dir = path / layout.DATA_DIR
    if data_dir.is_dir():
        try:
            children = sorted(data_dir.iterdir())
        except OSError as exc:
            raise io_error(exc, data_dir, "list") from exc
        for child in children:
            if child.is_file() and temp_target(child.name) is None:
                found.append((f"{layout.DATA_DIR}/{child.name}", child))
    return found


def unlisted_data_files(
    store: Path, listed: AbstractSet[str] = frozenset()
) -> list[tuple[str, Path]]:
    """The data files (named as socialcrm names them) in ``store`` whose relative
    path is not in ``listed``."""
    return [
        (rel, path)
        for rel, path in _raw_paths(store)
        if rel.startswith(f"{layout.DATA_DIR}/")
        and layout.parse_data_file_name(path.name) is not None
        and rel not in listed
    ]


def _raw_files(paths: list[tuple[str, Path]]) -> Iterator[Member]:
    for name, file_path in paths:
        yield name, _read_bytes(file_path)


def _generation_of(manifest: dict[str, Any]) -> int:
    gen = manifest.get("store", {}).get("1", {}).get("generation", 0)
    return gen if isinstance(gen, int) else 0


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
    try:
        children = list(directory.iterdir())
    except OSError as exc:
        raise io_error(exc, directory, "list") from exc
    for child in children:
        m = layout.parse_backup_name(child.name)
        if m is None:
            continue
        created = datetime.strptime(m["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        try:
            size = child.stat().st_size
        except OSError:  # rotated away meanwhile
            continue
        found.append(BackupInfo(child, m["kind"], created, int(m["gen"]), size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name))


def backup(
    path: str | Path,
    keep: int = DEFAULT_KEEP,
    *,
    lock_timeout: float | None = None,
    on_wait: OnWait | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Path:
    """Write a verified backup of the store and keep only the ``keep`` newest backups,
    none older than ``max_age_days`` (:mod:`socialcrm.storage.rotation`).

    Raises :class:`StoreCorruptError` (and writes nothing) if the store is damaged.
    ``lock_timeout`` and ``on_wait``: as for :func:`socialcrm.storage.open_repository`.
    """
    return make_backup(path, keep, wait=(lock_timeout, on_wait), max_age_days=max_age_days)


def make_backup(
    path: str | Path,
    keep: int = DEFAULT_KEEP,
    *,
    kind: str = "backup",
    _locked: bool = False,
    wait: Wait = (None, None),
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Path:
    """:func:`backup` of a given kind; ``pre-restore`` copies files as they are, unchecked."""
    store = Path(path)
    if keep < 1:
        raise StoreError(_("keep must be at least 1"), path=str(store))
    if kind not in BACKUP_KINDS:
        raise StoreError(_("unknown backup kind {kind!r}").format(kind=kind), path=str(store))
    if not _locked:
        refuse_unless_store(store)
    directory = backup_dir(store)
    doing = _("write a backup into {directory}").format(directory=directory)
    with _store_lock(store, _locked, doing, wait):
        members: Iterable[Member]
        if kind == "pre-restore":
            members = _raw_files(_raw_paths(store))
            try:
                generation = _generation_of(_read_manifest(store))
            except SocialCRMError:
                generation = 0
        else:
            manifest, schema = _checked_manifest(store)
            members = _verified_files(store, manifest, schema)
            if kind == "pre-migrate":  # and what the migration will delete (unlisted files)
                members = itertools.chain(members, _raw_files(unlisted_data_files(store)))
            generation = _generation_of(manifest)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = directory / f"{kind}-{stamp}-g{generation:06d}.tar.gz"
        try:
            ensure_dir(directory)
        except OSError as exc:
            raise io_error(exc, directory, "create", hint=_("no backup was written")) from exc
        try:
            # temporary files of a backup killed mid-write: backups are written
            # under the store's exclusive lock, which this process holds
            for leftover in directory.iterdir():
                target_name = temp_target(leftover.name)
                if target_name is not None and layout.parse_backup_name(target_name):
                    with contextlib.suppress(OSError):
                        leftover.unlink()
            write_archive(target, members)
        except OSError as exc:
            where = Path(exc.filename) if exc.filename else directory
            raise io_error(exc, where, "write", hint=_("no backup was written")) from exc
        archives = [(b.path, b.kind, b.created_at) for b in list_backups(store)]
        rotate(archives, kind, keep, max_age_days, target)  # by count and by age
        return target


# --------------------------------------------------------------------------- restore
@frozen
class RestoreResult:
    """What :func:`restore` did: the backup restored and the safety copy made first."""

    restored: Path
    safety_copy: Path | None
    generation: int


def _choose_backup(store: Path, chosen: str | Path | None) -> Path:
    if chosen is None:
        candidates = [b for b in list_backups(store) if b.kind != "pre-restore"]
        if not candidates:
            raise StoreError(
                _("no backup of {store} to restore").format(store=store),
                path=str(store),
                hint=_("backups live in {directory}; pass a backup file explicitly").format(
                    directory=backup_dir(store)
                ),
            )
        return candidates[-1].path
    candidate = Path(chosen).expanduser()
    if not candidate.exists() and (backup_dir(store) / candidate.name).exists():
        candidate = backup_dir(store) / candidate.name
    if not candidate.is_file():
        raise StoreError(_("no backup file {chosen}").format(chosen=chosen), path=str(chosen))
    return candidate


def _unusable_backup(store: Path, archive: Path, detail: str) -> StoreCorruptError:
    """A backup that cannot be restored, with advice that does not send the user back
    to the same backup: the other backups there are, if any."""
    others = [b for b in list_backups(store) if b.path.resolve() != archive.resolve()]
    if others:
        hint = (
            f"the store was not changed; {len(others)} other backup(s): see "
            "'socialcrm restore --list', then run 'socialcrm restore NAME --yes' "
            f"(the newest is {others[-1].path.name})"
        )
    else:
        hint = f"the store was not changed, and there is no other backup in {backup_dir(store)}"
    return StoreCorruptError(path=str(archive), detail=detail, hint=hint)


def restore(
    path: str | Path,
    backup: str | Path | None = None,
    *,
    keep: int = DEFAULT_KEEP,
    lock_timeout: float | None = None,
    on_wait: OnWait | None = None,
) -> RestoreResult:
    """Replace the store by a backup (the newest one by default), atomically.

    The backup is read and verified completely first; then the current files
    (even damaged ones) are saved as a ``pre-restore`` backup; then the
    backup's data files are written under a new generation and the manifest is
    swapped in one ``os.replace``; then the files saved in the safety copy that
    the restored manifest does not list are deleted.  Works on a store whose
    manifest is missing; refuses a directory that is not a store.  ``lock_timeout``
    and ``on_wait``: as for :func:`socialcrm.storage.open_repository`.
    """
    store = Path(path)
    if inspect_directory(store).kind is not DirectoryKind.ORPHANED:
        refuse_unless_usable(store)  # not into ~/Documents
    archive = _choose_backup(store, backup)
    try:
        fh = archive.open("rb")  # kept open: both readings see the same bytes
    except OSError as exc:
        raise _unusable_backup(store, archive, f"unreadable backup ({exc})") from None
    with fh:
        try:
            checked = check_archive(archive, fh)
        except StoreCorruptError as exc:
            raise _unusable_backup(store, archive, exc.detail) from None
        try:
            ensure_dir(store)
        except OSError as exc:
            raise io_error(exc, store, "create the store directory") from exc
        with _store_lock(store, False, _("restore a backup into it"), (lock_timeout, on_wait)):
            safety: Path | None = None
            if _raw_paths(store):
                safety = make_backup(store, keep, kind="pre-restore", _locked=True)
            # every data file here is in the safety copy now: garbage once the
            # restored manifest is in, which retires them (storage.sweep)
            retired = sorted(rel for rel, _path in unlisted_data_files(store))
            # the next generation of this directory, whatever the backup's: its
            # files get names no file here has (a leftover one either)
            generation = max(highest_generation(store), _current_generation(store)) + 1
            if inspect_directory(store).kind is DirectoryKind.EMPTY:
                _mark_as_store(store)
            manifest = _write_restored(store, archive, fh, checked, generation, retired)
            sweep(store, {}, manifest)
    return RestoreResult(archive, safety, generation)


def _mark_as_store(store: Path) -> None:
    """Give a new store its empty manifest before any data file, as a first commit
    does (``storage.directory``): a restore interrupted before its manifest swap
    then leaves an empty store, not data files without a manifest."""
    try:
        write_atomic(store / layout.MANIFEST_NAME, encode_tables(empty_manifest()))
    except OSError as exc:
        raise io_error(exc, store / layout.MANIFEST_NAME, "write") from exc


def _write_restored(
    store: Path,
    archive: Path,
    fh: BinaryIO,
    checked: Checked,
    generation: int,
    retired: list[str],
) -> dict[str, Any]:
    """Second reading: write each verified data file under ``generation``, then swap
    the manifest in (the store changes only then), retiring ``retired``; returns the
    manifest, for the sweep.  An OS error before the swap removes the files written
    (nothing was changed) and raises StoreError."""
    written: list[Path] = []
    before = _manifest_signature(store)
    try:
        if checked.schema < layout.SCHEMA_VERSION:
            # an older-schema store: put it back as it was; opening it migrates it
            # (and saves, then retires, the data files its manifest cannot list)
            write_atomic(store / layout.MANIFEST_NAME, checked.manifest_bytes)
            return {"store": {"1": {"generation": generation}}, layout.RETIRED_TABLE: {}}
        wanted = checked.wanted()
        files: dict[str, Any] = {}
        data_dir = store / layout.DATA_DIR
        ensure_dir(data_dir)
        for name, raw in archive_members(archive, fh):
            if name not in wanted:
                continue
            logical, entry = wanted[name]
            if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
                continue  # an earlier copy of a member stored twice: the last one counts
            rel = layout.data_file_name(logical, generation)
            written.append(store / rel)
            write_atomic(store / rel, raw, sync_dir=False)
            files[logical] = {**entry, "path": rel}
        if len(files) != len(wanted):  # pragma: no cover - the first reading checked them all
            raise StoreCorruptError(path=str(archive), detail=_("changed while being restored"))
        fsync_dir(data_dir)
        # the backup's own "retired" list named files of its store, not of this one
        manifest = {**checked.manifest, "files": files}
        manifest[layout.RETIRED_TABLE] = {rel: {} for rel in retired}
        manifest["store"]["1"]["generation"] = generation
        write_atomic(store / layout.MANIFEST_NAME, encode_tables(manifest))
        return manifest
    except OSError as exc:
        if _manifest_signature(store) == before:  # the manifest swap did not happen
            for path in written:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise not_written_error(exc, store) from exc
        where = Path(exc.filename) if exc.filename else store
        hint = "the backup is restored but may not survive a power cut; run 'socialcrm doctor'"
        raise io_error(exc, where, "make durable", hint=hint) from exc


def _manifest_signature(store: Path) -> tuple[int, int, int] | None:
    try:
        st = (store / layout.MANIFEST_NAME).stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _current_generation(store: Path) -> int:
    with contextlib.suppress(SocialCRMError, OSError):
        return _generation_of(_read_manifest(store))
    return 0
