"""The contracts of importers and exporters, and the records they exchange.

An importer *streams* records out of a file without touching the store: the
import engine (:mod:`socialcrm.io.importing`) validates every record first and
writes the whole batch or nothing.  An exporter writes prospects (with their
events) to a text stream.

Records are plain values so an importer never needs the CRM: it reports each
row as a person (:class:`ProspectRecord`), a message or signal about a person
(:class:`ActivityRecord`), a deliberately ignored row (:class:`SkippedRow`) or
a row it cannot read (:class:`RowProblem`).  socialcrm's own JSON backup
carries whole models (:class:`StoredPipeline`, :class:`StoredProspect`) so a
restore is lossless.

These protocols and records are the plugin contract of file formats (like
:mod:`socialcrm.hookspecs`), so they live in the core; the engine and the
built-in formats are features, in :mod:`socialcrm.io`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeAlias, runtime_checkable

from attrs import field, frozen

if TYPE_CHECKING:
    from socialcrm.models import Event, Pipeline, Prospect
    from socialcrm.networks import NetworkRegistry


def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _events(values: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(values)


def _pipelines(values: Iterable[Pipeline]) -> tuple[Pipeline, ...]:
    return tuple(values)


__all__ = [
    "ActivityRecord",
    "ExportContext",
    "Exporter",
    "ImportItem",
    "Importer",
    "OwnerRecord",
    "ProspectRecord",
    "RowProblem",
    "SkippedRow",
    "StoredPipeline",
    "StoredProspect",
    "StoredSetting",
]


@frozen
class ProspectRecord:
    """A person read from a file; ``row`` is the 1-based line/entry number.

    ``urls`` are profile URLs or ``network:handle`` references, parsed by the
    CRM's network registry (never by the importer).  A record with neither URL
    nor e-mail is recognised on re-import by its name *and* its ``custom``
    values (e.g. Facebook's name + friendship date), so such importers should
    put a stable fact about the person in ``custom``.
    """

    row: int
    name: str
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = field(default=(), converter=_strs)
    phones: tuple[str, ...] = field(default=(), converter=_strs)
    urls: tuple[str, ...] = field(default=(), converter=_strs)
    company: str | None = None
    title: str | None = None
    location: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=_strs)
    notes: str | None = None
    custom: dict[str, str] = field(factory=dict)
    network: str | None = None
    collected_at: datetime | None = None
    #: an organisation (a YouTube channel, a company page), not a person: its name
    #: is never split into first and last name, and it is marked ``kind:
    #: organisation`` (custom field) so person-only exports leave it out
    organisation: bool = False


@frozen
class ActivityRecord:
    """A message or signal to attach to a known prospect, found by profile URL.

    ``kind`` is ``"message_sent"`` (the rep wrote it to ``urls``),
    ``"message_received"`` (``urls`` wrote it), ``"interaction"``
    (``interaction`` names the type: follow, like…) or ``"message"`` when the
    file does not say who the rep is: the engine then decides from
    ``sender``/``recipients`` — a message whose sender is a known prospect was
    *received* from them; otherwise it was *sent* to each known recipient,
    unless ``from_rep`` is ``False`` (the importer knows the rep and the sender
    is a third party).

    A person the activity names who is not a prospect yet (the sender of an
    InMail, a pending invitee) becomes one, named from ``names`` (profile URL →
    display name, as the file gives it) or a placeholder; the export's owner
    never does.
    """

    row: int
    urls: tuple[str, ...] = field(converter=_strs)
    kind: str
    text: str = ""
    at: datetime | None = None
    network: str | None = None
    channel: str | None = None
    interaction: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = field(default=(), converter=_strs)
    from_rep: bool | None = None
    names: Mapping[str, str] = field(factory=dict)


@frozen
class OwnerRecord:
    """The person whose export this is (the rep), from an owner file (X ``account.js``,
    LinkedIn ``Profile.csv``…): never a prospect.

    The import reports it, and later files of the same archive skip any record
    with one of its ``urls`` (a rep is not their own prospect).
    """

    row: int
    name: str
    urls: tuple[str, ...] = field(default=(), converter=_strs)
    network: str | None = None


@frozen
class SkippedRow:
    """A row deliberately ignored (a draft, a blank padding line…) and why."""

    row: int
    reason: str


@frozen
class RowProblem:
    """A row that cannot be imported: which field, and why."""

    row: int
    reason: str
    field: str | None = None


@frozen
class StoredPipeline:
    """A whole pipeline (name, description, settings) from a socialcrm backup."""

    row: int
    pipeline: Pipeline


@frozen
class StoredProspect:
    """A whole prospect with its history from a socialcrm backup (restored as is)."""

    row: int
    prospect: Prospect
    events: tuple[Event, ...] = field(default=(), converter=_events)


@frozen
class StoredSetting:
    """A store-wide setting (e.g. ``channel_limits``) from a socialcrm backup."""

    row: int
    key: str
    value: Any


ImportItem: TypeAlias = (
    ProspectRecord
    | OwnerRecord
    | ActivityRecord
    | SkippedRow
    | RowProblem
    | StoredPipeline
    | StoredProspect
    | StoredSetting
)


@runtime_checkable
class Importer(Protocol):
    """Reads one file format.  Registered through ``register_importers``."""

    @property
    def name(self) -> str:
        """Format name for ``--format`` (``linkedin-connections``)."""
        ...

    @property
    def description(self) -> str: ...

    def sniff(self, path: Path, head: bytes) -> bool:
        """Whether the file looks like this format (``head``: its first bytes).

        Decide from content (a header row, a JSON key…), never from the file
        name alone: networks rename files and users rename them again.
        """
        ...

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        """Stream the file's records; raise ImportFormatError if it is unreadable."""
        ...


@frozen
class ExportContext:
    """What an export covers besides prospects: for lossless formats (JSON)."""

    pipelines: tuple[Pipeline, ...] = field(default=(), converter=_pipelines)
    meta: Mapping[str, Any] = field(factory=dict)
    exported_at: datetime | None = None
    stage: str | None = None
    #: spreadsheet exports: the cell delimiter, and whether to start with a UTF-8 BOM
    #: (what Excel needs to read UTF-8: without it, "Gérant" shows as "GÃ©rant")
    delimiter: str = ","
    bom: bool = False


@runtime_checkable
class Exporter(Protocol):
    """Writes prospects to one format.  Registered through ``register_exporters``."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def suffix(self) -> str:
        """File name suffix for ``--out`` suggestions (``.csv``)."""
        ...

    def write(
        self,
        items: Iterable[tuple[Prospect, list[Event]]],
        out: TextIO,
        context: ExportContext,
    ) -> int:
        """Write every prospect (with its events) to ``out``; return how many."""
        ...
