"""Checking a store's health without changing it: ``socialcrm doctor``.

:func:`doctor` reads the store's raw files (:mod:`socialcrm.storage.files`,
never tinydb: it must explain a store that cannot be opened) and reports
integrity, schema, permissions, the lock, the indexes and the backups.  It only
reports, never "repairs": each finding says what to do, and what it says is
true of this store (``restore`` is advised only where there is a backup to
restore).  It works on a read-only store, and a file it cannot read is a
finding, never a crash.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialcrm.atomic_files import FILE_MODE
from socialcrm.errors import SocialCRMError, StoreCorruptError, StoreLockedError
from socialcrm.storage import layout
from socialcrm.storage.backups import DEFAULT_KEEP, backup_dir, list_backups
from socialcrm.storage.consistency import DeepChecks
from socialcrm.storage.directory import DirectoryKind, inspect_directory
from socialcrm.storage.files import check_manifest, decode_tables, digest, manifest_header
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env
from socialcrm.storage.problems import no_manifest_advice
from socialcrm.storage.report import DoctorReport, Finding
from socialcrm.storage.rotation import DEFAULT_MAX_AGE_DAYS, expired
from socialcrm.storage.sweep import leftovers

__all__ = ["DoctorReport", "Finding", "doctor", "file_mode"]


def _restore_fix(store: Path) -> str:
    """What to do about damage: restore the newest backup, if there is one to restore."""
    try:
        backups = list_backups(store)
    except SocialCRMError:
        backups = []
    chosen = [b for b in backups if b.kind != "pre-restore"]
    if chosen:
        return (
            f"run 'socialcrm restore --yes' to bring back the newest backup "
            f"({chosen[-1].path.name}); the current files are kept in a pre-restore backup"
        )
    if backups:
        return (
            f"run 'socialcrm restore {backups[-1].path.name} --yes' (the only backups are "
            "pre-restore copies: see 'socialcrm restore --list')"
        )
    return (
        f"there is no backup in {backup_dir(store)}: if you have one elsewhere, run "
        "'socialcrm restore FILE --yes'; commands needing this file fail until then"
    )


def _mode_findings(path: Path, expected: int, findings: list[Finding]) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        what = "directory" if path.is_dir() else "file"
        findings.append(
            Finding(
                "warning",
                "permissions",
                f"{what} is accessible to other users (mode {mode:04o}); it holds personal data",
                str(path),
                f"chmod {expected:o} '{path}'",
            )
        )


def _unreadable(exc: OSError, path: Path) -> Finding:
    where = Path(exc.filename) if isinstance(exc.filename, str) else path
    return Finding(
        "error",
        "unreadable",
        f"cannot read: {exc.strerror or exc}",
        str(where),
        f"give your user read access to it (ls -l '{where}'), then run 'socialcrm doctor' again",
    )


def doctor(path: str | Path, *, deep: bool = True) -> DoctorReport:
    """Check a store without changing it: files, checksums, schema, permissions, lock, links.

    ``deep`` also validates every prospect and event document and the indexes.
    """
    store = Path(path)
    findings: list[Finding] = []
    report = DoctorReport(str(store), findings=findings)
    try:
        _check(store, report, deep)
    except OSError as exc:  # anything not read where expected (the store's directory…)
        findings.append(_unreadable(exc, store))
    except SocialCRMError as exc:
        findings.append(Finding("error", "unreadable", exc.message, str(store), exc.hint))
    if not report.problems:
        findings.insert(0, Finding("ok", "healthy", "the store is readable and consistent"))
    return report


def _check(store: Path, report: DoctorReport, deep: bool) -> None:
    findings = report.findings
    found = inspect_directory(store)
    if found.kind is DirectoryKind.MISSING:
        findings.append(
            Finding(
                "error",
                "missing",
                "no store here",
                str(store),
                "check --db / SOCIALCRM_DB; a store is created by the first command that writes",
            )
        )
        return
    if found.kind is DirectoryKind.NOT_A_DIRECTORY:
        findings.append(
            Finding("error", "not-a-store", "not a directory", str(store), "pass the store dir")
        )
        return
    if found.kind is DirectoryKind.FOREIGN:
        assert found.example is not None  # what made it foreign
        findings.append(
            Finding(
                "error",
                "not-a-store",
                f"not a socialcrm store, and not empty (it holds {found.example.name})",
                str(store),
                "pass an empty or new directory with --db or SOCIALCRM_DB; "
                "socialcrm never writes into this one",
            )
        )
        return
    _mode_findings(store, 0o700, findings)
    if found.kind is not DirectoryKind.STORE and not (store / layout.LOCK_NAME).exists():
        # no store yet (or its manifest lost), never locked: create no lock file
        _diagnose(store, report, deep)
        _backup_findings(store, findings)
        return
    lock = StoreLock(
        store / layout.LOCK_NAME, store_path=store, timeout=min(lock_timeout_from_env(), 2.0)
    )
    try:
        lock.acquire()
    except StoreLockedError:
        findings.append(
            Finding(
                "warning",
                "locked",
                "another process holds the store's lock; results may be out of date",
                str(store / layout.LOCK_NAME),
                "wait for the other socialcrm command to finish (the lock is released "
                "automatically when a process ends)",
            )
        )
        _diagnose(store, report, deep)
    else:
        try:
            if lock.read_only_reason is not None:
                findings.append(
                    Finding(
                        "info",
                        "read-only",
                        f"the store can be read but not changed ({lock.read_only_reason})",
                        str(store),
                        "commands that only read it work; make it writable to change it",
                    )
                )
            _diagnose(store, report, deep)
        finally:
            lock.release()
    _backup_findings(store, findings)


def _backup_findings(store: Path, findings: list[Finding]) -> None:
    backups = list_backups(store)
    if backup_dir(store).is_dir():
        _mode_findings(backup_dir(store), 0o700, findings)
    for b in backups:
        _mode_findings(b.path, FILE_MODE, findings)
    findings.append(
        Finding(
            "info",
            "backup-rotation",
            f"backups are rotated by count (--keep, default {DEFAULT_KEEP}) and by age: none "
            f"older than {DEFAULT_MAX_AGE_DAYS} days survives the next backup; erasures "
            "rewrite the backups holding the person",
            str(backup_dir(store)),
        )
    )
    now = datetime.now(UTC)
    old = expired([(b.path, b.created_at) for b in backups], DEFAULT_MAX_AGE_DAYS, now)
    if old:
        findings.append(
            Finding(
                "warning",
                "backup-too-old",
                f"{len(old)} backup(s) older than {DEFAULT_MAX_AGE_DAYS} days still hold "
                "personal data",
                str(old[0]),
                "run 'socialcrm backup' (rotation deletes them)",
            )
        )
    if not backups:
        findings.append(
            Finding("info", "no-backup", "no backup yet", None, "run 'socialcrm backup'")
        )
    else:
        last = backups[-1]
        findings.append(
            Finding(
                "info",
                "backups",
                f"{len(backups)} backup(s), the newest from {last.created_at:%Y-%m-%d %H:%M} UTC",
                str(last.path),
            )
        )


def _diagnose(store: Path, report: DoctorReport, deep: bool) -> None:
    findings = report.findings
    manifest_path = store / layout.MANIFEST_NAME
    found = inspect_directory(store)  # again, under the lock
    if found.kind is DirectoryKind.ORPHANED:
        findings.append(
            Finding(
                "error",
                "no-manifest",
                f"{found.artefacts} data file(s) or backup(s) but no {layout.MANIFEST_NAME}, "
                "which lists the store's files: it was deleted or lost; every other "
                "command refuses this store, and nothing was changed",
                str(manifest_path),
                no_manifest_advice(store, found.restorable),
            )
        )
        return
    if found.kind is not DirectoryKind.STORE:
        findings.append(Finding("info", "empty", "the store is empty (nothing written yet)"))
        return
    _mode_findings(manifest_path, FILE_MODE, findings)
    restore_fix = _restore_fix(store)
    try:
        manifest = decode_tables(manifest_path.read_bytes(), manifest_path)
        header = manifest_header(manifest, manifest_path)
    except OSError as exc:
        findings.append(_unreadable(exc, manifest_path))
        return
    except StoreCorruptError as exc:
        findings.append(Finding("error", "corrupt", exc.message, str(manifest_path), restore_fix))
        return
    schema = header["schema"]
    report.schema = schema
    if schema > layout.SCHEMA_VERSION:
        findings.append(
            Finding(
                "error",
                "schema-newer",
                f"schema version {schema} is newer than this socialcrm supports "
                f"({layout.SCHEMA_VERSION})",
                str(manifest_path),
                "upgrade socialcrm (pip install -U socialcrm); the store was not modified",
            )
        )
        return
    if schema < layout.SCHEMA_VERSION:
        findings.append(
            Finding(
                "warning",
                "schema-older",
                f"schema version {schema}; the current one is {layout.SCHEMA_VERSION}",
                str(manifest_path),
                "it is migrated automatically (after a backup) by the next socialcrm command",
            )
        )
        return
    try:
        check_manifest(manifest, manifest_path)
    except StoreCorruptError as exc:
        findings.append(Finding("error", "corrupt", exc.message, str(manifest_path), restore_fix))
        return
    report.generation = header["generation"]
    # One data file at a time: read, verify, decode, check, drop.  Only what the
    # cross-file checks need (ids, index keys, pipeline names) outlives a file.
    checks = DeepChecks(store, header, restore_fix) if deep else None
    for logical, entry in sorted(manifest["files"].items()):
        file_path = store / entry["path"]
        try:
            raw = file_path.read_bytes()
        except FileNotFoundError:
            findings.append(
                Finding("error", "missing-file", "listed but missing", str(file_path), restore_fix)
            )
            checks = None
            continue
        except OSError as exc:
            findings.append(_unreadable(exc, file_path))
            checks = None
            continue
        _mode_findings(file_path, FILE_MODE, findings)
        if len(raw) != entry["size"] or digest(raw) != entry["crc32"]:
            findings.append(
                Finding(
                    "error",
                    "checksum",
                    "size or checksum differs from the manifest: the file was damaged or "
                    "edited by hand",
                    str(file_path),
                    restore_fix,
                )
            )
            checks = None
            continue
        try:
            data = decode_tables(raw, file_path)
        except StoreCorruptError as exc:
            findings.append(Finding("error", "corrupt", exc.detail, str(file_path), restore_fix))
            checks = None
            continue
        del raw
        if checks is not None:
            checks.add(logical, data, str(file_path))
        del data
    _leftover_findings(store, manifest, findings)
    if checks is not None and not any(f.level == "error" for f in findings):
        checks.finish(manifest, report)


def _leftover_findings(store: Path, manifest: Mapping[str, Any], findings: list[Finding]) -> None:
    """Files the manifest does not list (``storage.sweep``: which ones a commit removes)."""
    found = leftovers(store, manifest)
    if found.removable:
        findings.append(
            Finding(
                "info",
                "leftovers",
                f"{len(found.removable)} unreferenced file(s) left by an interrupted write "
                f"(e.g. {found.removable[0].name}); they are not part of the store",
                str(found.removable[0].parent),
                "nothing to do: the next write removes them",
            )
        )
    if found.stale:
        findings.append(
            Finding(
                "info",
                "stale-files",
                f"{len(found.stale)} data file(s) of earlier commits that the manifest does "
                f"not list (e.g. {found.stale[0].name}): they are not part of the store, and "
                "no commit will use their names again, so socialcrm leaves them alone",
                str(found.stale[0].parent),
                "to reclaim the space, delete them (e.g. rm "
                f"'{found.stale[0]}'); nothing refers to them",
            )
        )
    if found.newer:
        findings.append(
            Finding(
                "warning",
                "newer-files",
                f"{len(found.newer)} data file(s) named for a later commit than the "
                f"manifest's (e.g. {found.newer[0].name}): an interrupted restore, or a "
                f"{layout.MANIFEST_NAME} replaced by an older copy of itself",
                str(found.newer[0].parent),
                "if you replaced store.json by hand, put the newer one back; otherwise "
                "'socialcrm restore --yes' (or 'socialcrm restore --list') starts over "
                "and keeps every file in a pre-restore backup",
            )
        )
    if found.unknown:
        findings.append(
            Finding(
                "info",
                "unknown-files",
                f"{len(found.unknown)} file(s) in {layout.DATA_DIR}/ that socialcrm did not "
                f"write (e.g. {found.unknown[0].name}); they are ignored",
                str(found.unknown[0].parent),
                "move them out of the store's directory",
            )
        )


def file_mode(path: Path) -> int:
    """Permission bits of ``path`` (for tests and reports)."""
    return stat.S_IMODE(os.stat(path).st_mode)  # noqa: PTH116
