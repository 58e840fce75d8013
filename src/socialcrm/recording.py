"""The unit of work: the one way to persist a change to prospects and events.

Every change — a facade command, a merge, an import, a re-score, a sequence
step — goes through :class:`Recording`:

1. **one transaction**: :meth:`Recording.transaction` opens one repository
   transaction and yields a :class:`Recorder`; what it writes is committed
   together or not at all;
2. **re-scoring**: before a prospect is written, the pipeline's assessor (a
   plugin's ``prospect_assessor``, e.g. the playbook's ICP) scores it again;
   an ``assessed`` event is added when the result changed;
3. **writing**: the caps of :mod:`socialcrm.limits` are checked, then the
   prospect is put and each event appended, with ids from the CRM's clock;
4. **notifying**: plugins hear of the events (``on_event``) after the
   *outermost* transaction committed, in the order they were recorded — never
   if it rolled back.  Bulk writes (imports, re-scoring a pipeline) keep only
   event ids while plugins listen and read the events back after the commit,
   so memory stays bounded whatever the batch.

Transactions nest: a feature may open one around several facade calls; the
inner ones join it and plugins are told once, after the outer commit.  The
CRM builds its :class:`Recording` (``crm.recording``); a host application may
use it the same way to record its own changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from attrs import evolve

from socialcrm.errors import LimitExceededError
from socialcrm.ids import IdFactory
from socialcrm.limits import check_payload, check_prospect
from socialcrm.models import Assessed, Assessment, Erased, Event, Payload, Pipeline, Prospect
from socialcrm.repository import Repository, append_all, put_all

if TYPE_CHECKING:
    from socialcrm.hooks import Hooks
    from socialcrm.scoring import Assessor

__all__ = ["Clock", "ReadBack", "Recorded", "Recorder", "Recording", "Rescored"]

Clock = Callable[[], datetime]

if TYPE_CHECKING:
    Told = tuple[Prospect | None, Sequence[Event]]


class ReadBack(Protocol):
    """Events a bulk write kept only the ids of, read back once committed (imports)."""

    def read_back(self) -> Iterable[Told]:
        """Each prospect (as plugins should see it) with its new events."""
        ...

    def close(self) -> None:
        """Release what was kept (called after telling, or on rollback)."""
        ...


class Recorded:
    """What :meth:`Recorder.record` wrote: the prospect as stored, and its events."""

    __slots__ = ("events", "prospect")

    def __init__(self, prospect: Prospect | None, events: list[Event]) -> None:
        self.prospect = prospect
        self.events = events

    def __repr__(self) -> str:
        return f"Recorded(prospect={self.prospect!r}, events={self.events!r})"


class Rescored:
    """What a bulk re-score changed: how many prospects, and the new events' ids.

    ``told`` maps each re-scored prospect's id to its new events' ids; it is
    ``None`` when no plugin listens to ``on_event`` (nothing is kept then).
    """

    __slots__ = ("count", "told")

    def __init__(self, count: int = 0, told: dict[str, list[str]] | None = None) -> None:
        self.count = count
        self.told = told

    def __repr__(self) -> str:
        return f"Rescored(count={self.count!r}, told={self.told!r})"


_LOOK_UP: Any = object()


def same_assessment(a: Assessment | None, b: Assessment) -> bool:
    """Whether ``b`` says what ``a`` says (its time aside)."""
    return a is not None and (a.qualified, a.score, a.threshold, a.note) == (
        b.qualified,
        b.score,
        b.threshold,
        b.note,
    )


class Recording:
    """The unit of work of one CRM (see the module documentation).

    :param repository: where changes are written.
    :param hooks: the plugins (assessors, ``on_event`` listeners).
    :param clock: the current time, timezone-aware.
    :param actor: who makes the changes (recorded on events).
    :param pipeline: the current pipeline's name (events recorded without a prospect).
    """

    def __init__(
        self,
        repository: Repository,
        hooks: Hooks,
        *,
        clock: Clock,
        actor: str | None = None,
        pipeline: Callable[[], str] = lambda: "default",
    ) -> None:
        self.repository = repository
        self.hooks = hooks
        self.clock = clock
        self.actor = actor
        self._pipeline = pipeline
        self._ids = IdFactory()
        self._open = threading.local()  # the outermost recorder of this thread, if any

    def now(self) -> datetime:
        """The current time from the clock, in UTC."""
        value = self.clock()
        if value.tzinfo is None:
            raise ValueError("the CRM clock must return timezone-aware datetimes")
        return value.astimezone(UTC)

    def new_id(self, at: datetime) -> str:
        """A new ULID at ``at``, after every id this recording made before."""
        return self._ids(at)

    # -- assessing ----------------------------------------------------------------------
    def assessor(self, pipeline: Pipeline | None) -> Assessor | None:
        """How ``pipeline``'s prospects are assessed automatically (``None``: explicitly)."""
        return None if pipeline is None else self.hooks.prospect_assessor(pipeline=pipeline)

    def assessed(
        self,
        prospect: Prospect,
        payloads: Sequence[Payload] = (),
        *,
        assessor: Assessor | None = _LOOK_UP,
    ) -> tuple[Prospect, list[Payload]]:
        """``prospect`` re-scored by its pipeline's assessor, nothing written.

        Returns the prospect with its new assessment and ``payloads`` plus an
        ``assessed`` payload when the result changed; both unchanged otherwise
        (won and lost prospects keep the assessment they had).  ``assessor``
        spares looking it up when the caller has it (a batch).
        """
        if not prospect.is_open:
            return prospect, list(payloads)
        if assessor is _LOOK_UP:
            assessor = self.assessor(self.repository.get_pipeline(prospect.pipeline))
        if assessor is None:
            return prospect, list(payloads)
        assessment = assessor(prospect, self.now())
        if same_assessment(prospect.assessment, assessment):
            return prospect, list(payloads)
        payload = Assessed(
            assessment.qualified, assessment.score, assessment.threshold, assessment.note
        )
        return evolve(prospect, assessment=assessment), [*payloads, payload]

    # -- the transaction ----------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Recorder]:
        """One repository transaction; plugins are told after the outermost one commits."""
        recorder: Recorder | None = getattr(self._open, "recorder", None)
        if recorder is not None:  # nested: join the outer unit of work
            with self.repository.transaction():
                yield recorder
            return
        recorder = Recorder(self)
        self._open.recorder = recorder
        try:
            with self.repository.transaction():
                yield recorder
        except BaseException:
            recorder.discard()
            raise
        finally:
            self._open.recorder = None
        recorder.tell()

    def event(
        self, payload: Payload, *, prospect_id: str, pipeline: str | None, at: datetime
    ) -> Event:
        """A new event by this CRM's actor (not stored)."""
        return Event(
            id=self.new_id(at),
            prospect_id=prospect_id,
            at=at,
            payload=payload,
            actor=self.actor,
            pipeline=pipeline or self._pipeline(),
        )


