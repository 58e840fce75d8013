"""A prospect's card on the board: the few fields a whole-pipeline view shows.

``board`` shows every prospect of a pipeline by name; building 30,000 full
models for it cost more than reading the store (issue 23).  A :class:`Card` is
what the board needs; a backend holding prospect *documents* (TinyDB) reads
cards from them without building a model (:class:`ListsCards`), and
:func:`cards` falls back to the models for any other backend — the same cards
in the same order either way (a test compares them).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from attrs import frozen

from socialcrm.models import Prospect
from socialcrm.repository import Query, Repository
from socialcrm.stages import Stage, Status

__all__ = ["Card", "ListsCards", "cards", "sort_cards"]


@frozen
class Card:
    """Who a board lists: id, name, company, where they are and whose they are."""

    id: str
    name: str
    company: str | None
    stage: Stage
    status: Status
    owner: str | None = None

    @classmethod
    def of(cls, p: Prospect) -> Card:
        return cls(p.id, p.name, p.company, p.stage, p.status, p.owner)


def sort_cards(found: list[Card]) -> list[Card]:
    """By name (case-folded), ties by id: the order of ``Query(sort="name")``."""
    found.sort(key=lambda c: c.id)
    found.sort(key=lambda c: c.name.casefold())
    return found


@runtime_checkable
class ListsCards(Protocol):
    """Optional for a backend: the cards of a query's prospects without their models."""

    def cards(self, query: Query) -> list[Card] | None:
        """Cards of ``query``'s prospects in any order (``sort`` and ``limit``
        ignored), or ``None`` when the query needs models (a tag or text filter)."""
        ...


def cards(repository: Repository, query: Query, *, replay: bool = False) -> list[Card]:
    """The cards of ``query``'s prospects by name (``replay``: always from the models)."""
    if not replay and isinstance(repository, ListsCards):
        found = repository.cards(query)
        if found is not None:
            return sort_cards(found)
    return sort_cards([Card.of(p) for p in repository.query(query)])
