"""Flat exports (CSV, HubSpot, Twenty) and the export runner (atomic 0600 files).

Every CSV cell goes through :func:`~socialcrm.io.csvsafe.neutralise`, so a
name such as ``=HYPERLINK(...)`` cannot run as a formula once the file is
opened in a spreadsheet.

Each format has fixed columns around one block of network columns, which
the installed network adapters declare (:mod:`socialcrm.interchange`): the
core names no network.  :func:`export_prospects` hands the CRM's networks to
the exporter (:meth:`_CSVBase.with_networks`).

* ``csv`` — every field of a prospect, one row each; lists joined with ``; ``,
  custom fields as JSON, one column per network (default: its id) and
  ``other_profiles`` for identities on networks without a column.
* ``hubspot`` — HubSpot's contact import column labels (``First Name``,
  ``Last Name``, ``Email``, ``Company Name``, ``Job Title``, ``Phone Number``,
  ``City``, ``Lifecycle Stage``) so its import wizard maps them without help,
  the networks' columns (default ``<name> URL``, a custom property) and
  ``socialcrm Stage``.
* ``twenty`` — Twenty's People CSV with its ``Field / Sub-field`` columns
  (``Name / First Name``, ``Emails / Primary Email``…; a network's default is
  ``<name> / Link URL``, a Links field), then ``Company Name`` and
  ``companyDomain`` (``https://`` and the work e-mail's domain: Twenty links a
  person to an existing company by its domain).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self, TextIO, runtime_checkable

from socialcrm.contact_fields import work_domain
from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.interchange import Column, ExportColumn, export_columns
from socialcrm.io.csvsafe import neutralise
from socialcrm.io.formats import ExportContext, Exporter
from socialcrm.models import Event, Prospect
from socialcrm.placeholders import is_organisation, is_placeholder
from socialcrm.repository import Query
from socialcrm.stages import Stage, Status

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.networks import NetworkAdapter

__all__ = [
    "NETWORK_COLUMN_FORMATS",
    "CSVExporter",
    "HubSpotExporter",
    "NetworkAware",
    "TwentyExporter",
    "export_prospects",
    "iter_prospects",
    "write_atomically",
]


@runtime_checkable
class NetworkAware(Protocol):
    """An exporter whose output depends on the networks installed (columns, vCard types)."""

    def with_networks(self, networks: Iterable[NetworkAdapter]) -> Exporter:
        """A copy of this exporter writing for ``networks``."""
        ...


class _CSVBase:
    """Writes a header then one row per prospect, every cell neutralised.

    A row is the format's ``head`` columns, one column per network that has
    one in this format (:func:`~socialcrm.interchange.export_columns`,
    ``network_column`` for an adapter declaring none), then ``tail``.
    """

    name = ""
    suffix = ".csv"
    spreadsheet = True  # honours ExportContext.delimiter and .bom (--excel)
    head: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()
    network_column: ExportColumn | None = None

    def __init__(self, networks: Iterable[NetworkAdapter] = ()) -> None:
        self.networks = tuple(networks)

    def with_networks(self, networks: Iterable[NetworkAdapter]) -> Self:
        return type(self)(networks)

    def network_columns(self) -> tuple[Column, ...]:
        """This format's columns of the networks, in order."""
        fixed = (*self.head, *self.tail)
        return export_columns(self.networks, self.name, self.network_column, fixed=fixed)

    @property
    def columns(self) -> tuple[str, ...]:
        """The header row."""
        return (*self.head, *(c.header for c in self.network_columns()), *self.tail)

    def head_cells(self, p: Prospect, events: list[Event]) -> list[str]:
        raise NotImplementedError

    def tail_cells(
        self, p: Prospect, events: list[Event], networks: tuple[Column, ...]
    ) -> list[str]:
        raise NotImplementedError

    def write(
        self,
        items: Iterable[tuple[Prospect, list[Event]]],
        out: TextIO,
        context: ExportContext,
    ) -> int:
        networks = self.network_columns()
        if context.bom:
            out.write("\ufeff")
        writer = csv.writer(out, delimiter=context.delimiter, lineterminator="\r\n")
        writer.writerow(
            [neutralise(h) for h in (*self.head, *(c.header for c in networks), *self.tail)]
        )
        count = 0
        for prospect, events in items:
            row = [
                *self.head_cells(prospect, events),
                *(column.cell(prospect) for column in networks),
                *self.tail_cells(prospect, events, networks),
            ]
            writer.writerow([neutralise(cell) for cell in row])
            count += 1
        return count


def _first_name(p: Prospect) -> str:
    if p.is_organisation:  # exported only when asked: no person's name, the company's
        return ""
    return p.first_name or (p.name if not p.last_name else "")


def _company(p: Prospect) -> str:
    return p.company or (p.name if p.is_organisation else "")


