"""Goals: the study's figures-based objectives ("objectifs chiffrés") and their progress.

A goal is a ``METRIC`` and a ``TARGET``, either **per** week/month/year (the
count in the current period: Monday, the 1st, 1 January, UTC) or **by** a date
(counted from when the goal was set; for followers, the size to reach).  Its
*expected* value now is the target times the elapsed share of the period (for
followers by a date: from the size when it was set to the target); it is
**on track** when the actual value is at least the expected one rounded down.
Goals live in the store's meta (``goals``), one per metric and network.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.journey import Item
from socialcrm.limits import MAX_GOALS
from socialcrm.reports.selection import Filters, Subject, day_start, subjects
from socialcrm.reports.timeline import Track, replay_journey
from socialcrm.repository import Repository
from socialcrm.stages import Status

__all__ = [
    "GOALS_META_KEY",
    "METRICS",
    "PERIODS",
    "Goal",
    "GoalTimes",
    "goals_status",
    "set_goal",
]

GOALS_META_KEY = "goals"
METRICS = ("followers", "posts", "prospects", "first_contacts", "replies", "wins")
PERIODS = ("week", "month", "year")
_EVENT_METRICS = ("prospects", "first_contacts", "replies", "wins")


@frozen
class Goal:
    metric: str
    target: int
    set_at: datetime
    per: str | None = None
    by: date | None = None
    network: str | None = None

    @property
    def key(self) -> str:
        return f"{self.metric}:{self.network}" if self.network else self.metric

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "target": self.target,
            "set_at": self.set_at.isoformat(),
            "per": self.per,
            "by": self.by.isoformat() if self.by else None,
            "network": self.network,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Goal:
        return cls(
            metric=str(d["metric"]),
            target=int(d["target"]),
            set_at=datetime.fromisoformat(str(d["set_at"])),
            per=d.get("per"),
            by=date.fromisoformat(str(d["by"])) if d.get("by") else None,
            network=d.get("network"),
        )


def list_goals(repository: Repository) -> list[Goal]:
    try:
        return [Goal.from_dict(d) for d in repository.get_meta(GOALS_META_KEY) or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValidationError(
            _("the store's goals are damaged ({exc!r})").format(exc=exc), field=GOALS_META_KEY
        ) from None


def set_goal(
    crm: Any,
    metric: str,
    target: int,
    *,
    per: str | None = None,
    by: date | None = None,
    network: str | None = None,
) -> Goal:
    """Set (or replace) the goal on ``metric`` (and ``network``), in one unit of work."""
    metric = metric.strip().lower().replace("-", "_")
    if metric not in METRICS:
        raise ValidationError(
            _("unknown metric {metric!r}").format(metric=metric),
            field="metric",
            value=metric,
            hint=", ".join(METRICS),
        )
    if (per is None) == (by is None):
        raise ValidationError(
            _("a goal needs --per week|month|year or --by DATE (one of them)"),
            field="per",
            hint=_("e.g. socialcrm goal set posts 2 --per week"),
        )
    if per is not None and per not in PERIODS:
        raise ValidationError(
            _("unknown period {per!r}").format(per=per), field="per", hint=", ".join(PERIODS)
        )
    if by is not None and by <= crm.now().date():
        raise ValidationError(
            _("{date} is not in the future").format(date=by.isoformat()),
            field="by",
            value=by.isoformat(),
        )
    if target <= 0:
        raise ValidationError(_("a target is a positive number"), field="target", value=target)
    if metric == "followers" and not network:
        raise ValidationError(
            _("a followers goal is on one network"),
            field="network",
            hint=_("add --network linkedin"),
        )
    net = crm.networks.get(network).id if network else None
    goal = Goal(metric, target, crm.now(), per, by, net)
    with crm.recording.transaction() as recorder:
        kept = [g for g in list_goals(recorder.repository) if g.key != goal.key]
        if len(kept) >= MAX_GOALS:
            raise ValidationError(_("at most {limit} goals").format(limit=MAX_GOALS), field="goals")
        recorder.repository.set_meta(GOALS_META_KEY, [g.to_dict() for g in [*kept, goal]])
    return goal


def remove_goal(crm: Any, metric: str, network: str | None = None) -> None:
    key = f"{metric}:{network}" if network else metric
    with crm.recording.transaction() as recorder:
        goals = list_goals(recorder.repository)
        if not any(g.key == key for g in goals):
            raise ValidationError(
                _("no goal on {key!r}").format(key=key), field="metric", value=key
            )
        recorder.repository.set_meta(
            GOALS_META_KEY, [g.to_dict() for g in goals if g.key != key] or None
        )


def period_bounds(per: str, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(UTC).date()
    if per == "week":
        start = today - timedelta(days=today.weekday())
        return day_start(start), day_start(start + timedelta(days=7))
    if per == "month":
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return day_start(start), day_start(following)
    start = today.replace(month=1, day=1)
    return day_start(start), day_start(start.replace(year=start.year + 1))


class GoalTimes:
    """When each counted thing happened: prospects created, openers, replies, wins."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.times: dict[str, list[datetime]] = {m: [] for m in _EVENT_METRICS}

    def add(self, subject: Subject, journey: list[Item], track: Track | None = None) -> None:
        """Note one prospect's times (``track``: its journey replayed up to now, if done)."""
        if track is None:
            track = replay_journey(journey, self.now, (subject.stage, subject.status))
        times = self.times
        if track.created is not None:
            times["prospects"].append(track.created)
        if track.messages and track.messages[0][2] == "s":
            times["first_contacts"].append(datetime.fromisoformat(track.messages[0][0]))
            reply = next((m for m in track.messages if m[2] == "r"), None)
            if reply is not None:
                times["replies"].append(datetime.fromisoformat(reply[0]))
        if track.status is Status.WON and track.closings:
            times["wins"].append(track.closings[-1].at)


