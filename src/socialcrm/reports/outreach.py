"""Outreach: openers sent, replies, response times either way, follow-ups overdue.

* an **opener** is a prospect's first message logged as sent, when no
  message from the prospect came before it (otherwise the contact was
  *prospect-initiated* and the rep's first message is an answer);
* a **reply** to an opener is the prospect's first received message after it;
* the rep's **response time** runs from an inbound message that was waiting
  for an answer (the first received after a sent one, or the first ever) to
  the rep's next sent message;
* a **follow-up is overdue** when the prospect's sequence step was due before now.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from socialcrm.journey import Item
from socialcrm.reports.selection import Filters, Subject, subjects
from socialcrm.reports.stats import days, median, p90, rate, week_of
from socialcrm.reports.timeline import Track, replay_journey
from socialcrm.repository import Repository

__all__ = ["OutreachPass", "outreach"]


def _network(subject: Subject, message: Item) -> str:
    if message[3]:
        return str(message[3])
    return subject.networks[0] if len(subject.networks) == 1 else "none"


def _sequence_at(journey: list[Item], at: datetime) -> str:
    name = "none"
    for item in journey:
        if datetime.fromisoformat(item[0]) > at:
            break
        if item[2] == "e":
            name = item[3]
        elif item[2] == "x":
            name = "none"
    return name


class _Group:
    def __init__(self) -> None:
        self.openers = 0
        self.replied = 0
        self.reply_days: list[float] = []

    def row(self, key: str, name: str) -> dict[str, Any]:
        return {
            name: key,
            "openers": self.openers,
            "replied": self.replied,
            "reply_rate": rate(self.replied, self.openers),
            "median_reply_days": median(self.reply_days),
        }


class OutreachPass:
    """The outreach report, one prospect at a time (``add``), then ``result``."""

    def __init__(self, repository: Repository, filters: Filters) -> None:
        from socialcrm.playbook.followups import list_sequences

        pipeline = repository.get_pipeline(filters.pipeline)
        self.filters = filters
        self.sequences = list_sequences(pipeline) if pipeline is not None else []
        self.weeks: Counter[str] = Counter()
        self.replies_by_week: Counter[str] = Counter()
        self.total = _Group()
        self.by_network: dict[str, _Group] = defaultdict(_Group)
        self.by_sequence: dict[str, _Group] = defaultdict(_Group)
        self.by_template: dict[str, _Group] = defaultdict(_Group)
        # the opening message of a sequence is its first step's template
        self.openers_template = {s.name: s.steps[0].template for s in self.sequences if s.steps}
        self.prospect_initiated = self.inbound = self.answered = self.overdue = 0
        self.response_days: list[float] = []

    def add(self, subject: Subject, journey: list[Item], track: Track | None = None) -> None:
        """Count one prospect (``track``: its journey replayed to the period's end, if done)."""
        filters = self.filters
        messages = (track or replay_journey(journey, filters.end)).messages
        first = datetime.fromisoformat(messages[0][0]) if messages else None
        if first is not None and messages[0][2] == "r":
            if filters.within(first):
                self.prospect_initiated += 1
        elif first is not None and filters.within(first):
            self._opener(subject, journey, messages)
        waiting: datetime | None = None
        for message in messages:
            at = datetime.fromisoformat(message[0])
            if message[2] == "r":
                if waiting is None and filters.within(at):
                    waiting = at
                    self.inbound += 1
            elif waiting is not None:
                self.answered += 1
                self.response_days.append(days(at - waiting))
                waiting = None
        if subject.is_open and self.sequences:
            from socialcrm.playbook.sequences import progress_of_summary

            state = progress_of_summary(
                subject.folded, subject.status, subject.updated_at, self.sequences
            )
            if state is not None and state.due_at is not None and state.due_at < filters.now:
                self.overdue += 1

    def _opener(self, subject: Subject, journey: list[Item], messages: list[Item]) -> None:
        opener = messages[0]
        opened = datetime.fromisoformat(opener[0])
        reply = next((m for m in messages if m[2] == "r"), None)
        sequence = _sequence_at(journey, opened)
        groups = (
            self.total,
            self.by_network[_network(subject, opener)],
            self.by_sequence[sequence],
            self.by_template[self.openers_template.get(sequence, "none")],
        )
        self.weeks[week_of(opened)] += 1
        for group in groups:
            group.openers += 1
            if reply is not None:
                group.replied += 1
                group.reply_days.append(days(datetime.fromisoformat(reply[0]) - opened))
        if reply is not None:
            self.replies_by_week[week_of(opened)] += 1

    def result(self) -> dict[str, Any]:
        total, weeks = self.total, self.weeks
        return {
            "report": "outreach",
            "filters": self.filters.to_dict(),
            **{k: v for k, v in total.row("all", "scope").items() if k != "scope"},
            "prospect_initiated": self.prospect_initiated,
            "weeks": [
                {"week": w, "openers": weeks[w], "replied": self.replies_by_week[w]}
                for w in sorted(weeks)
            ],
            "p90_reply_days": p90(total.reply_days),
            "inbound": self.inbound,
            "inbound_answered": self.answered,
            "answer_rate": rate(self.answered, self.inbound),
            "median_response_days": median(self.response_days),
            "p90_response_days": p90(self.response_days),
            "overdue_followups": self.overdue,
            "by_network": [g.row(k, "network") for k, g in sorted(self.by_network.items())],
            "by_sequence": [
                {**g.row(k, "sequence"), "template": self.openers_template.get(k)}
                for k, g in sorted(self.by_sequence.items())
            ],
            "by_template": [g.row(k, "template") for k, g in sorted(self.by_template.items())],
            "reply_days": sorted(round(d, 3) for d in total.reply_days),
            "response_days": sorted(round(d, 3) for d in self.response_days),
        }


def outreach(repository: Repository, filters: Filters) -> dict[str, Any]:
    """Openers per week, reply rate and times, the rep's response time, overdue follow-ups."""
    report = OutreachPass(repository, filters)
    for subject, journey in subjects(repository, filters):
        report.add(subject, journey)
    return report.result()
