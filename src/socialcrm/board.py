"""The pipeline at a glance: open prospects per stage, and the won and lost."""

from __future__ import annotations

from attrs import frozen

from socialcrm.models import Prospect
from socialcrm.repository import Query, Repository
from socialcrm.stages import Stage, Status
from socialcrm.value import Value

__all__ = ["Board", "board"]


@frozen(repr=False, eq=False)
class Board(Value):
    """The pipeline at a glance: open prospects per stage and outcome totals."""

    pipeline: str
    stages: dict[Stage, list[Prospect]]
    won: list[Prospect]
    lost: list[Prospect]

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.stages.values()) + len(self.won) + len(self.lost)


def board(repository: Repository, pipeline: str, *, owner: str | None = None) -> Board:
    """``pipeline``'s open prospects per stage and its won/lost lists, by name
    (only ``owner``'s when given)."""
    stages: dict[Stage, list[Prospect]] = {s: [] for s in Stage}
    won: list[Prospect] = []
    lost: list[Prospect] = []
    for p in repository.query(Query(pipeline=pipeline, owner=owner, sort="name")):
        if p.status is Status.WON:
            won.append(p)
        elif p.status is Status.LOST:
            lost.append(p)
        else:
            stages[p.stage].append(p)
    return Board(pipeline, stages, won, lost)
