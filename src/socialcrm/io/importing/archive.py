"""Importing a network's whole data export (a ``.zip`` or an unzipped directory).

Each importer may declare where its file sits in its network's export
(``archive_paths``: path-tail patterns such as ``"data/follower.js"``, matched
without case) and when to read it (``archive_order``: the owner's file 0,
people 10, invitations 30, messages 40 — so messages find the connections
they belong to).  A member whose path matches is read by the first of those
importers that also recognises its *content*; every other member is listed as
``unknown``.  Nothing is silently dropped: every file of the archive is in the
report, ``imported``, ``skipped`` (with the reason) or ``unknown``.

The whole archive is ONE transaction (:meth:`Recording.transaction`): every
file is imported inside it, each through :func:`~.engine.run_import`, so a
later file sees what an earlier one created; a file that cannot be read, a
limit met while copying a member, or ``--strict`` meeting an invalid row
undoes everything.  A dry run imports everything the same way and rolls the
transaction back: its counts are those a real import would give.  Members are
read safely (:mod:`socialcrm.io.archives`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from attrs import define, field

from socialcrm.errors import ImportFormatError
from socialcrm.formats import Importer
from socialcrm.i18n import text as _
from socialcrm.io.archives import ZIP_MAGIC, Archive, Member, open_archive
from socialcrm.io.importing.batch import Progress
from socialcrm.io.importing.engine import run_import
from socialcrm.io.importing.report import ACTIONS, ImportReport

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["ArchiveReport", "FileOutcome", "import_archive", "recognise"]

#: Files every export may hold that are not data (skipped, with this reason).
_NOT_DATA = {
    ".ds_store": "macOS folder metadata",
    "thumbs.db": "Windows folder metadata",
    "desktop.ini": "Windows folder metadata",
}


class _Undo(Exception):
    """Leave the archive's transaction without committing (dry run, --strict)."""


@define
class FileOutcome:
    """What became of one file of the archive."""

    path: str
    status: str  # imported | skipped | unknown
    format: str | None = None
    reason: str = ""
    report: ImportReport | None = None
    importer: Importer | None = field(default=None, repr=False)
    member: Member | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "status": self.status,
            "format": self.format,
            "reason": self.reason,
        }
        if self.report is not None:
            out["report"] = self.report.to_dict()
        return out


@define
class ArchiveReport:
    """Every file of an archive with its outcome, the totals, and the export's owner."""

    path: str
    dry_run: bool
    files: list[FileOutcome] = field(factory=list)
    written: bool = False
    owner: dict[str, Any] | None = None

    def of(self, status: str) -> list[FileOutcome]:
        return [f for f in self.files if f.status == status]

    def networks(self) -> list[str]:
        """The networks recognised (from the importers that read a file)."""
        found = {
            str(getattr(f.importer, "archive_network", "") or (f.format or "").split("-")[0])
            for f in self.files
            if f.status == "imported"
        }
        return sorted(n for n in found if n)

    def counts(self) -> dict[str, int]:
        """Rows per action over every imported file."""
        total = dict.fromkeys(ACTIONS, 0)
        for f in self.files:
            if f.report is not None:
                for k, n in f.report.counts().items():
                    total[k] += n
        return total

    @property
    def events(self) -> int:
        return sum(f.report.events for f in self.files if f.report is not None)

    def file_counts(self) -> dict[str, int]:
        out = {"imported": 0, "skipped": 0, "unknown": 0}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "archive": True,
            "networks": self.networks(),
            "dry_run": self.dry_run,
            "written": self.written,
            "owner": self.owner,
            "counts": self.counts(),
            "events": self.events,
            "files_by_status": self.file_counts(),
            "files": [f.to_dict() for f in self.files],
        }


def _declared(importers: Sequence[Importer]) -> list[tuple[Importer, tuple[str, ...]]]:
    out = []
    for importer in importers:
        paths = tuple(str(p).lower() for p in getattr(importer, "archive_paths", ()) or ())
        if paths:
            out.append((importer, paths))
    return out


