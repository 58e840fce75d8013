"""Whole-pipeline reads of the TinyDB store straight from its prospect documents.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`: a query looks at
the documents' stage, status and owner before building any model (the cards of
``board`` and ``list`` come from the summaries instead:
:mod:`socialcrm.storage.summaries`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from socialcrm.repository import Query
from socialcrm.storage.generations import GenerationStore

__all__ = ["matching_documents", "owned"]

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
