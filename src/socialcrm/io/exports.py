"""Flat exports (CSV, HubSpot, Twenty) and the export runner (atomic 0600 files).

Every CSV cell goes through :func:`~socialcrm.io.csvsafe.neutralise`, so a
name such as ``=HYPERLINK(...)`` cannot run as a formula once the file is
opened in a spreadsheet.

* ``csv`` — every field of a prospect, one row each; lists joined with ``; ``
  and custom fields as JSON.
* ``hubspot`` — HubSpot's contact import column labels (``First Name``,
  ``Last Name``, ``Email``, ``Company Name``, ``Job Title``, ``Phone Number``,
  ``City``, ``Lifecycle Stage``, ``Twitter Username``) so its import wizard
  maps them without help; ``LinkedIn URL`` and ``socialcrm Stage`` need a
  custom property (or can be skipped in the wizard).
* ``twenty`` — Twenty's People CSV with its ``Field / Sub-field`` columns
  (``Name / First Name``, ``Emails / Primary Email``, ``Linkedin / Link URL``…).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from socialcrm.errors import ValidationError
from socialcrm.io.csvsafe import neutralise
from socialcrm.io.formats import ExportContext, Exporter
from socialcrm.models import Event, Prospect
from socialcrm.repository import Query
from socialcrm.stages import Stage, Status

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "CSVExporter",
    "HubSpotExporter",
    "TwentyExporter",
    "export_prospects",
    "iter_prospects",
    "write_atomically",
]

KNOWN_NETWORKS = ("linkedin", "x", "facebook", "instagram", "youtube")


def _url(p: Prospect, network: str) -> str:
    identity = p.identity(network)
    return identity.url if identity else ""


class _CSVBase:
    """Writes a header then one row per prospect, every cell neutralised."""

    suffix = ".csv"
    columns: tuple[str, ...] = ()

    def row(self, p: Prospect, events: list[Event]) -> list[str]:
        raise NotImplementedError

    def write(
        self,
        items: Iterable[tuple[Prospect, list[Event]]],
        out: TextIO,
        context: ExportContext,
    ) -> int:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        count = 0
        for prospect, events in items:
            writer.writerow([neutralise(cell) for cell in self.row(prospect, events)])
            count += 1
        return count


class CSVExporter(_CSVBase):
    """Every field of every prospect, for spreadsheets."""

    name = "csv"
    description = "CSV with every field (formula injection neutralised)"
    columns = (
        "id",
        "name",
        "first_name",
        "last_name",
        "pipeline",
        "stage",
        "status",
        "lost_reason",
        "company",
        "title",
        "sector",
        "company_size",
        "location",
        "emails",
        "phones",
        *KNOWN_NETWORKS,
        "other_profiles",
        "tags",
        "notes",
        "custom",
        "owner",
        "created_at",
        "updated_at",
    )

    def row(self, p: Prospect, events: list[Event]) -> list[str]:
        others = [i.url for i in p.identities if i.network not in KNOWN_NETWORKS]
        return [
            p.id,
            p.name,
            p.first_name or "",
            p.last_name or "",
            p.pipeline,
            p.stage.value,
            p.status.value,
            p.lost_reason or "",
            p.company or "",
            p.title or "",
            p.sector or "",
            "" if p.company_size is None else str(p.company_size),
            p.location or "",
            "; ".join(p.emails),
            "; ".join(p.phones),
            *[_url(p, n) for n in KNOWN_NETWORKS],
            "; ".join(others),
            "; ".join(p.tags),
            p.notes,
            json.dumps(p.custom, ensure_ascii=False, sort_keys=True) if p.custom else "",
            p.owner or "",
            p.created_at.isoformat(),
            p.updated_at.isoformat(),
        ]


#: socialcrm stage/status → HubSpot lifecycle stage internal value.
HUBSPOT_LIFECYCLE = {
    Stage.PROFILE: "lead",
    Stage.IDENTIFY: "lead",
    Stage.NOTORIETY: "marketingqualifiedlead",
    Stage.CONTACT: "salesqualifiedlead",
    Stage.CONVERT: "opportunity",
}


class HubSpotExporter(_CSVBase):
    """HubSpot contacts import file (column labels its wizard maps automatically)."""

    name = "hubspot"
    description = "HubSpot contacts import CSV"
    columns = (
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Job Title",
        "Phone Number",
        "City",
        "Lifecycle Stage",
        "Twitter Username",
        "LinkedIn URL",
        "socialcrm Stage",
    )

    def row(self, p: Prospect, events: list[Event]) -> list[str]:
        if p.status is Status.WON:
            lifecycle = "customer"
        elif p.status is Status.LOST:
            lifecycle = "other"
        else:
            lifecycle = HUBSPOT_LIFECYCLE[p.stage]
        x = p.identity("x")
        return [
            p.first_name or (p.name if not p.last_name else ""),
            p.last_name or "",
            p.emails[0] if p.emails else "",
            p.company or "",
            p.title or "",
            p.phones[0] if p.phones else "",
            p.location or "",
            lifecycle,
            x.handle if x else "",
            _url(p, "linkedin"),
            p.stage.value if p.is_open else p.status.value,
        ]


def _calling_code(phone: str) -> tuple[str, str]:
    """``+33612345678`` → (``+33``, ``612345678``) for Twenty's phone sub-fields."""
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "", phone
    return f"+{number.country_code}", str(number.national_number)


