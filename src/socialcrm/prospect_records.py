"""The stable JSON form of a prospect, and whole lists of them straight from the store.

The form is what ``list`` and ``show`` print as JSON and what scripts rely
on (documented in docs/cli.md).  A store's own document of a
prospect holds the same values in another order, plus its format version:
:func:`stored_record` reorders it, so :func:`listed` gives a whole pipeline's
records without building a model per prospect (at 30,000 prospects, building
the models was half of ``list --format json``'s time).  Anything not in the
current written form goes through the model, and a test compares both ways on
generated prospects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from socialcrm.repository import Query, Repository, ScansRecords
from socialcrm.serialization import FORMAT_VERSION
from socialcrm.stages import STAGE_OF

if TYPE_CHECKING:
    from socialcrm.models import Prospect

__all__ = [
    "RECORD_FIELDS",
    "as_is",
    "iso",
    "listed",
    "prospect_record",
    "record",
    "record_floats",
    "stored_record",
]

E = TypeVar("E")

RECORD_FIELDS = (
    "id",
    "name",
    "kind",
    "pipeline",
    "stage",
    "status",
    "lost_reason",
    "first_name",
    "last_name",
    "company",
    "title",
    "sector",
    "company_size",
    "location",
    "identities",
    "emails",
    "phones",
    "tags",
    "notes",
    "custom",
    "point_of_interest",
    "assessment",
    "owner",
    "source",
    "lawful_basis",
    "created_at",
    "updated_at",
)
"""The keys of a record, in the order it is written."""


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def as_is(value: datetime | None) -> datetime | None:
    return value


def prospect_record(p: Prospect) -> dict[str, Any]:
    """The stable JSON form of a prospect, timestamps as ISO 8601 text."""
    return record(p, iso)


def record(p: Prospect, when: Callable[[datetime | None], Any] = iso) -> dict[str, Any]:
    """:func:`prospect_record` with each timestamp given to ``when``.

    ``as_is`` keeps the datetimes: orjson writes a UTC datetime exactly as
    ``isoformat()`` does, in C, where the 12,000 ``isoformat()`` calls of a
    6,000-prospect list were a third of building its records.  Enum values are
    read as ``_value_``: the ``value`` property costs ~3x more.
    """
    poi = p.point_of_interest
    assessment = p.assessment
    source = p.source
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind._value_,
        "pipeline": p.pipeline,
        "stage": p.stage._value_,
        "status": p.status._value_,
        "lost_reason": p.lost_reason,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "company": p.company,
        "title": p.title,
        "sector": p.sector,
        "company_size": p.company_size,
        "location": p.location,
        "identities": [
            {"network": i.network, "handle": i.handle, "url": i.url} for i in p.identities
        ],
        "emails": list(p.emails),
        "phones": list(p.phones),
        "tags": list(p.tags),
        "notes": p.notes,
        "custom": dict(p.custom),
        "point_of_interest": (
            {"text": poi.text, "url": poi.url, "at": when(poi.at)} if poi is not None else None
        ),
        "assessment": (
            {
                "qualified": assessment.qualified,
                "score": assessment.score,
                "threshold": assessment.threshold,
                "note": assessment.note,
                "at": when(assessment.at),
            }
            if assessment is not None
            else None
        ),
        "owner": p.owner,
        "source": (
            {
                "network": source.network,
                "url": source.url,
                "collected_at": when(source.collected_at),
                "note": source.note,
            }
            if source is not None
            else None
        ),
        "lawful_basis": p.lawful_basis._value_,
        "created_at": when(p.created_at),
        "updated_at": when(p.updated_at),
    }


def record_floats(records: Iterable[Mapping[str, Any]]) -> list[float]:
    """Every float of ``records``: assessment scores and thresholds (a test checks
    this against generated records)."""
    return [
        number
        for r in records
        if r["assessment"] is not None
        for number in (r["assessment"]["score"], r["assessment"]["threshold"])
        if number is not None
    ]


_fields = itemgetter(*RECORD_FIELDS)
_STORED_KEYS = len(RECORD_FIELDS) + 1  # and the format version, "v"


def stored_record(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record of a prospect document a store wrote in the current form, or
    ``None`` (an older form: build the model).

    The document holds the record's values (the model is rebuilt from them
    unchanged: :func:`socialcrm.fast_codec.rebuild`), its nested values already
    in the record's key order.  Like ``rebuild``, this is only for documents
    whose integrity the store checked.
    """
    if doc.get("v") != FORMAT_VERSION or len(doc) != _STORED_KEYS:
        return None
    try:
        return dict(zip(RECORD_FIELDS, _fields(doc)))  # noqa: B905 (itemgetter: same length)
    except KeyError:
        return None


class Listed(NamedTuple, Generic[E]):
    """A record's id, the value ``Query.sort`` reads, and what the caller made of it."""

    id: str
    value: Any
    encoded: E


def _sort_value(r: Mapping[str, Any], field: str) -> Any:
    """The value ``Query.sort``'s ``field`` reads on a prospect, from its record."""
    if field == "stage":
        return STAGE_OF[r["stage"]]
    if field in ("created_at", "updated_at"):
        return datetime.fromisoformat(r[field])
    if field == "score":
        return None if r["assessment"] is None else r["assessment"]["score"]
    return r[field]  # text: sorted case-folded, as on a model


def _value(item: Listed[E], _field: str) -> Any:
    return item.value


def listed(repository: Repository, query: Query, encode: Callable[[dict[str, Any]], E]) -> list[E]:
    """``encode`` of the record of each of ``query``'s prospects, in its order (sorted
    and limited).

    Each record is encoded as it comes and only that is kept until all are
    there and sorted: a whole pipeline's list never holds every model or record
    at once (100,000 prospects as models: 289 MiB).  Backends that can give
    records (:class:`~socialcrm.repository.ScansRecords`) build no model for a
    document in the current form; others give their models.
    """
    if not isinstance(repository, ScansRecords):
        return [encode(record(p)) for p in repository.query(query)]
    field = query.sort.lstrip("-")
    items = [
        Listed(r["id"], _sort_value(r, field), encode(r)) for r in repository.scan_records(query)
    ]
    return [item.encoded for item in query.ordered(items, _score, _value)]


def _score(item: Listed[Any]) -> float | None:
    score: float | None = item.value
    return score
