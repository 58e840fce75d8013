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

from socialcrm.models import Event, MessageReceived, MessageSent, Prospect, SequenceEnrolled
from socialcrm.reports.selection import Filters, selected
from socialcrm.reports.stats import days, median, p90, rate, week_of
from socialcrm.reports.timeline import replay
from socialcrm.repository import Repository

__all__ = ["outreach"]


def _network(prospect: Prospect, event: Event) -> str:
    payload = event.payload
    net = getattr(payload, "network", None)
    if net:
        return str(net)
    return prospect.identities[0].network if len(prospect.identities) == 1 else "none"


def _sequence_at(events: list[Event], at: datetime) -> str:
    name = "none"
    for event in events:
        if event.at > at:
            break
        if isinstance(event.payload, SequenceEnrolled):
            name = event.payload.sequence
        elif event.kind.value == "sequence_stopped":
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


def outreach(repository: Repository, filters: Filters) -> dict[str, Any]:
    """Openers per week, reply rate and times, the rep's response time, overdue follow-ups."""
    from socialcrm.playbook.followups import list_sequences
    from socialcrm.playbook.sequences import progress

    pipeline = repository.get_pipeline(filters.pipeline)
    sequences = list_sequences(pipeline) if pipeline is not None else []
    weeks: Counter[str] = Counter()
    replies_by_week: Counter[str] = Counter()
    total = _Group()
    by_network: dict[str, _Group] = defaultdict(_Group)
    by_sequence: dict[str, _Group] = defaultdict(_Group)
    prospect_initiated = inbound = answered = overdue = 0
    response_days: list[float] = []
    for prospect, events in selected(repository, filters):
        ordered = sorted(events, key=lambda e: (e.at, e.id))
        messages = replay(ordered, filters.end).messages
        if messages and isinstance(messages[0].payload, MessageReceived):
            if filters.within(messages[0].at):
                prospect_initiated += 1
        elif messages:
            opener = messages[0]
            if filters.within(opener.at):
                reply = next((m for m in messages if isinstance(m.payload, MessageReceived)), None)
                groups = (
                    total,
                    by_network[_network(prospect, opener)],
                    by_sequence[_sequence_at(ordered, opener.at)],
                )
                weeks[week_of(opener.at)] += 1
                for group in groups:
                    group.openers += 1
                    if reply is not None:
                        group.replied += 1
                        group.reply_days.append(days(reply.at - opener.at))
                if reply is not None:
                    replies_by_week[week_of(opener.at)] += 1
        waiting: Event | None = None
        for message in messages:
            if isinstance(message.payload, MessageReceived):
                if waiting is None and filters.within(message.at):
                    waiting = message
                    inbound += 1
            elif isinstance(message.payload, MessageSent) and waiting is not None:
                answered += 1
                response_days.append(days(message.at - waiting.at))
                waiting = None
        if prospect.is_open and sequences:
            state = progress(prospect, ordered, sequences)
            if state is not None and state.due_at is not None and state.due_at < filters.now:
                overdue += 1
    openers_template = {s.name: s.steps[0].template for s in sequences if s.steps}
    return {
        "report": "outreach",
        "filters": filters.to_dict(),
        **{k: v for k, v in total.row("all", "scope").items() if k != "scope"},
        "prospect_initiated": prospect_initiated,
        "weeks": [
            {"week": w, "openers": weeks[w], "replied": replies_by_week[w]} for w in sorted(weeks)
        ],
        "p90_reply_days": p90(total.reply_days),
        "inbound": inbound,
        "inbound_answered": answered,
        "answer_rate": rate(answered, inbound),
        "median_response_days": median(response_days),
        "p90_response_days": p90(response_days),
        "overdue_followups": overdue,
        "by_network": [g.row(k, "network") for k, g in sorted(by_network.items())],
        "by_sequence": [
            {**g.row(k, "sequence"), "template": openers_template.get(k)}
            for k, g in sorted(by_sequence.items())
        ],
        "reply_days": sorted(round(d, 3) for d in total.reply_days),
        "response_days": sorted(round(d, 3) for d in response_days),
    }
