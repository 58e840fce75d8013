"""One import's plan: what it has decided so far, and how it is written.

The record handlers (:mod:`.people`, :mod:`.activities`, :mod:`.backups`)
decide row by row; they all go through one :class:`Batch`, which keeps the
pipeline's indexes up to date with every planned change, queues the planned
prospects and events, and writes them (:meth:`Batch.flush`) inside the
import's transaction, or drops them in a dry run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialcrm.errors import LimitExceededError, SocialCRMError
from socialcrm.io.formats import Importer
from socialcrm.io.importing.index import ProspectIndex, Target, TargetIndex
from socialcrm.io.importing.report import ImportReport, RowOutcome
from socialcrm.io.importing.rows import RowError
from socialcrm.limits import check_payload, check_prospect
from socialcrm.models import Event, Identity, Payload, Pipeline, Prospect
from socialcrm.repository import Query, put_all, stage_by_stage

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["Batch", "Progress"]

Progress = Callable[[int], None]


class Batch:
    """The state of one import's plan, shared by its record handlers."""

    def __init__(
        self,
        crm: CRM,
        path: Path,
        importer: Importer,
        *,
        tags: Iterable[str],
        update: bool,
        dry_run: bool,
        progress: Progress | None,
    ) -> None:
        self.crm = crm
        self.repo = crm.repository
        self.path = path
        self.importer = importer
        self.tags = tuple(tags)
        self.update = update
        self.progress = progress
        self.report = ImportReport(str(path), importer.name, dry_run)
        self.file_name = path.name
        self.now = crm.now()
        self.pipeline_name = crm.pipeline_name
        self.indexes: dict[str, ProspectIndex] = {}
        self.targets: dict[str, TargetIndex] = {}
        self.new_pipelines: dict[str, Pipeline] = {}
        self.new_settings: dict[str, Any] = {}
        self.created_at_row: dict[str, int] = {}
        # every prospect the import changed (scored at the end); those changed
        # since the last flush, and the events planned since then
        self.dirty: dict[str, Prospect] = {}
        self.unwritten: dict[str, Prospect] = {}
        self.events: list[Event] = []
        self.event_count = 0
        # ids of the events added, by prospect: only if a plugin listens to on_event
        self.told: dict[str, list[str]] | None = {} if crm.hooks.listening("on_event") else None
        self.writing = False  # flushes write (in the caller's transaction), else drop
        self.has_icp: bool | None = None
        # each prospect as last scored by the plan: staged as it is, it needs no
        # second scoring at the end (3 of 14 s for 30,000 connections)
        self.scored: dict[str, Prospect] = {}

    # -- the pipeline as planned ---------------------------------------------------
    def index(self, pipeline: str) -> ProspectIndex:
        found = self.indexes.get(pipeline)
        if found is None:
            found = ProspectIndex(self.repo.query(Query(pipeline=pipeline)))
            self.indexes[pipeline] = found
        return found

    def target_index(self, pipeline: str) -> TargetIndex:
        """The pipeline's :class:`TargetIndex`: from its index if built, else read one
        stage at a time (only one stage's models are alive at once)."""
        found = self.targets.get(pipeline)
        if found is None:
            index = self.indexes.get(pipeline)
            found = TargetIndex(
                index.prospects.values()
                if index is not None
                else stage_by_stage(self.repo, Query(pipeline=pipeline))
            )
            self.targets[pipeline] = found
        return found

    def parse(self, url: str, hint: str | None = None) -> Identity:
        """``crm.networks.parse``, asking the record's own network first.

        A file from one network (``hint``) holds that network's URLs: going
        straight to its adapter skips trying every other adapter's checks,
        which matters for 30,000 rows.  Any other URL falls back to the
        registry's own detection.
        """
        networks = self.crm.networks
        if hint is not None and hint in networks:
            try:
                return networks.parse(url, network=hint)
            except SocialCRMError:
                pass
        return networks.parse(url)

    # -- planning -------------------------------------------------------------------
    def outcome(self, row: int, action: str, reason: str = "", **kw: Any) -> None:
        self.report.rows.append(RowOutcome(row, action, reason, **kw))

    def within_caps(self, p: Prospect | None, payloads: Iterable[Payload] = ()) -> None:
        """Refuse the row (:class:`RowError`) if ``p`` or a payload is over a cap of
        :mod:`socialcrm.limits`; a field already over it in the store may stay so."""
        try:
            if p is not None:
                try:
                    check_prospect(p)
                except LimitExceededError:
                    check_prospect(p, before=self.index(p.pipeline).prospects.get(p.id))
            for payload in payloads:
                check_payload(payload)
        except LimitExceededError as exc:
            raise RowError(exc.message, exc.field) from None

    def stage(self, p: Prospect) -> None:
        """Plan ``p`` as it will be stored (created or changed); over a cap, refuse the row."""
        self.within_caps(p)
        self.index(p.pipeline).add(p)
        targets = self.targets.get(p.pipeline)
        if targets is not None:
            targets.add(p)
        self.dirty[p.id] = p
        self.unwritten[p.id] = p

    def new_event(
        self, prospect: Prospect | Target, payload: Payload, at: datetime | None = None
    ) -> Event:
        self.within_caps(None, (payload,))
        when = at or self.now
        event = Event(
            id=self.crm._new_id(when),
            prospect_id=prospect.id,
            at=when,
            payload=payload,
            actor=self.crm.actor,
            pipeline=prospect.pipeline,
        )
        self.add_events([event])
        return event

    def add_events(self, events: Iterable[Event]) -> None:
        events = list(events)
        self.within_caps(None, (e.payload for e in events))
        for event in events:
            self.events.append(event)
            self.event_count += 1
            if self.told is not None:
                self.told.setdefault(event.prospect_id, []).append(event.id)

    def assessed(
        self, prospect: Prospect, payloads: list[Payload]
    ) -> tuple[Prospect, list[Payload]]:
        """Score with the pipeline's ICP, if it has one (checked once per batch)."""
        if self.has_icp is None:
            from socialcrm.playbook.icp import get_icp

            pipeline = self.repo.get_pipeline(self.pipeline_name)
            self.has_icp = pipeline is not None and get_icp(pipeline) is not None
        if not self.has_icp:
            return prospect, payloads
        after, payloads = self.crm._assessed(prospect, payloads)
        self.scored[after.id] = after
        return after, payloads

    def unscored(self) -> Iterable[Prospect]:
        """The prospects changed but not scored as staged (the same person twice in a
        file, a backup's prospects); all of them if the import changed a pipeline
        (its ICP may be another)."""
        if self.new_pipelines:
            return self.dirty.values()
        return (p for p in self.dirty.values() if self.scored.get(p.id) is not p)

    # -- writing ----------------------------------------------------------------------
    def flush(self) -> None:
        """Write the prospects and events planned since the last flush, then forget
        them (a dry run only forgets them).

        Called between rows, so an event's prospect is always written with it or
        before; settings and pipelines are small and rewritten each time.
        """
        if self.writing:
            for key, value in self.new_settings.items():
                self.repo.set_meta(key, value)
            for pipeline in self.new_pipelines.values():
                self.repo.put_pipeline(pipeline)
            put_all(self.repo, self.unwritten.values())
            for event in self.events:
                self.repo.append_event(event)
        self.unwritten.clear()
        self.events.clear()

    def prospect_after(self, prospect_id: str) -> Prospect | None:
        """``prospect_id`` as the import left it, for ``on_event``.

        Activities attach events to prospects the import did not change: those
        are read back from the store (``None`` only if gone).
        """
        found = self.dirty.get(prospect_id)
        return found if found is not None else self.repo.get(prospect_id)

    def added_events(self) -> Iterator[tuple[str, list[Event]]]:
        """``(prospect id, events)`` the import added, read back from the store
        (for ``on_event``)."""
        if not self.told:
            return
        for pid, events in self.repo.events_for(self.told):
            ids = set(self.told[pid])
            yield pid, [e for e in events if e.id in ids]
