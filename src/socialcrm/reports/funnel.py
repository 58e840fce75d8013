"""The funnel: how prospects move through the five stages, and how many are won.

Definitions (docs/reports.md has them in full):

* a prospect *entered* a stage when one of its visits to it started in the period;
* its outcome there is its **last** such visit's: still there, moved on (a
  later stage), moved back, lost there, or won (the convert stage);
* conversion to the next stage is moved on ÷ entered (won ÷ entered for convert);
* time in stage is, for each prospect that entered and left, the sum of its
  visits to that stage that started in the period; median and 90th percentile;
* won and lost count closings in the period still standing at its end.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from socialcrm.journey import Item
from socialcrm.reports.selection import Filters, Subject, subjects
from socialcrm.reports.stats import days, median, p90, rate
from socialcrm.reports.timeline import Track, replay_journey
from socialcrm.repository import Repository
from socialcrm.stages import Stage, Status

__all__ = ["COHORTS", "FunnelPass", "cohort_key", "funnel"]

COHORTS = ("month", "source", "network", "icp")
OUTCOMES = ("still_there", "moved_on", "moved_back", "lost", "won")
_EXIT = {
    "forward": "moved_on",
    "back": "moved_back",
    "lost": "lost",
    "won": "won",
    None: "still_there",
}


def cohort_key(cohort: str, subject: Subject, track: Track) -> str:
    """The cohort a prospect belongs to (month of entry, source, network, ICP band)."""
    if cohort == "month":
        start = track.created or subject.created_at
        return start.strftime("%Y-%m")
    if cohort == "source":
        return subject.source
    if cohort == "network":
        if subject.source_network:
            return subject.source_network
        return subject.networks[0] if subject.networks else "none"
    score = subject.score
    if score is None:
        return "unscored"
    low = min(int(score // 20) * 20, 80) if score > 1 else min(int(score * 5) * 20, 80)
    return f"{low}-{low + 20}"


class _Tally:
    def __init__(self) -> None:
        self.entered: Counter[Stage] = Counter()
        self.outcomes: dict[Stage, Counter[str]] = defaultdict(Counter)
        self.durations: dict[Stage, list[float]] = defaultdict(list)
        self.won = 0
        self.lost: Counter[str] = Counter()
        self.to_won: list[float] = []
        self.prospects = 0

    def add(self, track: Track, filters: Filters) -> None:
        visits = [v for v in track.visits if filters.within(v.start)]
        closing = track.closings[-1] if track.closings else None
        closed_here = closing is not None and filters.within(closing.at)
        if not visits and not closed_here:
            return
        self.prospects += 1
        last_by_stage = {v.stage: v for v in visits}
        for stage, last in last_by_stage.items():
            self.entered[stage] += 1
            outcome = _EXIT[last.exit]
            self.outcomes[stage][outcome] += 1
            if last.end is not None:
                self.durations[stage].append(
                    sum(days((v.end or filters.end) - v.start) for v in visits if v.stage is stage)
                )
        if closing is None or not closed_here or track.status is Status.OPEN:
            return
        if track.status is Status.WON:
            self.won += 1
            first = track.first_message()
            if first is not None and first <= closing.at:
                self.to_won.append(days(closing.at - first))
        else:
            self.lost[closing.reason or "no reason"] += 1

    def stages(self) -> list[dict[str, Any]]:
        rows = []
        for stage in Stage:
            entered, out = self.entered[stage], self.outcomes[stage]
            onward = out["won"] if stage is Stage.CONVERT else out["moved_on"]
            rows.append(
                {
                    "stage": stage.value,
                    "entered": entered,
                    **{name: out[name] for name in OUTCOMES},
                    "conversion": rate(onward, entered),
                    "median_days": median(self.durations[stage]),
                    "p90_days": p90(self.durations[stage]),
                }
            )
        return rows

    def totals(self) -> dict[str, Any]:
        lost = sum(self.lost.values())
        return {
            "prospects": self.prospects,
            "won": self.won,
            "lost": lost,
            "lost_by_reason": dict(sorted(self.lost.items(), key=lambda kv: (-kv[1], kv[0]))),
            "win_rate": rate(self.won, self.won + lost),
            "median_days_first_contact_to_won": median(self.to_won),
        }


class FunnelPass:
    """The funnel, one prospect at a time (``add``), then ``result``."""

    def __init__(self, filters: Filters, cohort: str | None = None) -> None:
        self.filters, self.cohort = filters, cohort
        self.whole = _Tally()
        self.parts: dict[str, _Tally] = defaultdict(_Tally)

    def add(self, subject: Subject, journey: list[Item], track: Track | None = None) -> None:
        """Count one prospect (``track``: its journey replayed to the period's end, if done)."""
        if track is None:
            track = replay_journey(journey, self.filters.end, (subject.stage, subject.status))
        self.whole.add(track, self.filters)
        if self.cohort is not None:
            self.parts[cohort_key(self.cohort, subject, track)].add(track, self.filters)

    def result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "report": "funnel",
            "filters": self.filters.to_dict(),
            "stages": self.whole.stages(),
            **self.whole.totals(),
        }
        if self.cohort is not None:
            result["cohort"] = self.cohort
            result["cohorts"] = [
                {"cohort": key, "entered": tally.entered[Stage.PROFILE], **tally.totals()}
                for key, tally in sorted(self.parts.items())
                if tally.prospects
            ]
        return result


def funnel(
    repository: Repository, filters: Filters, *, cohort: str | None = None
) -> dict[str, Any]:
    """The funnel of ``filters``' prospects, optionally split into cohorts."""
    report = FunnelPass(filters, cohort)
    for subject, journey in subjects(repository, filters):
        report.add(subject, journey)
    return report.result()
