"""Checking a store's health without changing it: ``socialcrm doctor``.

:func:`doctor` reads the store's raw files (:mod:`socialcrm.storage.files`,
never tinydb: it must explain a store that cannot be opened) and reports
integrity, schema, permissions, the lock, the indexes and the backups.  It only
reports, never "repairs": each finding says what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from attrs import define, field, frozen

from socialcrm.errors import SocialCRMError, StoreCorruptError, StoreLockedError
from socialcrm.storage import layout
from socialcrm.storage.atomic import FILE_MODE, TMP_SUFFIX
from socialcrm.storage.backups import backup_dir, list_backups
from socialcrm.storage.files import check_manifest, decode_tables, digest, manifest_header
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env

__all__ = ["DoctorReport", "Finding", "doctor", "file_mode"]


@frozen
class Finding:
    """One observation of :func:`doctor`; ``fix`` says what to do about it."""

    level: str  # "ok", "info", "warning" or "error"
    code: str
    message: str
    path: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "fix": self.fix,
        }


@define
class DoctorReport:
    """Everything :func:`doctor` found; ``problems`` are the warnings and errors."""

    path: str
    schema: int | None = None
    generation: int | None = None
    prospects: int | None = None
    events: int | None = None
    findings: list[Finding] = field(factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level in ("warning", "error")]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "schema": self.schema,
            "generation": self.generation,
            "prospects": self.prospects,
            "events": self.events,
            "findings": [f.to_dict() for f in self.findings],
        }


_RESTORE_FIX = "run 'socialcrm restore' to bring back the last backup (the file is left as it is)"


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


def doctor(path: str | Path, *, deep: bool = True) -> DoctorReport:
    """Check a store without changing it: files, checksums, schema, permissions, lock, links.

    ``deep`` also validates every prospect and event document and the indexes.
    """
    store = Path(path)
    findings: list[Finding] = []
    report = DoctorReport(str(store), findings=findings)
    if not store.exists():
        findings.append(
            Finding(
                "error",
                "missing",
                "no store here",
                str(store),
                "check --db / SOCIALCRM_DB; a store is created by the first command that writes",
            )
        )
        return report
    if not store.is_dir():
        findings.append(
            Finding("error", "not-a-store", "not a directory", str(store), "pass the store dir")
        )
        return report
    _mode_findings(store, 0o700, findings)
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
            _diagnose(store, report, deep)
        finally:
            lock.release()
    _backup_findings(store, findings)
    if not report.problems:
        findings.insert(0, Finding("ok", "healthy", "the store is readable and consistent"))
    return report


def _backup_findings(store: Path, findings: list[Finding]) -> None:
    backups = list_backups(store)
    if backup_dir(store).is_dir():
        _mode_findings(backup_dir(store), 0o700, findings)
    for b in backups:
        _mode_findings(b.path, FILE_MODE, findings)
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
    data_dir = store / layout.DATA_DIR
    if not manifest_path.exists():
        leftovers = sorted(data_dir.iterdir()) if data_dir.is_dir() else []
        if leftovers:
            findings.append(
                Finding(
                    "warning",
                    "no-manifest",
                    f"{len(leftovers)} data file(s) but no {layout.MANIFEST_NAME}: the first "
                    "write was interrupted, or the manifest was deleted",
                    str(manifest_path),
                    _RESTORE_FIX + "; with no backup the store is empty",
                )
            )
        else:
            findings.append(Finding("info", "empty", "the store is empty (nothing written yet)"))
        return
    _mode_findings(manifest_path, FILE_MODE, findings)
    try:
        manifest = decode_tables(manifest_path.read_bytes(), manifest_path)
        header = manifest_header(manifest, manifest_path)
    except StoreCorruptError as exc:
        findings.append(Finding("error", "corrupt", exc.message, str(manifest_path), _RESTORE_FIX))
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
        findings.append(Finding("error", "corrupt", exc.message, str(manifest_path), _RESTORE_FIX))
        return
    report.generation = header["generation"]
    # One data file at a time: read, verify, decode, check, drop.  Only what the
    # cross-file checks need (ids, index keys, pipeline names) outlives a file.
    checks = _DeepChecks(store, header) if deep else None
    for logical, entry in sorted(manifest["files"].items()):
        file_path = store / entry["path"]
        try:
            raw = file_path.read_bytes()
        except FileNotFoundError:
            findings.append(
                Finding("error", "missing-file", "listed but missing", str(file_path), _RESTORE_FIX)
            )
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
                    _RESTORE_FIX,
                )
            )
            checks = None
            continue
        try:
            data = decode_tables(raw, file_path)
        except StoreCorruptError as exc:
            findings.append(Finding("error", "corrupt", exc.detail, str(file_path), _RESTORE_FIX))
            checks = None
            continue
        del raw
        if checks is not None:
            checks.add(logical, data, str(file_path))
        del data
    referenced = {entry["path"] for entry in manifest["files"].values()}
    stray = sorted(store.glob(f".{layout.MANIFEST_NAME}.*{TMP_SUFFIX}"))
    if data_dir.is_dir():
        stray += [
            child
            for child in sorted(data_dir.iterdir())
            if f"{layout.DATA_DIR}/{child.name}" not in referenced
        ]
    if stray:
        findings.append(
            Finding(
                "info",
                "leftovers",
                f"{len(stray)} unreferenced file(s) left by an interrupted write "
                f"(e.g. {stray[0].name}); they are not part of the store",
                str(stray[0].parent),
                "nothing to do: the next write removes them",
            )
        )
    if checks is not None and not any(f.level == "error" for f in findings):
        checks.finish(manifest, report)


_MAX_BAD_DOCUMENTS = 5  # invalid prospects (and events) reported one by one


class _DeepChecks:
    """Validate documents and cross-check indexes (reported, never repaired).

    Fed one decoded data file at a time (:meth:`add`, in the manifest's sorted
    order) so that a 30,000-prospect store is never held in memory whole: it
    keeps per prospect only its id, pipeline and identity keys, and per index
    entry only its key and target.  Findings are buffered per check and
    emitted by :meth:`finish` in the order of the checks, whatever the file
    order, and only if reading every file raised no error.
    """

    def __init__(self, store: Path, header: dict[str, Any]) -> None:
        from socialcrm.serialization import event_from_dict, prospect_from_dict

        self._prospect_from_dict = prospect_from_dict
        self._event_from_dict = event_from_dict
        self.data_dir = str(store / layout.DATA_DIR)
        self.shards: int = header["prospect_shards"]
        self.key_shards: int = header["key_shards"]
        self.locator_shards: int = header["locator_shards"]
        self.id_shards: int = header["id_shards"]
        # prospects: id -> (stored "pipeline" value, its identity index keys)
        self.prospects: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self.located: dict[str, str] = {}
        self.bad_prospects = 0
        self.prospect_findings: list[Finding] = []
        self.locator: dict[str, str] = {}
        self.locator_findings: list[Finding] = []
        self.ids: dict[str, Any] = {}
        self.ids_findings: list[Finding] = []
        self.indexed: dict[str, Any] = {}
        self.key_findings: list[Finding] = []
        self.n_events = 0
        self.event_owners: list[str] = []
        self.bad_events = 0
        self.event_findings: list[Finding] = []

    def add(self, logical: str, data: dict[str, Any], where: str) -> None:
        """Check one decoded data file and keep what the cross-file checks need."""
        kind = logical[:2]
        if kind == "p-":
            self._prospects(logical, data, where)
        elif kind == "l-":
            for pid, doc in data.get("locations", {}).items():
                self.locator[pid] = str(doc.get("file"))
                if layout.locator_file(pid, self.locator_shards) != logical:
                    self.locator_findings.append(
                        Finding("error", "misplaced", f"locator of {pid} in wrong shard", where)
                    )
        elif kind == "i-":
            for pipeline_name, doc in data.get("pipelines", {}).items():
                for pid in doc.get("ids", ()):
                    self.ids[pid] = pipeline_name
                    if layout.ids_file(pid, self.id_shards) != logical:
                        self.ids_findings.append(
                            Finding("error", "misplaced", f"id {pid} in wrong shard", where)
                        )
        elif kind == "k-":
            for key, doc in data.get("identities", {}).items():
                self.indexed[key] = doc.get("id")
                if layout.key_file(key, self.key_shards) != logical:
                    self.key_findings.append(
                        Finding("error", "misplaced", f"key {key!r} in wrong shard", where)
                    )
        elif kind == "e-":
            self._events(data, where)

    def _prospects(self, logical: str, data: dict[str, Any], where: str) -> None:
        for pid, doc in data.get("prospects", {}).items():
            self.prospects[pid] = (doc.get("pipeline"), _identity_keys(doc))
            try:
                self._prospect_from_dict(doc)
            except SocialCRMError as exc:
                self.bad_prospects += 1
                if self.bad_prospects <= _MAX_BAD_DOCUMENTS:
                    self.prospect_findings.append(
                        Finding("error", "bad-prospect", f"{pid}: {exc}", where)
                    )
            if layout.prospect_file(pid, str(doc.get("stage")), self.shards) != logical:
                self.prospect_findings.append(
                    Finding("error", "misplaced", f"prospect {pid} in wrong shard", where)
                )
            self.located[pid] = logical

    def _events(self, data: dict[str, Any], where: str) -> None:
        for pid, doc in data.get("events", {}).items():
            events = doc.get("events", [])
            self.n_events += len(events)
            self.event_owners.append(pid)
            for event in events:
                try:
                    self._event_from_dict(event)
                except SocialCRMError as exc:
                    self.bad_events += 1
                    if self.bad_events <= _MAX_BAD_DOCUMENTS:
                        self.event_findings.append(
                            Finding("error", "bad-event", f"{pid}: {exc}", where)
                        )

    def finish(self, manifest: dict[str, Any], report: DoctorReport) -> None:
        """Run the cross-file checks and append every finding, in the checks' order."""
        findings = report.findings
        prospects = self.prospects
        findings += self.prospect_findings
        findings += self.locator_findings
        if self.locator != self.located:
            findings.append(
                Finding(
                    "error",
                    "locator",
                    "the locator differs from where prospects are "
                    f"({len(self.located.keys() - self.locator.keys())} not located, "
                    f"{len(self.locator.keys() - self.located.keys())} located but absent)",
                    self.data_dir,
                    _RESTORE_FIX,
                )
            )
        findings += self.ids_findings
        wrong_pipeline = sorted(
            pid for pid, name in self.ids.items() if pid in prospects and prospects[pid][0] != name
        )
        if wrong_pipeline:
            findings.append(
                Finding(
                    "error",
                    "ids-index",
                    f"{len(wrong_pipeline)} prospect(s) indexed under the wrong pipeline "
                    f"(e.g. {wrong_pipeline[0]})",
                    self.data_dir,
                    _RESTORE_FIX,
                )
            )
        missing_ids = prospects.keys() - self.ids.keys()
        dangling_ids = self.ids.keys() - prospects.keys()
        if missing_ids or dangling_ids:
            findings.append(
                Finding(
                    "error",
                    "ids-index",
                    f"id index out of step: {len(missing_ids)} prospect(s) not indexed, "
                    f"{len(dangling_ids)} indexed id(s) without prospect",
                    self.data_dir,
                    _RESTORE_FIX,
                )
            )
        pipelines = manifest.get("pipelines", {})
        used = {str(pipeline) for pipeline, _keys in prospects.values()}
        unknown_pipelines = sorted(used - set(pipelines))
        if unknown_pipelines:
            findings.append(
                Finding(
                    "info",
                    "pipelines",
                    "prospects in pipeline(s) not declared: "
                    f"{', '.join(map(str, unknown_pipelines))}",
                    None,
                    "create them with 'socialcrm pipeline create NAME' to give them settings",
                )
            )
        expected_keys = {key: pid for pid, (_p, keys) in prospects.items() for key in keys}
        findings += self.key_findings
        if self.indexed != expected_keys:
            findings.append(
                Finding(
                    "error",
                    "identity-index",
                    "identity index differs from the prospects' identities",
                    self.data_dir,
                    _RESTORE_FIX,
                )
            )
        findings += self.event_findings
        orphans = [pid for pid in self.event_owners if pid not in prospects]
        if orphans:
            findings.append(
                Finding(
                    "warning",
                    "orphan-events",
                    f"events of {len(orphans)} deleted or unknown prospect(s) (e.g. {orphans[0]})",
                    self.data_dir,
                    "harmless, they are never shown; restore a backup if prospects went missing",
                )
            )
        report.prospects = len(prospects)
        report.events = self.n_events


def _identity_keys(doc: dict[str, Any]) -> tuple[str, ...]:
    """The identity-index keys a prospect document should have (``pipeline\tnetwork:handle``).

    A malformed identity is skipped here: the document is already reported as
    a bad prospect, and the index check must not crash on it.
    """
    pipeline = doc.get("pipeline", "default")
    identities = doc.get("identities", ())
    if not isinstance(identities, list):
        return ()
    return tuple(
        f"{pipeline}\t{ident['network']}:{ident['handle']}"
        for ident in identities
        if isinstance(ident, dict) and "network" in ident and "handle" in ident
    )


def file_mode(path: Path) -> int:
    """Permission bits of ``path`` (for tests and reports)."""
    return stat.S_IMODE(os.stat(path).st_mode)  # noqa: PTH116
