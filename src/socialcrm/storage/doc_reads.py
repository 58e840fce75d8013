"""Whole-pipeline reads of the TinyDB store straight from its prospect documents.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`: ``board`` needs
a card (id, name, company, stage, status, owner) per prospect, and building
30,000 full models for it cost more than reading the files (issue 23).  The
fields read here are those the core's :class:`~socialcrm.cards.Card` holds; a
document that does not have them is built as a model, which reports the damage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from socialcrm.cards import Card
from socialcrm.models import Prospect
from socialcrm.repository import Query
from socialcrm.stages import Stage, Status
from socialcrm.storage.generations import GenerationStore

__all__ = ["cards", "owned"]

_PROSPECTS = "prospects"

#: ``structure(document, logical file)``: the model, or the error naming the file.
Structure = Callable[[Mapping[str, Any], str], Prospect]


def owned(doc: Mapping[str, Any], query: Query) -> bool:
    """Whether a prospect document passes ``query``'s owner filter (before building it)."""
    if query.owner is None:
        return True
    owner = doc.get("owner")
    return owner == query.owner or (query.unowned and owner is None)


def cards(engine: GenerationStore, query: Query, structure: Structure) -> list[Card] | None:
    """``query``'s cards, one prospect file at a time (the caller holds the lock);
    ``None`` when a filter needs the models (tag, network, text, score)."""
    if query.tag is not None or query.network or query.text or query.min_score is not None:
        return None
    stage = None if query.stage is None else query.stage.value
    status = None if query.status is None else query.status.value
    found: list[Card] = []
    for logical in engine.logicals("p-" if stage is None else f"p-{stage}-"):
        docs = engine.view(logical, cache=False).get(_PROSPECTS, {})
        for doc in docs.values():
            if (
                doc.get("pipeline") != query.pipeline
                or (stage is not None and doc.get("stage") != stage)
                or (status is not None and doc.get("status") != status)
                or not owned(doc, query)
            ):
                continue
            found.append(_card(doc, logical, structure))
        del docs
    return found


def _card(doc: Mapping[str, Any], logical: str, structure: Structure) -> Card:
    try:
        card = Card(
            doc["id"],
            doc["name"],
            doc.get("company"),
            Stage(doc["stage"]),
            Status(doc["status"]),
            doc.get("owner"),
        )
    except (KeyError, TypeError, ValueError):  # damaged: the model says what is wrong
        return Card.of(structure(doc, logical))
    if type(card.name) is not str or not isinstance(card.company, str | None):
        return Card.of(structure(doc, logical))
    return card
