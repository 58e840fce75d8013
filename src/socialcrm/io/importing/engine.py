"""The import engine: read a file through an importer, plan every change, write once.

An import runs in two phases:

1. **plan** — stream the importer's records and decide, row by row, what
   would happen (create, update, skip, attach a message, or refuse the row)
   against in-memory indexes of the pipeline (:mod:`.index`), through the
   handler of each record type (:mod:`.people`, :mod:`.activities`,
   :mod:`.backups`);
2. **write** — unless it is a dry run, apply the plan inside ONE
   ``repository.transaction()``: the whole batch or nothing.  The plan is
   written as it goes (every :data:`FLUSH_EVENTS` events), inside that
   transaction, so a large file is never held in memory whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from socialcrm.editing import lawful_basis as parse_basis
from socialcrm.errors import ImportFormatError, ValidationError
from socialcrm.formats import (
    ActivityRecord,
    Importer,
    ImportItem,
    OwnerRecord,
    ProspectRecord,
    RowProblem,
    SkippedRow,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)
from socialcrm.i18n import text as _
from socialcrm.io.csvsafe import check_text, read_head
from socialcrm.io.importing.activities import Activities
from socialcrm.io.importing.backups import Backups
from socialcrm.io.importing.batch import Batch, Progress
from socialcrm.io.importing.people import People
from socialcrm.io.importing.report import ImportReport
from socialcrm.io.importing.rows import RowError
from socialcrm.models import nfc
from socialcrm.team import rep_name
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["detect_format", "import_file", "resolve_importer", "run_import"]

#: The longest ``source`` an import accepts (each person's source adds the file and row).
MAX_SOURCE = 500

#: Rows between two progress callbacks.
PROGRESS_EVERY = 500
#: Planned events waiting to be written (inside the import's transaction) when
#: the prospects and events planned so far are written: a backup of 300,000
#: events held them all as models until the end (~190 MB).
FLUSH_EVENTS = 5_000


class RolledBack(Exception):
    """A strict import met an invalid row: leave its transaction without committing."""


def detect_format(path: Path, importers: Mapping[str, Importer]) -> Importer:
    """The first importer (plugins before built-ins) that recognises the file's content."""
    head = read_head(path)
    if not head.strip():
        raise ImportFormatError(_("the file is empty"), path=str(path))
    check_text(path, head)
    for importer in importers.values():
        try:
            if importer.sniff(path, head):
                return importer
        except Exception:  # a sniffer must never break detection of the others
            continue
    known = ", ".join(sorted(importers)) or "none installed"
    raise ImportFormatError(
        _("unrecognised file format"),
        path=str(path),
        hint=_("give --format explicitly; known formats: {known}").format(known=known),
    )


def _plan(batch: Batch, items: Iterator[ImportItem]) -> None:
    """Decide every row, in file order, through the handler of its record type."""
    people = People(batch)
    activities = Activities(batch, people)
    backups = Backups(batch, people)
    rows = 0
    for item in items:
        rows += 1
        if batch.progress is not None and rows % PROGRESS_EVERY == 0:
            batch.progress(rows)
        try:
            if isinstance(item, ProspectRecord):
                people.on_prospect(item)
            elif isinstance(item, OwnerRecord):
                people.on_owner(item)
            elif isinstance(item, ActivityRecord):
                activities.on_activity(item)
            elif isinstance(item, SkippedRow):
                batch.outcome(item.row, "skipped", item.reason)
            elif isinstance(item, RowProblem):
                batch.outcome(item.row, "invalid", item.reason, field=item.field)
            elif isinstance(item, StoredPipeline):
                backups.on_stored_pipeline(item)
            elif isinstance(item, StoredProspect):
                backups.on_stored_prospect(item)
            elif isinstance(item, StoredSetting):
                backups.on_stored_setting(item)
            else:
                raise ImportFormatError(
                    _("importer {name!r} produced {kind}").format(
                        name=batch.importer.name, kind=type(item).__name__
                    ),
                    path=str(batch.path),
                )
        except RowError as exc:
            name = getattr(item, "name", None)
            batch.outcome(
                item.row,
                "invalid",
                exc.reason,
                field=exc.field,
                name=name if isinstance(name, str) else None,
            )
        if len(batch.events) >= FLUSH_EVENTS or len(batch.unwritten) >= FLUSH_EVENTS:
            batch.flush()
    if batch.progress is not None:
        batch.progress(rows)


