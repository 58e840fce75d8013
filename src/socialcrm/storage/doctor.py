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
from socialcrm.i18n import os_reason
from socialcrm.i18n import text as _
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
        return _(
            "run 'socialcrm restore --yes' to bring back the newest backup ({name}); "
            "the current files are kept in a pre-restore backup"
        ).format(name=chosen[-1].path.name)
    if backups:
        return _(
            "run 'socialcrm restore {name} --yes' (the only backups are pre-restore copies: "
            "see 'socialcrm restore --list')"
        ).format(name=backups[-1].path.name)
    return _(
        "there is no backup in {directory}: if you have one elsewhere, run "
        "'socialcrm restore FILE --yes'; commands needing this file fail until then"
    ).format(directory=backup_dir(store))


def chmod_command(path: Path | str, mode: int) -> str:
    """The command that gives ``path`` its private ``mode`` (a command: never translated)."""
    return f"chmod {mode:o} '{path}'"


def _mode_findings(path: Path, expected: int, findings: list[Finding]) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        if path.is_dir():
            message = _(
                "directory is accessible to other users (mode {mode}); it holds personal data"
            )
        else:
            message = _("file is accessible to other users (mode {mode}); it holds personal data")
        findings.append(
            Finding(
                "warning",
                "permissions",
                message.format(mode=f"{mode:04o}"),
                str(path),
                chmod_command(path, expected),
            )
        )


