"""The pipeline at a glance: open prospects per stage, and the won and lost."""

from __future__ import annotations

from attrs import frozen

from socialcrm.cards import Card, cards
from socialcrm.repository import Query, Repository
from socialcrm.stages import Stage, Status
from socialcrm.value import Value

__all__ = ["Board", "board"]


@frozen(repr=False, eq=False)
class Board(Value):
    """The pipeline at a glance: open prospects per stage and outcome totals
    (each prospect as its :class:`~socialcrm.cards.Card`: id, name, company, stage,
    status, owner)."""

    pipeline: str
    stages: dict[Stage, list[Card]]
    won: list[Card]
    lost: list[Card]

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.stages.values()) + len(self.won) + len(self.lost)


def board(
    repository: Repository, pipeline: str, *, owner: str | None = None, replay: bool = False
) -> Board:
    """``pipeline``'s open prospects per stage and its won/lost lists, by name
    (only ``owner``'s when given).  Read as cards (:mod:`socialcrm.cards`);
    ``replay`` builds every model instead (the same board, slower)."""
    stages: dict[Stage, list[Card]] = {s: [] for s in Stage}
    won: list[Card] = []
    lost: list[Card] = []
    query = Query(pipeline=pipeline, owner=owner, sort="name")
    for p in cards(repository, query, replay=replay):
        if p.status is Status.WON:
            won.append(p)
        elif p.status is Status.LOST:
            lost.append(p)
        else:
            stages[p.stage].append(p)
    return Board(pipeline, stages, won, lost)
