"""What every report is asked: the period, the filters, and the prospects they keep.

A period is half-open, ``[since, until)``; ``until`` is capped at the clock
(nothing after *now* exists yet).  The prospect filters are those of
``socialcrm list`` (``network``, ``tag``) plus ``source`` — the label typed
with ``add --source`` or, failing that, the network the prospect was found on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Event, Prospect, nfc
from socialcrm.repository import Query, Repository, stage_by_stage
from socialcrm.value import Value

__all__ = ["Filters", "day_start", "selected", "source_label"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(), tzinfo=UTC)


@frozen(repr=False, eq=False)
class Filters(Value):
    """A report's period and prospect filters; ``None`` means "any"."""

    now: datetime
    pipeline: str = "default"
    since: datetime | None = None
    until: datetime | None = None
    network: str | None = None
    tag: str | None = None
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValidationError(
                _("--until must be after --since"),
                field="until",
                value=self.until.date().isoformat(),
                hint=_("the period is [since, until): e.g. --since 2026-01-01 --until 2026-04-01"),
            )

    @classmethod
    def of_days(
        cls,
        now: datetime,
        *,
        since: date | None = None,
        until: date | None = None,
        **kw: str | None,
    ) -> Filters:
        """Filters from calendar days: ``until`` is included (the period ends the day after)."""
        return cls(
            now=now,
            since=day_start(since) if since else None,
            until=day_start(until) + timedelta(days=1) if until else None,
            **{k: v for k, v in kw.items() if v is not None},
        )

    @property
    def start(self) -> datetime:
        return self.since or EPOCH

    @property
    def end(self) -> datetime:
        """Where the period stops: ``until``, or now if earlier."""
        return min(self.until, self.now) if self.until else self.now

    def within(self, at: datetime) -> bool:
        return self.start <= at < self.end or (at == self.end == self.now)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "pipeline": self.pipeline,
            "since": self.since.isoformat() if self.since else None,
            "until": self.end.isoformat(),
            "network": self.network,
            "tag": self.tag,
            "source": self.source,
        }


def source_label(p: Prospect) -> str:
    """Where a prospect came from: the typed source, else the network it was found on."""
    if p.source is not None:
        return p.source.note or p.source.network or "unknown"
    return "unknown"


def selected(repository: Repository, filters: Filters) -> Iterator[tuple[Prospect, list[Event]]]:
    """The filtered prospects with their events.

    The events are asked for all at once: a store groups them in files and
    reads each file once for the whole request (asking per prospect, or per
    few hundred, read the same files again and again: minutes on 30,000).
    """
    query = Query(pipeline=filters.pipeline, tag=filters.tag, network=filters.network)
    wanted = nfc(filters.source).casefold() if filters.source else None
    kept: dict[str, Prospect] = {}
    for prospect in stage_by_stage(repository, query):
        if wanted is None or source_label(prospect).casefold() == wanted:
            kept[prospect.id] = prospect
    for pid, events in repository.events_for(list(kept)):
        yield kept.pop(pid), events
