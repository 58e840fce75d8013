"""A prospect's card: the few fields a whole-pipeline view shows and sorts by.

``board`` and the ``list`` table show every prospect of a pipeline; building
30,000 full models for them cost more than reading the store (issue 23).  A
:class:`Card` is what they need; a backend keeping each prospect's summary
(:mod:`socialcrm.summary`: TinyDB, SQL) reads cards from them without building a
model (:class:`ListsCards`),
and :func:`cards` falls back to the models for any other backend or for a
filter that needs them — the same cards in the same order either way (a test
compares them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from attrs import frozen

from socialcrm.models import Prospect, nfc
from socialcrm.repository import Query, Repository
from socialcrm.stages import STAGE_OF, STATUS_OF, Stage, Status

__all__ = ["Card", "ListsCards", "cards", "needs_models"]


@frozen
class Card:
    """Who a board or a list shows: id, name, company, where they are, whose they are,
    their networks and tags, and what ``Query.sort`` may sort by."""

    id: str
    name: str
    company: str | None
    stage: Stage
    status: Status
    owner: str | None
    networks: tuple[str, ...]
    tags: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    score: float | None
    organisation: bool = False

    @classmethod
    def of(cls, p: Prospect) -> Card:
        return cls(
            p.id,
            p.name,
            p.company,
            p.stage,
            p.status,
            p.owner,
            tuple(i.network for i in p.identities),
            tuple(p.tags),
            p.created_at,
            p.updated_at,
            p.assessment.score if p.assessment else None,
            p.is_organisation,
        )

    @classmethod
    def of_summary(cls, prospect_id: str, s: Mapping[str, Any]) -> Card:
        """The card of a prospect's summary (:mod:`socialcrm.summary`), no model built."""
        return _card_of_summary(prospect_id, s)


def _card_of_summary(pid: str, s: Mapping[str, Any]) -> Card:
    return Card(
        pid,
        s["n"],
        s.get("co"),
        STAGE_OF[s["s"]],
        STATUS_OF[s["st"]],
        s.get("o"),
        tuple(s.get("nw", ())),
        tuple(s.get("tg", ())),
        datetime.fromisoformat(s["c"]),
        datetime.fromisoformat(s["u"]),
        s.get("sco"),
        bool(s.get("org")),
    )


def needs_models(query: Query) -> bool:
    """Whether ``query`` filters on what a card does not hold (a text search)."""
    return bool(query.text)


def _matches(query: Query, card: Card) -> bool:
    """``query``'s tag, network and score filters on a card (the store applied the rest)."""
    if query.tag is not None and nfc(query.tag).casefold() not in card.tags:
        return False
    if query.network is not None and query.network.lower() not in card.networks:
        return False
    if query.min_score is not None:
        return card.score is not None and card.score >= query.min_score
    return True


@runtime_checkable
class ListsCards(Protocol):
    """Optional for a backend: the cards of a query's prospects without their models."""

    def cards(self, query: Query) -> list[Card]:
        """Cards of the prospects of ``query.pipeline`` passing its stage, status and
        owner filters, in any order (the other filters, ``sort`` and ``limit`` are
        applied by :func:`cards`)."""
        ...


def cards(repository: Repository, query: Query, *, replay: bool = False) -> list[Card]:
    """The cards of ``query``'s prospects, sorted and limited as ``query`` says
    (``replay``: always from the models)."""
    if replay or needs_models(query) or not isinstance(repository, ListsCards):
        return [Card.of(p) for p in repository.query(query)]
    found = [c for c in repository.cards(query) if _matches(query, c)]
    return query.ordered(found, lambda c: c.score)