class CSVExporter(_CSVBase):
    """Every field of every prospect, for spreadsheets."""

    name = "csv"
    description = N_("CSV with every field (formula injection neutralised)")
    network_column = ExportColumn("{id}")
    head = (
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
    )
    tail = ("other_profiles", "tags", "notes", "custom", "owner", "created_at", "updated_at")

    def head_cells(self, p: Prospect, events: list[Event]) -> list[str]:
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
        ]

    def tail_cells(
        self, p: Prospect, events: list[Event], networks: tuple[Column, ...]
    ) -> list[str]:
        with_column = {column.network for column in networks}
        others = [i.url for i in p.identities if i.network not in with_column]
        return [
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
    description = N_("HubSpot contacts import CSV")
    network_column = ExportColumn("{name} URL")
    head = (
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Job Title",
        "Phone Number",
        "City",
        "Lifecycle Stage",
    )
    tail = ("Company Domain Name", "socialcrm Stage")
    named_only = True  # records without a real name stay out unless --include-unnamed

    def head_cells(self, p: Prospect, events: list[Event]) -> list[str]:
        if p.status is Status.WON:
            lifecycle = "customer"
        elif p.status is Status.LOST:
            lifecycle = "other"
        else:
            lifecycle = HUBSPOT_LIFECYCLE[p.stage]
        return [
            _first_name(p),
            p.last_name or "",
            p.emails[0] if p.emails else "",
            _company(p),
            p.title or "",
            p.phones[0] if p.phones else "",
            p.location or "",
            lifecycle,
        ]

    def tail_cells(
        self, p: Prospect, events: list[Event], networks: tuple[Column, ...]
    ) -> list[str]:
        return [company_domain(p), p.stage.value if p.is_open else p.status.value]


def company_domain(p: Prospect) -> str:
    """The company's domain from the first work e-mail (none from a free mailbox):
    HubSpot associates the contact with the company of that domain, Twenty links it."""
    return work_domain(p.emails)


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
    description = N_("Twenty CRM People import CSV")
    network_column = ExportColumn("{name} / Link URL")
    named_only = True
    head = (
        "Name / First Name",
        "Name / Last Name",
        "Emails / Primary Email",
        "Emails / Additional Emails",
        "Phones / Primary Phone Number",
        "Phones / Primary Phone Calling Code",
    )
    #: ``companyDomain`` is the Company relation by its unique ``domain`` (Twenty's
    #: recommended identifier of a company); ``Company Name`` is for the rep's
    #: companies file -- Twenty's People have no company-name field
    tail = ("Job Title", "City", "Company Name", "companyDomain")

    def head_cells(self, p: Prospect, events: list[Event]) -> list[str]:
        code, number = _calling_code(p.phones[0]) if p.phones else ("", "")
        extra = json.dumps(list(p.emails[1:]), ensure_ascii=False) if len(p.emails) > 1 else ""
        return [
            _first_name(p),
            p.last_name or "",
            p.emails[0] if p.emails else "",
            extra,
            number,
            code,
        ]

    def tail_cells(
        self, p: Prospect, events: list[Event], networks: tuple[Column, ...]
    ) -> list[str]:
        domain = company_domain(p)
        return [
            p.title or "",
            p.location or "",
            _company(p),
            f"https://{domain}" if domain else "",
        ]


NETWORK_COLUMN_FORMATS: tuple[type[_CSVBase], ...] = (CSVExporter, HubSpotExporter, TwentyExporter)
"""The built-in formats with a column per network (their headers re-import through ``csv``)."""


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
        raise ValidationError(
            _("{path} is a directory").format(path=path), field="out", value=str(path)
        )
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as out:
            return write(out)
    directory = path.parent
    if not directory.exists():
        raise ValidationError(
            _("directory {directory} does not exist").format(directory=directory),
            field="out",
            value=str(path),
        )
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


#: Languages whose decimal separator is a comma: Excel there separates CSV cells
#: with ";" (the Windows list separator), and reads a ","-separated file as one column.
COMMA_DECIMAL_LANGUAGES = frozenset(
    [
        "fr",
        "de",
        "es",
        "it",
        "pt",
        "nl",
        "da",
        "fi",
        "sv",
        "nb",
        "nn",
        "no",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "hu",
        "ro",
        "ru",
        "uk",
        "tr",
        "el",
        "id",
        "vi",
    ]
)


def excel_delimiter(locale_name: str | None) -> str:
    """``;`` where Excel expects it (a comma-decimal locale such as ``fr_FR.UTF-8``),
    else ``,``."""
    language = (locale_name or "").split(".")[0].replace("-", "_").split("_")[0].lower()
    return ";" if language in COMMA_DECIMAL_LANGUAGES else ","


def export_prospects(
    crm: CRM,
    exporter: Exporter,
    out: Path | TextIO,
    *,
    stage: Stage | str | None = None,
    all_pipelines: bool = False,
    excel: bool = False,
    locale_name: str | None = None,
    include_unnamed: bool = False,
    include_organisations: bool = False,
) -> int:
    """Export the current pipeline (or all) to ``out``; return how many prospects.

    An exporter with a column (or a vCard type) per network is first given
    the CRM's networks (:class:`NetworkAware`).  ``excel``: a spreadsheet
    format written as Excel reads it — UTF-8 with a BOM, ``;``-separated in a
    comma-decimal ``locale_name`` (:func:`excel_delimiter`).  Formats for
    other CRMs (``named_only``: HubSpot, Twenty) leave out records whose name
    is only a placeholder (``x:1234567``) unless ``include_unnamed``, and
    organisations (channels, company pages) unless ``include_organisations``
    (the issue's "not exported as people unless asked"; other formats keep
    organisations anyway, with their kind).
    """
    if excel and not getattr(exporter, "spreadsheet", False):
        raise ValidationError(
            _("--excel applies to spreadsheet formats, not {name}").format(name=exporter.name),
            field="excel",
            value=exporter.name,
            hint=_("use --format csv, hubspot or twenty"),
        )
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
        delimiter=excel_delimiter(locale_name) if excel else ",",
        bom=excel,
    )
    items = iter_prospects(crm, stage=target, pipelines=[p.name for p in pipelines])
    if getattr(exporter, "named_only", False):
        items = (
            (p, events)
            for p, events in items
            if (include_unnamed or not is_placeholder(p))
            and (include_organisations or not is_organisation(p))
        )
    if isinstance(exporter, NetworkAware):
        exporter = exporter.with_networks(crm.networks)
    if isinstance(out, Path):
        return write_atomically(out, lambda stream: exporter.write(items, stream, context))
    return exporter.write(items, out, context)