def run_import(
    crm: CRM,
    path: Path,
    importer: Importer,
    *,
    dry_run: bool = False,
    tags: Sequence[str] = (),
    update: bool = False,
    strict: bool = False,
    owner: str | None = None,
    progress: Progress | None = None,
    lawful_basis: str = "legitimate_interest",
    source: str | None = None,
    owners: Sequence[str] = (),
) -> ImportReport:
    """Import ``path`` with ``importer`` into ``crm``'s current pipeline.

    Each prospect created records ``lawful_basis`` (GDPR art. 6) and, as its
    source, the file's name, format and row, the date, and ``source`` if given.
    ``owners``: profile URLs of the export's owner (the rep, read from another
    file of the same archive): a record with one of them is skipped.

    Raises :class:`ImportFormatError` (nothing written) when the file cannot
    be read.  Invalid rows are reported and left out; with ``strict=True`` an
    invalid row leaves the whole store unchanged (``report.written`` is
    ``False``).  A dry run plans everything and writes nothing.  The prospects
    created are ``owner``'s (default: the CRM's actor).
    """
    if source is not None:
        check(source, "source")
        source = nfc(source).strip() or None
        if source is not None and len(source) > MAX_SOURCE:
            raise ValidationError(
                _("--source is {length} characters; at most {limit}").format(
                    length=len(source), limit=MAX_SOURCE
                ),
                field="source",
                hint=_("the file's name, format, row and date are recorded anyway"),
            )
    batch = Batch(
        crm,
        path,
        importer,
        tags=tags,
        update=update,
        dry_run=dry_run,
        progress=progress,
        lawful_basis=parse_basis(lawful_basis),
        source=source,
        rep=rep_name(owner) if owner is not None else crm.actor,
    )
    batch.add_owner(owners)
    try:
        return _run(crm, batch, strict=strict)
    finally:
        if not batch.handed_over:  # else the unit of work closes it once plugins are told
            batch.close()


def _run(crm: CRM, batch: Batch, *, strict: bool) -> ImportReport:
    """Plan (and unless a dry run, write) ``batch`` in one unit of work.

    Plugins are told after its commit (after the caller's, when the import
    runs inside a caller's transaction): the import's events first, read back
    from the store, then those of the final re-score.
    """
    items = batch.importer.read(batch.path, crm.networks)
    if batch.report.dry_run:
        _plan(batch, items)
    else:
        with contextlib.suppress(RolledBack), crm.recording.transaction() as recorder:
            crm.init()  # here: an import that fails leaves a new store without a pipeline
            batch.pipeline_name = crm.pipeline_name
            batch.recorder = recorder  # the plan is written as it goes, in this transaction
            _plan(batch, items)
            if strict and batch.report.counts()["invalid"]:
                raise RolledBack  # what was written so far is undone with the transaction
            batch.flush()
            batch.report.written = True
            recorder.tell_later(batch)
            batch.handed_over = True
            batch.rescored = recorder.rescore(batch.unscored())  # the pipeline's ICP score
    batch.report.events = batch.event_count
    limits = batch.new_settings.get("channel_limits") if batch.report.written else None
    if isinstance(limits, dict):  # the CRM read the limits before the import: refresh them
        overrides = crm.networks.limit_overrides
        overrides.clear()
        overrides.update({str(k): int(v) for k, v in limits.items()})
    return batch.report


def resolve_importer(
    crm: CRM, path: Path, format: str = "auto", mapping: Mapping[str, str] | None = None
) -> Importer:
    """The importer for ``format`` (``auto``: detected from the file's content)."""
    from socialcrm.io.generic_csv import GenericCSVImporter

    importers = crm.hooks.importers
    name = (format or "auto").strip().lower()
    if mapping:
        if name not in {"auto", "csv"}:
            raise ValidationError(
                _("--map applies to the generic csv format only"), field="map", value=format
            )
        return GenericCSVImporter(mapping)
    if name == "auto":
        return detect_format(path, importers)
    found = importers.get(name)
    if found is None:
        known = ", ".join(sorted(importers)) or "none installed"
        raise ValidationError(
            _("unknown import format {format!r}").format(format=format),
            field="format",
            value=format,
            hint=_("known: {known}").format(known=known),
        )
    return found


def import_file(
    crm: CRM,
    path: str | Path,
    format: str = "auto",
    *,
    dry_run: bool = False,
    tags: Sequence[str] = (),
    update: bool = False,
    strict: bool = False,
    owner: str | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    lawful_basis: str = "legitimate_interest",
    source: str | None = None,
) -> ImportReport:
    """Import a file into ``crm``'s current pipeline (whole batch or nothing).

    Detects or looks up the importer, then :func:`run_import` (see the module
    doc).  Returns an :class:`~socialcrm.io.importing.ImportReport`.
    """
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise ImportFormatError(_("not a regular file"), path=str(path))
        raise ImportFormatError(_("no such file"), path=str(path))
    read_head(path)  # fails early, clearly, on an unreadable file
    importer = resolve_importer(crm, path, format, mapping)
    return run_import(
        crm,
        path,
        importer,
        dry_run=dry_run,
        tags=tags,
        update=update,
        strict=strict,
        owner=owner,
        progress=progress,
        lawful_basis=lawful_basis,
        source=source,
    )
