"""Whole-pipeline reads of the TinyDB store straight from its prospect documents.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`: a query looks at
the documents' stage, status and owner before building any model, and a JSON
list takes each record from its document (the cards of ``board`` and ``list``
come from the summaries instead: :mod:`socialcrm.storage.summaries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from socialcrm.models import Prospect
from socialcrm.prospect_records import record, stored_record
from socialcrm.repository import Query
from socialcrm.storage.generations import GenerationStore

__all__ = ["matching_documents", "matching_records", "owned"]

_PROSPECTS = "prospects"


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


def _by_document(query: Query) -> bool:
    """Whether the document-level look is all of ``query``'s filters."""
    return (
        query.tag is None and query.network is None and not query.text and (query.min_score is None)
    )


def matching_records(
    engine: GenerationStore,
    query: Query,
    structure: Callable[[Mapping[str, Any], str], Prospect],
) -> Iterator[dict[str, Any]]:
    """The records of ``query``'s prospects, one prospect file at a time; the caller
    holds the lock.  A document in the current form gives its record directly
    (:func:`~socialcrm.prospect_records.stored_record`); any other, or a query
    with a filter beyond stage, status and owner, goes through the model
    ``structure`` builds (and :meth:`~socialcrm.repository.Query.matches`)."""
    direct = _by_document(query)
    for doc, logical in matching_documents(engine, query):
        found = stored_record(doc) if direct else None
        if found is None:
            prospect = structure(doc, logical)
            if not query.matches(prospect):
                continue
            found = record(prospect)
        yield found
