"""Whole-pipeline reads of the TinyDB store straight from its prospect documents.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`: ``board`` and
the ``list`` table need a card (:class:`~socialcrm.cards.Card`) per prospect,
and building 30,000 full models for them cost more than reading the files
(issue 23).  The
fields read here are those the core's :class:`~socialcrm.cards.Card` holds; a
document that does not have them is built as a model, which reports the damage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from socialcrm.cards import Card
from socialcrm.models import Prospect, ProspectKind
from socialcrm.repository import Query
from socialcrm.serialization import FORMAT_VERSION
from socialcrm.stages import Stage, Status
from socialcrm.storage.generations import GenerationStore

__all__ = ["cards", "matching_documents", "owned"]

_PROSPECTS = "prospects"

#: ``structure(document, logical file)``: the model, or the error naming the file.
Structure = Callable[[Mapping[str, Any], str], Prospect]


def owned(doc: Mapping[str, Any], query: Query) -> bool:
    """Whether a prospect document passes ``query``'s owner filter (before building it)."""
    if query.owner is None:
        return True
    owner = doc.get("owner")
    return owner == query.owner or (query.unowned and owner is None)


def matching_documents(
    engine: GenerationStore, query: Query
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """``(document, logical file)`` of ``query.pipeline``'s prospects passing its
    stage, status and owner filters, one prospect file at a time (only the stage's
    files with a stage filter: prospects are grouped by stage); the caller holds
    the lock.  The other filters need more than a document field."""
    stage = None if query.stage is None else query.stage.value
    status = None if query.status is None else query.status.value
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
            yield doc, logical
        del docs


def cards(engine: GenerationStore, query: Query, structure: Structure) -> list[Card]:
    """Cards of the prospects :func:`matching_documents` finds (the caller holds the lock)."""
    return [_card(doc, logical, structure) for doc, logical in matching_documents(engine, query)]


def _card(doc: Mapping[str, Any], logical: str, structure: Structure) -> Card:
    """The card of a stored document; a document not in its written form is
    built as a model instead (which says what is wrong with it)."""
    if doc.get("v") != FORMAT_VERSION:  # an older form: the model upgrades it
        return Card.of(structure(doc, logical))
    try:
        assessment = doc["assessment"]
        score = None if assessment is None else assessment["score"]
        card = Card(
            doc["id"],
            doc["name"],
            doc["company"],
            Stage(doc["stage"]),
            Status(doc["status"]),
            doc["owner"],
            tuple(i["network"] for i in doc["identities"]),
            tuple(doc["tags"]),
            _utc(doc["created_at"]),
            _utc(doc["updated_at"]),
            score,
            ProspectKind(doc["kind"]) is ProspectKind.ORGANISATION,
        )
    except (KeyError, TypeError, ValueError):
        return Card.of(structure(doc, logical))
    if not _plain(card):
        return Card.of(structure(doc, logical))
    return card


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    if at.utcoffset() != timedelta(0):
        raise ValueError(text)
    return at.replace(tzinfo=UTC)


def _plain(card: Card) -> bool:
    """Whether every field has the type the model would give it."""
    texts = (card.id, card.name, *card.networks, *card.tags)
    return (
        all(type(t) is str for t in texts)
        and (card.company is None or type(card.company) is str)
        and (card.owner is None or type(card.owner) is str)
        and (card.score is None or type(card.score) in (float, int))
    )
