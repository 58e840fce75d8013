"""What an import did (or would do): one outcome per row, and the totals.

The report is the import's only output besides the store: the CLI prints it
(text, JSON or CSV) and host applications read it, so it is plain data.
"""

from __future__ import annotations

from typing import Any

from attrs import define, field, frozen

__all__ = ["ImportReport", "RowOutcome"]


@frozen
class RowOutcome:
    """What happened (or would happen) to one row.

    ``action`` is ``created``, ``updated``, ``skipped``, ``invalid`` or
    ``attached`` (a message or signal added to a known prospect's history).
    """

    row: int
    action: str
    reason: str = ""
    name: str | None = None
    prospect_id: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "reason": self.reason,
            "name": self.name,
            "prospect_id": self.prospect_id,
            "field": self.field,
        }


@define
class ImportReport:
    """The outcome of an import: one :class:`RowOutcome` per row, and totals."""

    path: str
    format: str
    dry_run: bool
    rows: list[RowOutcome] = field(factory=list)
    events: int = 0
    written: bool = False

    def _of(self, action: str) -> list[RowOutcome]:
        return [r for r in self.rows if r.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        return self._of("created")

    @property
    def updated(self) -> list[RowOutcome]:
        return self._of("updated")

    @property
    def skipped(self) -> list[RowOutcome]:
        return self._of("skipped")

    @property
    def invalid(self) -> list[RowOutcome]:
        return self._of("invalid")

    @property
    def attached(self) -> list[RowOutcome]:
        return self._of("attached")

    def counts(self) -> dict[str, int]:
        """Rows per action (every action present, zero included)."""
        keys = ("created", "updated", "attached", "skipped", "invalid")
        return {k: len(self._of(k)) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "events": self.events,
            "rows": [r.to_dict() for r in self.rows],
        }
