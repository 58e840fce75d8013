"""What an import did (or would do): the totals, and the outcomes of its first rows.

The report is the import's only output besides the store: the CLI prints it
(text, JSON or CSV) and host applications read it, so it is plain data.  Its
size does not grow with the file: every row is counted, but only the first
:data:`LISTED_PER_ACTION` outcomes of each action are listed (the others are
counted in :meth:`ImportReport.omitted`), and skip reasons are grouped by kind
(:meth:`ImportReport.skip_groups`) with their first rows.  Keeping every
row's outcome took ~250 bytes a row (250 MB for 1,000,000 rows).
"""

from __future__ import annotations

from typing import Any

from attrs import define, field, frozen

from socialcrm.i18n import N_
from socialcrm.i18n import text as _

__all__ = [
    "ACTIONS",
    "FIRST_ROWS",
    "GROUPED_KINDS",
    "LISTED_PER_ACTION",
    "MAX_SKIP_KINDS",
    "SUPPRESSED_REASON",
    "ImportReport",
    "RowOutcome",
    "SkipGroup",
    "reason_kind",
]

ACTIONS = ("created", "updated", "attached", "skipped", "invalid")
#: Outcomes listed per action (file order); the rest are only counted.
LISTED_PER_ACTION = 1_000
#: Rows shown for each kind of skip reason.
FIRST_ROWS = 5
#: Kinds of skip reasons told apart; any further kind is counted as "other reasons".
MAX_SKIP_KINDS = 50
#: Skip reasons naming a prospect or a row, grouped by how they begin: the only
#: skip reasons built with a value (``_("already known as {id} …").format(…)``);
#: any other is a constant English message marked ``N_()``, translated where shown.
GROUPED_KINDS = (
    N_("already known"),
    N_("same person as row"),
    N_("not a known prospect"),
    N_("the archive's owner"),
)


#: The skip reason of a suppressed person's row (the row is not named either).
SUPPRESSED_REASON = N_("suppressed")


def reason_kind(reason: str) -> str:
    """The kind of a skip reason ("already known as 01H… (Zoé)" → "already known")."""
    for prefix in GROUPED_KINDS:
        if reason.startswith((prefix, _(prefix))):  # the row error was built in French
            return prefix
    return reason


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
class SkipGroup:
    """Rows skipped for one kind of reason: how many, and the first ones."""

    kind: str
    count: int = 0
    first_rows: list[int] = field(factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.kind, "rows": self.count, "first_rows": list(self.first_rows)}


@define
class ImportReport:
    """The outcome of an import: totals, the first outcomes of each action, skip kinds."""

    path: str
    format: str
    dry_run: bool
    rows: list[RowOutcome] = field(factory=list)
    events: int = 0
    written: bool = False
    #: the export's owner (the rep), when the file names them: ``{"name", "urls"}``
    owner: dict[str, Any] | None = None
    _counts: dict[str, int] = field(factory=lambda: dict.fromkeys(ACTIONS, 0))
    _skips: dict[str, SkipGroup] = field(factory=dict)

    def add(self, outcome: RowOutcome) -> None:
        """Count ``outcome``; list it if its action has fewer than the listed maximum."""
        counts = self._counts
        action = outcome.action
        counts[action] = counts.get(action, 0) + 1
        if counts[action] <= LISTED_PER_ACTION:
            self.rows.append(outcome)
        if action == "skipped":
            kind = reason_kind(outcome.reason)
            group = self._skips.get(kind)
            if group is None:
                if len(self._skips) >= MAX_SKIP_KINDS:
                    kind = "other reasons"
                group = self._skips.setdefault(kind, SkipGroup(kind))
            group.count += 1
            if len(group.first_rows) < FIRST_ROWS:
                group.first_rows.append(outcome.row)

    def _of(self, action: str) -> list[RowOutcome]:
        return [r for r in self.rows if r.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        """The listed ``created`` outcomes (``counts()`` has them all)."""
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

    @property
    def suppressed(self) -> int:
        """Rows skipped because the person is on the suppression list (never named)."""
        group = self._skips.get(SUPPRESSED_REASON)
        return 0 if group is None else group.count

    def counts(self) -> dict[str, int]:
        """Rows per action (every action present, zero included): all rows, listed or not."""
        return {k: self._counts.get(k, 0) for k in ACTIONS}

    def omitted(self) -> dict[str, int]:
        """Rows per action counted but not listed in :attr:`rows` (beyond the first ones)."""
        return {k: max(0, n - LISTED_PER_ACTION) for k, n in self.counts().items()}

    def skip_groups(self) -> list[SkipGroup]:
        """Skipped rows by kind of reason, most frequent first."""
        return sorted(self._skips.values(), key=lambda g: -g.count)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "suppressed": self.suppressed,
            "events": self.events,
            "rows": [r.to_dict() for r in self.rows],
            "rows_not_listed": self.omitted(),
            "skipped_by_reason": [g.to_dict() for g in self.skip_groups()],
            "owner": self.owner,
        }