def _times(repository: Repository, pipeline: str, now: datetime) -> dict[str, list[datetime]]:
    counted = GoalTimes(now)
    for subject, journey in subjects(repository, Filters(now=now, pipeline=pipeline)):
        counted.add(subject, journey)
    return counted.times


def needs_events(repository: Repository) -> bool:
    """Whether a goal counts something read from the events."""
    return any(g.metric in _EVENT_METRICS for g in list_goals(repository))


def _size_at(sizes: list[tuple[datetime, int]], at: datetime) -> int | None:
    before = [n for when, n in sizes if when <= at]
    if before:
        return before[-1]
    return sizes[0][1] if sizes else None


def goals_status(
    repository: Repository,
    pipeline: str,
    now: datetime,
    counted: dict[str, list[datetime]] | None = None,
) -> list[dict[str, Any]]:
    """Every goal with its actual value, the value expected by now, and whether on track.

    ``counted``: the pipeline's :class:`GoalTimes` when the caller read the events already.
    """
    from socialcrm.playbook import POSTS_META_KEY
    from socialcrm.reports.audience import measures

    goals = list_goals(repository)
    times: dict[str, list[datetime]] = dict(counted or {})
    if counted is None and any(g.metric in _EVENT_METRICS for g in goals):
        times = _times(repository, pipeline, now)
    if any(g.metric == "posts" for g in goals):
        times["posts"] = [
            datetime.fromisoformat(str(d["at"])) for d in repository.get_meta(POSTS_META_KEY) or []
        ]
    rows = []
    for goal in goals:
        if goal.per is not None:
            start, end = period_bounds(goal.per, now)
        else:
            assert goal.by is not None
            start, end = goal.set_at, day_start(goal.by) + timedelta(days=1)
        share = min(1.0, max(0.0, (now - start) / (end - start)))
        if goal.metric == "followers":
            sizes = [(day_start(m.day), m.followers) for m in measures(repository, goal.network)]
            latest = sizes[-1][1] if sizes else 0
            base = _size_at(sizes, start) or 0
            if goal.per is not None:
                actual, expected = latest - base, goal.target * share
            else:
                actual, expected = latest, base + (goal.target - base) * share
        else:
            actual = sum(1 for t in times.get(goal.metric, []) if start <= t <= now)
            expected = goal.target * share
        rows.append(
            {
                **goal.to_dict(),
                "from": start.isoformat(),
                "to": end.isoformat(),
                "actual": actual,
                "expected": round(expected, 2),
                "progress": round(actual / goal.target, 4),
                "on_track": actual >= math.floor(expected),
            }
        )
    return rows


def behind(repository: Repository, pipeline: str, now: datetime) -> list[dict[str, Any]]:
    """The goals behind schedule (empty, and nothing read, when there are no goals)."""
    if not repository.get_meta(GOALS_META_KEY):
        return []
    return [g for g in goals_status(repository, pipeline, now) if not g["on_track"]]