class Recorder:
    """Writes inside one :meth:`Recording.transaction`; keeps what plugins must hear."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.repository = recording.repository
        self._queue: list[Told | ReadBack] = []

    def record(
        self,
        prospect: Prospect | None,
        payloads: Sequence[Payload],
        *,
        prospect_id: str | None = None,
        at: datetime | None = None,
        assess: bool = True,
    ) -> Recorded:
        """Write ``prospect`` (re-scored unless ``assess=False``) and one event per payload.

        All events of one change share one time (ids keep their order); ``at``
        pins it (a new prospect's ``created_at``, so its history starts exactly
        when it does).  ``prospect_id`` is needed only without a prospect.
        Plugins hear of the events after the commit.
        """
        if prospect is not None:
            self.recording.hooks.check_admission(prospect=prospect, repository=self.repository)
        if prospect is not None and assess:
            prospect, payloads = self.recording.assessed(prospect, payloads)
        events = self._write(prospect, payloads, prospect_id=prospect_id, at=at)
        if events:
            self._queue.append((prospect, events))
        return Recorded(prospect, events)

    def _write(
        self,
        prospect: Prospect | None,
        payloads: Sequence[Payload],
        *,
        prospect_id: str | None,
        at: datetime | None = None,
    ) -> list[Event]:
        pid = prospect_id or (prospect.id if prospect is not None else None)
        if pid is None:
            raise ValueError("record() needs a prospect or a prospect_id")
        if prospect is not None:
            self._within_caps(prospect)
        for payload in payloads:
            check_payload(payload)
        if prospect is not None:
            self.repository.put(prospect)
        at = at or self.recording.now()
        pipeline = prospect.pipeline if prospect is not None else None
        events = [
            self.recording.event(payload, prospect_id=pid, pipeline=pipeline, at=at)
            for payload in payloads
        ]
        for event in events:
            self.repository.append_event(event)
        return events

    def _within_caps(self, prospect: Prospect) -> None:
        """:func:`~socialcrm.limits.check_prospect`; a field already over a cap when
        stored (before the caps existed) may stay so, not grow."""
        try:
            check_prospect(prospect)
        except LimitExceededError:
            check_prospect(prospect, before=self.repository.get(prospect.id))

    def write(self, prospects: Iterable[Prospect], events: Iterable[Event]) -> None:
        """Write prospects, then events, already checked and scored (an import's plan).

        Nothing is kept for plugins: the caller keeps what they must hear and
        hands it over with :meth:`tell_later`.
        """
        put_all(self.repository, prospects)
        append_all(self.repository, events)

    def rescore(self, prospects: Iterable[Prospect]) -> Rescored:
        """Re-score ``prospects`` (may be a generator: each is scored, written, forgotten).

        Only the new events' ids are kept, and only while a plugin listens to
        ``on_event``: they are read back after the commit.
        """
        done = Rescored(told={} if self.recording.hooks.listening("on_event") else None)
        assessors: dict[str, Assessor | None] = {}
        for p in prospects:
            if p.pipeline not in assessors:
                pipeline = self.repository.get_pipeline(p.pipeline)
                assessors[p.pipeline] = self.recording.assessor(pipeline)
            after, payloads = self.recording.assessed(p, assessor=assessors[p.pipeline])
            if payloads:
                events = self._write(after, payloads, prospect_id=p.id)
                done.count += 1
                if done.told is not None:
                    done.told.setdefault(p.id, []).extend(e.id for e in events)
        if done.told:
            self._queue.append(_StoredEvents(self.repository, done.told))
        return done

    def erase(self, prospect: Prospect) -> Event:
        """Delete ``prospect`` and its whole history; plugins get an unstored ``erased`` event.

        Nothing of the prospect is kept; a plugin that copied it elsewhere
        erases it there too (``on_event`` with ``prospect=None``).
        """
        self.repository.delete(prospect.id)
        at = self.recording.now()
        erased = self.recording.event(
            Erased(), prospect_id=prospect.id, pipeline=prospect.pipeline, at=at
        )
        self._queue.append((None, [erased]))
        return erased

    def tell_later(self, source: ReadBack) -> None:
        """Tell plugins what ``source`` reads back, after the commit, in recording order."""
        self._queue.append(source)

    # -- after the transaction (called by Recording) -------------------------------------
    def tell(self) -> None:
        """Tell ``on_event`` about everything recorded, in order (after the commit)."""
        queue, self._queue = self._queue, []
        hooks = self.recording.hooks
        try:
            for item in queue:
                told = [item] if isinstance(item, tuple) else item.read_back()
                for prospect, events in told:
                    for event in events:
                        hooks.on_event(event=event, prospect=prospect)
        finally:
            for item in queue:
                if not isinstance(item, tuple):
                    item.close()

    def discard(self) -> None:
        """Forget everything (the transaction rolled back)."""
        queue, self._queue = self._queue, []
        for item in queue:
            if not isinstance(item, tuple):
                item.close()


class _StoredEvents:
    """Events kept by id (a bulk re-score), read back from the store once committed."""

    def __init__(self, repository: Repository, told: dict[str, list[str]]) -> None:
        self.repository = repository
        self.told = told

    def read_back(self) -> Iterator[Told]:
        for pid, events in self.repository.events_for(self.told):
            ids = set(self.told[pid])
            yield self.repository.get(pid), [e for e in events if e.id in ids]

    def close(self) -> None:
        """Nothing to release."""