class TwentyExporter(_CSVBase):
    """Twenty CRM People import file (``Field / Sub-field`` columns)."""

    name = "twenty"
    description = "Twenty CRM People import CSV"
    columns = (
        "Name / First Name",
        "Name / Last Name",
        "Emails / Primary Email",
        "Emails / Additional Emails",
        "Phones / Primary Phone Number",
        "Phones / Primary Phone Calling Code",
        "Linkedin / Link URL",
        "X / Link URL",
        "Job Title",
        "City",
    )

    def row(self, p: Prospect, events: list[Event]) -> list[str]:
        code, number = _calling_code(p.phones[0]) if p.phones else ("", "")
        extra = json.dumps(list(p.emails[1:]), ensure_ascii=False) if len(p.emails) > 1 else ""
        return [
            p.first_name or (p.name if not p.last_name else ""),
            p.last_name or "",
            p.emails[0] if p.emails else "",
            extra,
            number,
            code,
            _url(p, "linkedin"),
            _url(p, "x"),
            p.title or "",
            p.location or "",
        ]


# ----------------------------------------------------------------------------- running


EVENTS_WINDOW = 5000
"""Prospects whose events are read together by :func:`iter_prospects`: the store reads
each events file once per window (not once per prospect), and a window's events
(~10 per prospect) are all that is held in memory."""


def iter_prospects(
    crm: CRM, *, stage: Stage | None = None, pipelines: Iterable[str] | None = None
) -> Iterator[tuple[Prospect, list[Event]]]:
    """Prospects (oldest first) with their events, pipeline by pipeline."""
    names = list(pipelines) if pipelines is not None else [crm.pipeline_name]
    for name in names:
        prospects = crm.repository.query(Query(pipeline=name, stage=stage, sort="created_at"))
        for start in range(0, len(prospects), EVENTS_WINDOW):
            window = prospects[start : start + EVENTS_WINDOW]
            events = dict(crm.repository.events_for(p.id for p in window))
            for p in window:
                yield p, events.pop(p.id)


def write_atomically(path: Path, write: Callable[[TextIO], int]) -> int:
    """Write a personal-data file: mode 0600, complete or not at all (temp file + rename).

    A path that exists but is not a regular file (``/dev/stdout``, a named pipe,
    a device) is written in place: renaming a temporary file over it would
    replace the device node itself (as root, ``--out /dev/full`` did).
    """
    path = path.expanduser()
    if path.is_dir():
        raise ValidationError(f"{path} is a directory", field="out", value=str(path))
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as out:
            return write(out)
    directory = path.parent
    if not directory.exists():
        raise ValidationError(f"directory {directory} does not exist", field="out", value=str(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            count = write(out)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def export_prospects(
    crm: CRM,
    exporter: Exporter,
    out: Path | TextIO,
    *,
    stage: Stage | str | None = None,
    all_pipelines: bool = False,
) -> int:
    """Export the current pipeline (or all) to ``out``; return how many prospects."""
    target = Stage.parse(stage) if isinstance(stage, str) else stage
    if all_pipelines:
        pipelines = tuple(crm.pipelines())
    else:
        pipelines = (crm.repository.get_pipeline(crm.pipeline_name) or crm.pipeline,)
    from socialcrm.io.jsonio import SETTINGS

    meta = {key: crm.repository.get_meta(key) for key in SETTINGS}
    context = ExportContext(
        pipelines=pipelines,
        meta={key: value for key, value in meta.items() if value is not None},
        exported_at=crm.now(),
        stage=target.value if target else None,
    )
    items = iter_prospects(crm, stage=target, pipelines=[p.name for p in pipelines])
    if isinstance(out, Path):
        return write_atomically(out, lambda stream: exporter.write(items, stream, context))
    return exporter.write(items, out, context)
