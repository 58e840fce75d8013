"""Looking after a store: integrity checks, rotating backups, restore.

Nothing here "repairs" data silently: :func:`doctor` only reports, each
finding saying what to do; :func:`restore` replaces the whole store by a
verified backup after keeping a safety copy of what was there.

A backup is one ``.tar.gz`` file in ``<store>/backups/`` holding the manifest
and the data files it lists, exactly as they were (checked against their
checksums first: a damaged store is never backed up over good backups).  It is
written like every store file: temporary file, ``fsync``, ``os.replace``,
mode 0600.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from attrs import define, field, frozen

from socialcrm.errors import (
    SchemaVersionError,
    SocialCRMError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
)
from socialcrm.storage import layout
from socialcrm.storage.atomic import (
    FILE_MODE,
    TMP_SUFFIX,
    ensure_dir,
    fsync_dir,
    write_atomic,
)
from socialcrm.storage.locking import StoreLock, lock_timeout_from_env

__all__ = [
    "DEFAULT_KEEP",
    "BackupInfo",
    "DoctorReport",
    "Finding",
    "RestoreResult",
    "backup",
    "doctor",
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
    from socialcrm.storage.tinydb import decode_tables, manifest_header

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
    from socialcrm.storage.tinydb import check_manifest, decode_tables, digest, manifest_header

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
    from socialcrm.storage.tinydb import (
        check_manifest,
        decode_tables,
        digest,
        encode_tables,
        manifest_header,
    )

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


# --------------------------------------------------------------------------- doctor
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
    from socialcrm.storage.tinydb import check_manifest, decode_tables, digest, manifest_header

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
    contents: dict[str, dict[str, Any]] = {}
    for logical, entry in sorted(manifest["files"].items()):
        file_path = store / entry["path"]
        try:
            raw = file_path.read_bytes()
        except FileNotFoundError:
            findings.append(
                Finding("error", "missing-file", "listed but missing", str(file_path), _RESTORE_FIX)
            )
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
            continue
        try:
            contents[logical] = decode_tables(raw, file_path)
        except StoreCorruptError as exc:
            findings.append(Finding("error", "corrupt", exc.detail, str(file_path), _RESTORE_FIX))
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
    if deep and not any(f.level == "error" for f in findings):
        _deep_checks(store, manifest, contents, report)


def _deep_checks(
    store: Path, manifest: dict[str, Any], contents: dict[str, Any], report: DoctorReport
) -> None:
    """Validate documents and cross-check indexes (reported, never repaired)."""
    from socialcrm.serialization import event_from_dict, prospect_from_dict

    findings = report.findings
    header = manifest["store"]["1"]
    shards, key_shards = header["prospect_shards"], header["key_shards"]
    locator_shards = header["locator_shards"]

    def where(logical: str) -> str:
        return str(store / manifest["files"][logical]["path"])

    prospects: dict[str, dict[str, Any]] = {}
    located: dict[str, str] = {}
    bad = 0
    for logical, data in contents.items():
        if not logical.startswith("p-"):
            continue
        for pid, doc in data.get("prospects", {}).items():
            prospects[pid] = doc
            try:
                prospect_from_dict(dict(doc))
            except SocialCRMError as exc:
                bad += 1
                if bad <= 5:
                    findings.append(
                        Finding("error", "bad-prospect", f"{pid}: {exc}", where(logical))
                    )
            if layout.prospect_file(pid, str(doc.get("stage")), shards) != logical:
                findings.append(
                    Finding("error", "misplaced", f"prospect {pid} in wrong shard", where(logical))
                )
            located[pid] = logical
    locator: dict[str, str] = {}
    for logical, data in contents.items():
        if logical.startswith("l-"):
            for pid, doc in data.get("locations", {}).items():
                locator[pid] = str(doc.get("file"))
                if layout.locator_file(pid, locator_shards) != logical:
                    findings.append(
                        Finding(
                            "error", "misplaced", f"locator of {pid} in wrong shard", where(logical)
                        )
                    )
    if locator != located:
        findings.append(
            Finding(
                "error",
                "locator",
                "the locator differs from where prospects are "
                f"({len(set(located) - set(locator))} not located, "
                f"{len(set(locator) - set(located))} located but absent)",
                str(store / layout.DATA_DIR),
                _RESTORE_FIX,
            )
        )
    ids: dict[str, str] = {}
    for logical, data in contents.items():
        if not logical.startswith("i-"):
            continue
        for pipeline_name, doc in data.get("pipelines", {}).items():
            for pid in doc.get("ids", ()):
                ids[pid] = pipeline_name
                if layout.ids_file(pid, header["id_shards"]) != logical:
                    findings.append(
                        Finding("error", "misplaced", f"id {pid} in wrong shard", where(logical))
                    )
    wrong_pipeline = sorted(
        pid
        for pid, name in ids.items()
        if pid in prospects and prospects[pid].get("pipeline") != name
    )
    if wrong_pipeline:
        findings.append(
            Finding(
                "error",
                "ids-index",
                f"{len(wrong_pipeline)} prospect(s) indexed under the wrong pipeline "
                f"(e.g. {wrong_pipeline[0]})",
                str(store / layout.DATA_DIR),
                _RESTORE_FIX,
            )
        )
    pipelines = manifest.get("pipelines", {})
    missing_ids = sorted(set(prospects) - set(ids))
    dangling_ids = sorted(set(ids) - set(prospects))
    if missing_ids or dangling_ids:
        findings.append(
            Finding(
                "error",
                "ids-index",
                f"id index out of step: {len(missing_ids)} prospect(s) not indexed, "
                f"{len(dangling_ids)} indexed id(s) without prospect",
                str(store / layout.DATA_DIR),
                _RESTORE_FIX,
            )
        )
    used = {str(d.get("pipeline")) for d in prospects.values()}
    unknown_pipelines = sorted(used - set(pipelines))
    if unknown_pipelines:
        findings.append(
            Finding(
                "info",
                "pipelines",
                f"prospects in pipeline(s) not declared: {', '.join(map(str, unknown_pipelines))}",
                None,
                "create them with 'socialcrm pipeline create NAME' to give them settings",
            )
        )
    expected_keys: dict[str, str] = {}
    for pid, doc in prospects.items():
        pipeline = doc.get("pipeline", "default")
        for ident in doc.get("identities", ()):
            expected_keys[f"{pipeline}\t{ident['network']}:{ident['handle']}"] = pid
    indexed: dict[str, str] = {}
    for logical, data in contents.items():
        if logical.startswith("k-"):
            for key, doc in data.get("identities", {}).items():
                indexed[key] = doc.get("id")
                if layout.key_file(key, key_shards) != logical:
                    findings.append(
                        Finding("error", "misplaced", f"key {key!r} in wrong shard", where(logical))
                    )
    if indexed != expected_keys:
        findings.append(
            Finding(
                "error",
                "identity-index",
                "identity index differs from the prospects' identities",
                str(store / layout.DATA_DIR),
                _RESTORE_FIX,
            )
        )
    n_events = 0
    orphans: list[str] = []
    bad = 0
    for logical, data in contents.items():
        if not logical.startswith("e-"):
            continue
        for pid, doc in data.get("events", {}).items():
            events = doc.get("events", [])
            n_events += len(events)
            if pid not in prospects:
                orphans.append(pid)
            for event in events:
                try:
                    event_from_dict(dict(event))
                except SocialCRMError as exc:
                    bad += 1
                    if bad <= 5:
                        findings.append(
                            Finding("error", "bad-event", f"{pid}: {exc}", where(logical))
                        )
    if orphans:
        findings.append(
            Finding(
                "warning",
                "orphan-events",
                f"events of {len(orphans)} deleted or unknown prospect(s) (e.g. {orphans[0]})",
                str(store / layout.DATA_DIR),
                "harmless, they are never shown; restore a backup if prospects went missing",
            )
        )
    report.prospects = len(prospects)
    report.events = n_events


def file_mode(path: Path) -> int:
    """Permission bits of ``path`` (for tests and reports)."""
    return stat.S_IMODE(os.stat(path).st_mode)  # noqa: PTH116