def _unreadable(exc: OSError, path: Path) -> Finding:
    where = Path(exc.filename) if isinstance(exc.filename, str) else path
    return Finding(
        "error",
        "unreadable",
        _("cannot read: {reason}").format(reason=os_reason(exc)),
        str(where),
        _(
            "give your user read access to it (ls -l '{path}'), then run 'socialcrm doctor' again"
        ).format(path=where),
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
        findings.insert(0, Finding("ok", "healthy", _("the store is readable and consistent")))
    return report


def _check(store: Path, report: DoctorReport, deep: bool) -> None:
    findings = report.findings
    found = inspect_directory(store)
    if found.kind is DirectoryKind.MISSING:
        findings.append(
            Finding(
                "error",
                "missing",
                _("no store here"),
                str(store),
                _("check --db / SOCIALCRM_DB; a store is created by the first command that writes"),
            )
        )
        return
    if found.kind is DirectoryKind.NOT_A_DIRECTORY:
        findings.append(
            Finding(
                "error",
                "not-a-store",
                _("not a directory"),
                str(store),
                _("pass the store dir"),
            )
        )
        return
    if found.kind is DirectoryKind.FOREIGN:
        assert found.example is not None  # what made it foreign
        findings.append(
            Finding(
                "error",
                "not-a-store",
                _("not a socialcrm store, and not empty (it holds {name})").format(
                    name=found.example.name
                ),
                str(store),
                _(
                    "pass an empty or new directory with --db or SOCIALCRM_DB; "
                    "socialcrm never writes into this one"
                ),
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
                _("another process holds the store's lock; results may be out of date"),
                str(store / layout.LOCK_NAME),
                _(
                    "wait for the other socialcrm command to finish (the lock is released "
                    "automatically when a process ends)"
                ),
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
                        _("the store can be read but not changed ({reason})").format(
                            reason=lock.read_only_reason
                        ),
                        str(store),
                        _("commands that only read it work; make it writable to change it"),
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
            _(
                "backups are rotated by count (--keep, default {keep}) and by age: none "
                "older than {days} days survives the next backup; erasures "
                "rewrite the backups holding the person"
            ).format(keep=DEFAULT_KEEP, days=DEFAULT_MAX_AGE_DAYS),
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
                _("{count} backup(s) older than {days} days still hold personal data").format(
                    count=len(old), days=DEFAULT_MAX_AGE_DAYS
                ),
                str(old[0]),
                _("run 'socialcrm backup' (rotation deletes them)"),
            )
        )
    if not backups:
        findings.append(
            Finding("info", "no-backup", _("no backup yet"), None, _("run 'socialcrm backup'"))
        )
    else:
        last = backups[-1]
        findings.append(
            Finding(
                "info",
                "backups",
                _("{count} backup(s), the newest from {date} UTC").format(
                    count=len(backups), date=f"{last.created_at:%Y-%m-%d %H:%M}"
                ),
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
                _(
                    "{count} data file(s) or backup(s) but no {manifest}, "
                    "which lists the store's files: it was deleted or lost; every other "
                    "command refuses this store, and nothing was changed"
                ).format(count=found.artefacts, manifest=layout.MANIFEST_NAME),
                str(manifest_path),
                no_manifest_advice(store, found.restorable),
            )
        )
        return
    if found.kind is not DirectoryKind.STORE:
        findings.append(Finding("info", "empty", _("the store is empty (nothing written yet)")))
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
                _(
                    "schema version {schema} is newer than this socialcrm supports ({supported})"
                ).format(schema=schema, supported=layout.SCHEMA_VERSION),
                str(manifest_path),
                _("upgrade socialcrm (pip install -U socialcrm); the store was not modified"),
            )
        )
        return
    if schema < layout.SCHEMA_VERSION:
        findings.append(
            Finding(
                "warning",
                "schema-older",
                _("schema version {schema}; the current one is {current}").format(
                    schema=schema, current=layout.SCHEMA_VERSION
                ),
                str(manifest_path),
                _("it is migrated automatically (after a backup) by the next socialcrm command"),
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
                Finding(
                    "error", "missing-file", _("listed but missing"), str(file_path), restore_fix
                )
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
                    _(
                        "size or checksum differs from the manifest: the file was damaged or "
                        "edited by hand"
                    ),
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
                _(
                    "{count} unreferenced file(s) left by an interrupted write "
                    "(e.g. {name}); they are not part of the store"
                ).format(count=len(found.removable), name=found.removable[0].name),
                str(found.removable[0].parent),
                _("nothing to do: the next write removes them"),
            )
        )
    if found.stale:
        findings.append(
            Finding(
                "info",
                "stale-files",
                _(
                    "{count} data file(s) of earlier commits that the manifest does "
                    "not list (e.g. {name}): they are not part of the store, and "
                    "no commit will use their names again, so socialcrm leaves them alone"
                ).format(count=len(found.stale), name=found.stale[0].name),
                str(found.stale[0].parent),
                _(
                    "to reclaim the space, delete them (e.g. rm '{path}'); nothing refers to them"
                ).format(path=found.stale[0]),
            )
        )
    if found.newer:
        findings.append(
            Finding(
                "warning",
                "newer-files",
                _(
                    "{count} data file(s) named for a later commit than the "
                    "manifest's (e.g. {name}): an interrupted restore, or a "
                    "{manifest} replaced by an older copy of itself"
                ).format(
                    count=len(found.newer), name=found.newer[0].name, manifest=layout.MANIFEST_NAME
                ),
                str(found.newer[0].parent),
                _(
                    "if you replaced store.json by hand, put the newer one back; otherwise "
                    "'socialcrm restore --yes' (or 'socialcrm restore --list') starts over "
                    "and keeps every file in a pre-restore backup"
                ),
            )
        )
    if found.unknown:
        findings.append(
            Finding(
                "info",
                "unknown-files",
                _(
                    "{count} file(s) in {directory}/ that socialcrm did not write (e.g. {name}); "
                    "they are ignored"
                ).format(
                    count=len(found.unknown), directory=layout.DATA_DIR, name=found.unknown[0].name
                ),
                str(found.unknown[0].parent),
                _("move them out of the store's directory"),
            )
        )


def file_mode(path: Path) -> int:
    """Permission bits of ``path`` (for tests and reports)."""
    return stat.S_IMODE(os.stat(path).st_mode)  # noqa: PTH116
