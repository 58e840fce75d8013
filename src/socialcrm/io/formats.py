"""The contracts of importers and exporters, and the records they exchange.

An importer *streams* records out of a file without touching the store: the
CRM validates every record first and writes the whole batch or nothing.  An
exporter writes prospects (with their events) to a text stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, runtime_checkable

from attrs import field, frozen

if TYPE_CHECKING:
    from socialcrm.models import Event, Prospect
    from socialcrm.networks import NetworkRegistry

__all__ = [
    "ActivityRecord",
    "Exporter",
    "Importer",
    "ProspectRecord",
    "RowProblem",
    "SkippedRow",
]


@frozen
class ProspectRecord:
    """A person read from a file; ``row`` is the 1-based line/entry number."""

    row: int
    name: str
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = field(default=(), converter=tuple)
    phones: tuple[str, ...] = field(default=(), converter=tuple)
    urls: tuple[str, ...] = field(default=(), converter=tuple)
    company: str | None = None
    title: str | None = None
    location: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=tuple)
    notes: str | None = None
    custom: dict[str, str] = field(factory=dict)
    network: str | None = None
    collected_at: datetime | None = None


@frozen
class ActivityRecord:
    """A message or signal to attach to a known prospect, found by profile URL."""

    row: int
    urls: tuple[str, ...] = field(converter=tuple)
    kind: str  # "message_sent" | "message_received" | "interaction"
    text: str = ""
    at: datetime | None = None
    network: str | None = None
    channel: str | None = None


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


ImportItem = ProspectRecord | ActivityRecord | SkippedRow | RowProblem


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
        """Whether the file looks like this format (``head``: its first bytes)."""
        ...

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        """Stream the file's records; raise ImportFormatError if it is unreadable."""
        ...


@runtime_checkable
class Exporter(Protocol):
    """Writes prospects to one format.  Registered through ``register_exporters``."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    def write(self, items: Iterable[tuple[Prospect, list[Event]]], out: TextIO) -> int:
        """Write every prospect (with its events) to ``out``; return how many."""
        ...
