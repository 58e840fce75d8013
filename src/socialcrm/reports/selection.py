"""What every report is asked: the period, the filters, and the prospects they keep.

A period is half-open, ``[since, until)``; ``until`` is capped at the clock
(nothing after *now* exists yet).  The prospect filters are those of
``socialcrm list`` (``network``, ``tag``) plus ``source`` — the label typed
with ``add --source`` or, failing that, the network the prospect was found on.
Each kept prospect comes as a :class:`Subject` (from its summary) with its
journey (:mod:`socialcrm.journey`): no model is built where the store keeps
them (issue 24).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.journey import Item, KeepsJourneys, journey_of
from socialcrm.models import Prospect, nfc
from socialcrm.repository import Query, Repository, stage_by_stage
from socialcrm.stages import STAGE_OF, STATUS_OF, Stage, Status
from socialcrm.summary import summary_of
from socialcrm.value import Value

__all__ = ["Filters", "Subject", "day_start", "source_label", "subjects"]

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


class Subject(NamedTuple):
    """What the reports need of one prospect, read from its summary (:mod:`socialcrm.summary`).

    A named tuple: one is built per prospect per report, 30,000 at once (0.3 µs
    each here, against 1.5 µs for a frozen attrs class of the same fields).
    """

    id: str
    stage: Stage
    status: Status
    created_at: datetime
    updated_at: datetime
    source: str  # :func:`source_label`
    source_network: str | None
    networks: tuple[str, ...]
    score: float | None
    folded: Mapping[str, Any]  # the summary's events part (a sequence's progress)

    @classmethod
    def of(cls, pid: str, s: Mapping[str, Any]) -> Subject:
        return cls(
            pid,
            STAGE_OF[s["s"]],
            STATUS_OF[s["st"]],
            datetime.fromisoformat(s["c"]),
            datetime.fromisoformat(s["u"]),
            _label(s),
            (s.get("src") or (None,))[0],
            tuple(s.get("nw", ())),
            s.get("sco"),
            s["e"],
        )

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN


def _label(s: Mapping[str, Any]) -> str:
    """:func:`source_label` of a summary."""
    network, note = s.get("src") or (None, None)
    return str(note or network or "unknown")


def _kept(filters: Filters, s: Mapping[str, Any], wanted: str | None, tag: str | None) -> bool:
    """Whether a summary passes ``filters``' tag, network and source filters."""
    if tag is not None and tag not in s.get("tg", ()):
        return False
    if filters.network is not None and filters.network.lower() not in s.get("nw", ()):
        return False
    if wanted is None:
        return True
    return _label(s).casefold() == wanted


def subjects(
    repository: Repository, filters: Filters, *, replay: bool = False
) -> Iterator[tuple[Subject, list[Item]]]:
    """The filtered prospects with their journeys (:mod:`socialcrm.journey`).

    From the store's summaries and journeys when it keeps them; otherwise (or with
    ``replay``) from the models, the events asked for all at once: a store groups
    them in files and reads each file once for the whole request (asking per
    prospect, or per few hundred, read the same files again and again: minutes
    on 30,000).
    """
    wanted = nfc(filters.source).casefold() if filters.source else None
    tag = nfc(filters.tag).casefold() if filters.tag is not None else None
    query = Query(pipeline=filters.pipeline)
    if not replay and isinstance(repository, KeepsJourneys):
        for pid, s, journey in repository.journeys(query):
            if _kept(filters, s, wanted, tag):
                yield Subject.of(pid, s), journey
        return
    kept: dict[str, Prospect] = {p.id: p for p in stage_by_stage(repository, query)}
    for pid, events in repository.events_for(list(kept)):
        s = summary_of(kept.pop(pid), events)
        if _kept(filters, s, wanted, tag):
            yield Subject.of(pid, s), journey_of(events)