def recognise(archive: Archive, importers: Sequence[Importer]) -> list[FileOutcome]:
    """Decide each member's fate: the importer that reads it, or why not (in
    reading order: by ``archive_order``, then path; unread files last)."""
    declared = _declared(importers)
    read: list[FileOutcome] = []
    rest: list[FileOutcome] = [FileOutcome(p, "skipped", reason=r) for p, r in archive.refused]
    for member in archive.members:
        lowered = PurePosixPath(member.path.lower())
        parts = lowered.parts
        if "__macosx" in parts or lowered.name in _NOT_DATA:
            why = _NOT_DATA.get(lowered.name, "macOS resource fork (__MACOSX)")
            rest.append(FileOutcome(member.path, "skipped", reason=why))
            continue
        candidates = [imp for imp, pats in declared if any(lowered.match(p) for p in pats)]
        if not candidates:
            rest.append(
                FileOutcome(member.path, "unknown", reason=_("no importer reads this file"))
            )
            continue
        names = ", ".join(c.name for c in candidates)
        if member.size == 0:
            rest.append(FileOutcome(member.path, "skipped", names, "empty file"))
            continue
        head = archive.head(member)
        if head.startswith((ZIP_MAGIC, b"PK\x05\x06")):
            raise ImportFormatError(
                _("entry {path!r} is a zip inside the archive: refused").format(path=member.path),
                path=str(archive.path),
                hint=_("unzip the outer archive and import the inner one on its own"),
            )
        chosen = None
        for importer in candidates:
            with contextlib.suppress(Exception):  # a sniffer never breaks the others
                if importer.sniff(Path(member.path), head):
                    chosen = importer
                    break
        if chosen is None:
            reason = f"named like {names} but its content is not that format"
            rest.append(FileOutcome(member.path, "skipped", names, reason))
            continue
        read.append(
            FileOutcome(member.path, "imported", chosen.name, importer=chosen, member=member)
        )
    read.sort(key=lambda f: (int(getattr(f.importer, "archive_order", 50)), f.path))
    rest.sort(key=lambda f: f.path)
    return read + rest


class Provenance(NamedTuple):
    """What every person an archive creates records: owner, GDPR basis, source."""

    owner: str | None
    lawful_basis: str
    source: str | None


def import_archive(
    crm: CRM,
    path: str | Path,
    *,
    dry_run: bool = False,
    tags: Sequence[str] = (),
    update: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    owner: str | None = None,
    lawful_basis: str = "legitimate_interest",
    source: str | None = None,
) -> ArchiveReport:
    """Import every file socialcrm knows in the archive at ``path``, in one transaction.

    Raises :class:`ImportFormatError` (store unchanged) when the archive breaks
    a limit of :mod:`socialcrm.limits` (``ARCHIVE_*``), names an entry outside
    itself, holds another archive, or one of its known files cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise ImportFormatError(_("no such file or directory"), path=str(path))
    archive = open_archive(path)
    report = ArchiveReport(str(path), dry_run)
    try:
        report.files = recognise(archive, list(crm.hooks.importers.values()))
        with contextlib.suppress(_Undo), crm.recording.transaction():
            crm.init()
            owners: list[str] = []
            for outcome in report.files:
                if outcome.status != "imported":
                    continue
                outcome.report = _import_member(
                    crm,
                    archive,
                    outcome,
                    tags=tags,
                    update=update,
                    progress=progress,
                    owners=owners,
                    people=Provenance(owner, lawful_basis, source),
                )
                found = outcome.report.owner
                if found is not None:
                    owners.extend(found.get("urls") or ())
                    report.owner = report.owner or found
            if dry_run or (strict and report.counts()["invalid"]):
                raise _Undo
            report.written = True
    finally:
        archive.close()
    for outcome in report.files:
        if outcome.report is not None:
            outcome.report.dry_run = dry_run
            outcome.report.written = report.written
    return report


def _import_member(
    crm: CRM,
    archive: Archive,
    outcome: FileOutcome,
    *,
    tags: Sequence[str],
    update: bool,
    progress: Progress | None,
    owners: list[str],
    people: Provenance,
) -> ImportReport:
    assert outcome.member is not None and outcome.importer is not None
    copy = archive.materialise(outcome.member)
    try:
        sub = run_import(
            crm,
            copy,
            outcome.importer,
            tags=tags,
            update=update,
            progress=progress,
            owners=tuple(owners),
            owner=people.owner,
            lawful_basis=people.lawful_basis,
            source=people.source,
        )
    except ImportFormatError as exc:
        message = exc.message.replace(str(copy), outcome.path)
        raise ImportFormatError(message, path=str(archive.path), hint=exc.hint) from None
    finally:
        archive.release(copy)
    sub.path = outcome.path
    return sub
