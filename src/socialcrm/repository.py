"""The storage port: what the CRM needs from a store, and an in-memory store.

A backend implements :class:`Repository` (structurally: no base class to
inherit) and proves it with the contract suite in
:mod:`socialcrm.testing.contract`.  The CRM groups each change in
``transaction()``, so a backend that can make that block atomic (TinyDB store,
SQLite…) never exposes a prospect without its event, or half an import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar, runtime_checkable

from attrs import evolve, frozen

from socialcrm.errors import DuplicateIdentityError, NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Event, Pipeline, Prospect, nfc
from socialcrm.stages import Stage, Status
from socialcrm.value import Value


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=_Identified)

__all__ = [
    "SORT_FIELDS",
    "AppendsMany",
    "MemoryRepository",
    "PutsMany",
    "Query",
    "Repository",
    "ScansProspects",
    "ScansRecords",
    "append_all",
    "each_prospect",
    "put_all",
    "stage_by_stage",
]

SORT_FIELDS = ("name", "created_at", "updated_at", "stage", "status", "company", "id", "score")


def _prospect_score(p: Prospect) -> float | None:
    return p.assessment.score if p.assessment else None


def _sort_key(
    field: str, score: Callable[[Any], float | None], read: Callable[[Any, str], Any]
) -> Callable[[Any], Any]:
    """The key of ``Query.sort``'s field for a prospect or anything shaped like one
    (a :class:`~socialcrm.cards.Card`), whose ICP score ``score`` reads and whose
    other fields ``read`` reads."""

    def key(p: Any) -> Any:
        if field == "score":  # unscored prospects sort before any score ("-score": last)
            value = score(p)
            return (value is not None, value or 0.0)
        if field == "stage":
            return read(p, field).order
        value = read(p, field)
        if isinstance(value, str):
            return value.casefold()
        return "" if value is None else value

    return key


@frozen(repr=False, eq=False)
class Query(Value):
    """A filter over one pipeline's prospects; ``None`` means "any".

    ``text`` matches case-insensitively in name, company, title, e-mails,
    handles, tags and notes.  ``sort`` is a field of :data:`SORT_FIELDS`,
    prefixed with ``-`` for descending order (``-score``: best ICP fit first).
    ``min_score`` keeps prospects whose stored ICP score is at least that value.
    ``owner`` keeps one rep's prospects; with ``unowned``, also those nobody owns
    (a rep's own work in a team: theirs, and what no one has taken yet).
    """

    pipeline: str = "default"
    stage: Stage | None = None
    status: Status | None = None
    tag: str | None = None
    network: str | None = None
    text: str | None = None
    owner: str | None = None
    unowned: bool = False
    sort: str = "created_at"
    limit: int | None = None
    min_score: float | None = None

    @classmethod
    def of(cls, pipeline: str, **filters: Any) -> Query:
        """A query of ``pipeline``, its ``stage`` and ``status`` given as names or members."""
        for name, kind in (("stage", Stage), ("status", Status)):
            if isinstance(filters.get(name), str):
                filters[name] = kind.parse(filters[name])
        return cls(pipeline=pipeline, **filters)

    def __attrs_post_init__(self) -> None:
        if self.sort.lstrip("-") not in SORT_FIELDS:
            raise ValidationError(
                _("cannot sort by {sort!r}").format(sort=self.sort),
                field="sort",
                value=self.sort,
                hint=_("one of: ") + ", ".join(SORT_FIELDS),
            )
        if self.limit is not None and self.limit < 0:
            raise ValidationError(_("limit must be >= 0"), field="limit", value=self.limit)

    def matches(self, p: Prospect) -> bool:
        """Whether ``p`` passes every filter (backends may use this directly)."""
        if p.pipeline != self.pipeline:
            return False
        if self.stage is not None and p.stage is not self.stage:
            return False
        if self.status is not None and p.status is not self.status:
            return False
        if self.tag is not None and nfc(self.tag).casefold() not in p.tags:
            return False
        if self.network is not None and p.identity(self.network.lower()) is None:
            return False
        mine = p.owner == self.owner or (self.unowned and p.owner is None)
        if self.owner is not None and not mine:
            return False
        if self.min_score is not None:
            score = p.assessment.score if p.assessment else None
            if score is None or score < self.min_score:
                return False
        if self.text:
            needle = nfc(self.text).casefold()
            hay = " ".join(
                [p.name, p.company or "", p.title or "", p.notes, *p.emails, *p.tags]
                + [i.handle for i in p.identities]
            ).casefold()
            if needle not in hay:
                return False
        return True

    def apply(self, prospects: Iterator[Prospect] | list[Prospect]) -> list[Prospect]:
        """Filter, sort and limit ``prospects`` (ties broken by id: stable output)."""
        return self.ordered([p for p in prospects if self.matches(p)], _prospect_score)

    def ordered(
        self,
        items: list[T],
        score: Callable[[T], float | None],
        read: Callable[[T, str], Any] = getattr,
    ) -> list[T]:
        """``items`` sorted by ``sort`` (ties broken by id: stable output), then limited;
        ``score`` reads an item's ICP score (prospects and cards hold it differently),
        ``read`` its other fields (by default, its attributes)."""
        field = self.sort.lstrip("-")
        items.sort(key=lambda item: item.id)
        items.sort(key=_sort_key(field, score, read), reverse=self.sort.startswith("-"))
        return items if self.limit is None else items[: self.limit]


@runtime_checkable
class Repository(Protocol):
    """Where prospects, events, pipelines and store settings live."""

    # -- pipelines and store settings
    def list_pipelines(self) -> list[Pipeline]:
        """All pipelines, sorted by name."""
        ...

    def get_pipeline(self, name: str) -> Pipeline | None: ...

    def put_pipeline(self, pipeline: Pipeline) -> None:
        """Insert or replace a pipeline (by name)."""
        ...

    def rename_pipeline(self, old: str, new: str) -> None:
        """Rename a pipeline and re-point its prospects and events."""
        ...

    def delete_pipeline(self, name: str) -> None:
        """Delete a pipeline with all its prospects and their events."""
        ...

    def get_meta(self, key: str) -> Any:
        """A store-wide setting (JSON value), ``None`` when unset."""
        ...

    def set_meta(self, key: str, value: Any) -> None: ...

    # -- prospects
    def get(self, prospect_id: str) -> Prospect | None: ...

    def put(self, prospect: Prospect) -> None:
        """Insert or replace a prospect.

        Raises :class:`DuplicateIdentityError` if one of its identities belongs
        to another prospect of the same pipeline.
        """
        ...

    def delete(self, prospect_id: str) -> None:
        """Delete a prospect and its events (right to erasure)."""
        ...

    def query(self, query: Query) -> list[Prospect]: ...

    def count(self, pipeline: str) -> int:
        """Number of prospects in ``pipeline``."""
        ...

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]: ...

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        """Prospects having ``email``, compared case-insensitively."""
        ...

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        """The prospect owning identity ``network:handle`` in ``pipeline``."""
        ...

    # -- events
    def append_event(self, event: Event) -> None: ...

    def events(self, prospect_id: str) -> list[Event]:
        """A prospect's events, oldest first."""
        ...

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        """``(id, events)`` for each of ``prospect_ids`` (once each; events as :meth:`events`
        gives them), in whatever order suits the backend.

        For whole-pipeline work (the agenda, exports): asking :meth:`events` once per
        prospect may read the same file again and again.  Each prospect's events are
        read at one moment; the whole iteration is not one snapshot of the store.
        """
        ...

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        """Re-point every event of one prospect to another (used by merges)."""
        ...

    # -- atomicity
    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes are all applied, or none if it raises.

        Nested blocks join the outermost one: only the outermost block commits
        or rolls back.  A backend may implement savepoints (the SQLite example
        does), but callers must not rely on an inner failure they caught undoing
        the inner block's writes — the CRM never catches inside a transaction.
        """
        ...

    def close(self) -> None: ...


@runtime_checkable
class PutsMany(Protocol):
    """Optional for a backend: write a batch of prospects faster than one by one.

    Imports write thousands of prospects at once, through :func:`put_all`; a
    backend without ``put_many`` gets one :meth:`Repository.put` per prospect.
    """

    def put_many(self, prospects: Iterable[Prospect]) -> None:
        """Do what :meth:`Repository.put` does for each prospect, in order.

        Like a run of ``put`` calls in one transaction: a
        :class:`DuplicateIdentityError` writes none of them.
        """
        ...


def stage_by_stage(repository: Repository, query: Query) -> Iterator[Prospect]:
    """``query``'s prospects (its ``stage`` set to each stage in turn), one stage at a time.

    A stage's prospects are read only when the caller is done with the previous
    stage's, so a whole-pipeline pass keeps one stage's models alive at most (a
    store groups prospects by stage).  Order: by stage, then as ``query`` sorts.
    """
    for stage in Stage:
        yield from repository.query(evolve(query, stage=stage))


@runtime_checkable
class ScansProspects(Protocol):
    """Optional for a backend: stream a query's prospects, a few at a time.

    A whole-pipeline pass that needs no order (an import indexing the
    pipeline) then holds one storage unit's models at most instead of a whole
    stage's: 200,000 prospects in one stage took 622 MiB as models.
    """

    def scan(self, query: Query) -> Iterator[Prospect]:
        """The prospects :meth:`Repository.query` would give, in storage order
        (``query.sort`` and ``query.limit`` ignored)."""
        ...


@runtime_checkable
class ScansRecords(Protocol):
    """Optional for a backend: stream a query's prospects as their JSON records.

    A backend that stores each prospect as a document can give its record
    (:func:`socialcrm.prospect_records.stored_record`) without building the
    model: ``list --format json`` of a whole pipeline then costs half as much.
    """

    def scan_records(self, query: Query) -> Iterator[dict[str, Any]]:
        """The :func:`~socialcrm.prospect_records.prospect_record` of each prospect
        :meth:`Repository.query` would give, in storage order (``query.sort`` and
        ``query.limit`` ignored)."""
        ...


def each_prospect(repository: Repository, query: Query) -> Iterator[Prospect]:
    """``query``'s prospects in no promised order, as few at a time as the backend allows
    (:class:`ScansProspects`, else :func:`stage_by_stage`); ``query.limit`` is ignored."""
    if isinstance(repository, ScansProspects):
        return repository.scan(query)
    return stage_by_stage(repository, evolve(query, limit=None))


@runtime_checkable
class AppendsMany(Protocol):
    """Optional for a backend: append a batch of events faster than one by one."""

    def append_events(self, events: Iterable[Event]) -> None:
        """Do what :meth:`Repository.append_event` does for each event, in order."""
        ...


def append_all(repository: Repository, events: Iterable[Event]) -> None:
    """Append ``events`` in order: in one batch when the backend can (:class:`AppendsMany`)."""
    if isinstance(repository, AppendsMany):
        repository.append_events(events)
    else:
        for event in events:
            repository.append_event(event)


def put_all(repository: Repository, prospects: Iterable[Prospect]) -> None:
    """Write ``prospects`` in order: in one batch when the backend can (:class:`PutsMany`)."""
    if isinstance(repository, PutsMany):
        repository.put_many(prospects)
    else:
        with repository.transaction():
            for prospect in prospects:
                repository.put(prospect)


class MemoryRepository:
    """A repository in a few dicts: for tests, demos and hosts that persist elsewhere."""

    def __init__(self) -> None:
        self._prospects: dict[str, Prospect] = {}
        self._events: dict[str, list[Event]] = {}
        self._pipelines: dict[str, Pipeline] = {}
        self._meta: dict[str, Any] = {}
        self._depth = 0

    # pipelines -----------------------------------------------------------
    def list_pipelines(self) -> list[Pipeline]:
        return [self._pipelines[k] for k in sorted(self._pipelines)]

    def get_pipeline(self, name: str) -> Pipeline | None:
        return self._pipelines.get(name)

    def put_pipeline(self, pipeline: Pipeline) -> None:
        self._pipelines[pipeline.name] = pipeline

    def rename_pipeline(self, old: str, new: str) -> None:
        from attrs import evolve

        pipeline = self._pipelines.pop(old, None)
        if pipeline is None:
            raise NotFoundError(old, what="pipeline")
        self._pipelines[new] = evolve(pipeline, name=new)
        for pid, p in list(self._prospects.items()):
            if p.pipeline == old:
                self._prospects[pid] = evolve(p, pipeline=new)
                self._events[pid] = [evolve(e, pipeline=new) for e in self._events.get(pid, [])]

    def delete_pipeline(self, name: str) -> None:
        self._pipelines.pop(name, None)
        for pid in [pid for pid, p in self._prospects.items() if p.pipeline == name]:
            self.delete(pid)

    def get_meta(self, key: str) -> Any:
        return self._meta.get(key)

    def set_meta(self, key: str, value: Any) -> None:
        if value is None:
            self._meta.pop(key, None)
        else:
            self._meta[key] = value

    # prospects -----------------------------------------------------------
    def get(self, prospect_id: str) -> Prospect | None:
        return self._prospects.get(prospect_id)

    def put(self, prospect: Prospect) -> None:
        for identity in prospect.identities:
            owner = self.find_by_identity(prospect.pipeline, identity.key)
            if owner is not None and owner.id != prospect.id:
                raise DuplicateIdentityError(identity.key, owner.id, prospect.pipeline)
        self._prospects[prospect.id] = prospect

    def delete(self, prospect_id: str) -> None:
        self._prospects.pop(prospect_id, None)
        self._events.pop(prospect_id, None)

    def query(self, query: Query) -> list[Prospect]:
        return query.apply(list(self._prospects.values()))

    def count(self, pipeline: str) -> int:
        return sum(1 for p in self._prospects.values() if p.pipeline == pipeline)

    def find_by_id_prefix(self, pipeline: str, prefix: str) -> list[Prospect]:
        prefix = prefix.upper()
        return sorted(
            (
                p
                for pid, p in self._prospects.items()
                if pid.startswith(prefix) and p.pipeline == pipeline
            ),
            key=lambda p: p.id,
        )

    def find_by_email(self, pipeline: str, email: str) -> list[Prospect]:
        wanted = email.strip().casefold()
        return sorted(
            (
                p
                for p in self._prospects.values()
                if p.pipeline == pipeline and any(e.casefold() == wanted for e in p.emails)
            ),
            key=lambda p: p.id,
        )

    def find_by_identity(self, pipeline: str, key: str) -> Prospect | None:
        for p in self._prospects.values():
            if p.pipeline == pipeline and any(i.key == key for i in p.identities):
                return p
        return None

    # events --------------------------------------------------------------
    def append_event(self, event: Event) -> None:
        self._events.setdefault(event.prospect_id, []).append(event)

    def events(self, prospect_id: str) -> list[Event]:
        return sorted(self._events.get(prospect_id, []), key=lambda e: (e.at, e.id))

    def events_for(self, prospect_ids: Iterable[str]) -> Iterator[tuple[str, list[Event]]]:
        for prospect_id in dict.fromkeys(prospect_ids):
            yield prospect_id, self.events(prospect_id)

    def move_events(self, from_prospect_id: str, to_prospect_id: str) -> None:
        from attrs import evolve

        moved = [
            evolve(e, prospect_id=to_prospect_id) for e in self._events.pop(from_prospect_id, [])
        ]
        self._events.setdefault(to_prospect_id, []).extend(moved)

    # atomicity -----------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        snapshot = (
            dict(self._prospects),
            {k: list(v) for k, v in self._events.items()},
            dict(self._pipelines),
            dict(self._meta),
        )
        self._depth = 1
        try:
            yield
        except BaseException:
            self._prospects, self._events, self._pipelines, self._meta = snapshot
            raise
        finally:
            self._depth = 0

    def close(self) -> None:
        """Nothing to release."""
