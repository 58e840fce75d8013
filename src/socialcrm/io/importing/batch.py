"""One import's plan: what it has decided so far, and how it is written.

The record handlers (:mod:`.people`, :mod:`.activities`, :mod:`.backups`)
decide row by row; they all go through one :class:`Batch`, which keeps the
plan's index (:class:`~.index.PlanIndex`, on disk) up to date with every
planned change, queues the planned prospects and events, and writes them
(:meth:`Batch.flush`) inside the import's transaction, or drops them in a dry
run.  What it keeps in memory is bounded: the queue until the next flush, and
the report's first rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialcrm.errors import LimitExceededError, SocialCRMError
from socialcrm.formats import Importer, ProspectRecord
from socialcrm.i18n import text as _
from socialcrm.io.importing.index import PlanIndex, Target
from socialcrm.io.importing.report import SUPPRESSED_REASON, ImportReport, RowOutcome
from socialcrm.io.importing.rows import RowError
from socialcrm.limits import check_payload, check_prospect
from socialcrm.models import Event, Identity, LawfulBasis, Payload, Pipeline, Prospect
from socialcrm.recording import Recorder, Rescored
from socialcrm.repository import Query, each_prospect

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.privacy.suppression import Suppression
    from socialcrm.scoring import Assessor

__all__ = ["Batch", "Progress"]

Progress = Callable[[int], None]

_LOOK_UP: Any = object()


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
        lawful_basis: LawfulBasis = LawfulBasis.LEGITIMATE_INTEREST,
        source: str | None = None,
        rep: str | None = None,
    ) -> None:
        self.crm = crm
        self.rep = rep  # the owner of the prospects created
        # what every prospect the import creates records (GDPR art. 6 and 14)
        self.lawful_basis = lawful_basis
        self.source = source
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
        self.plan = PlanIndex()
        self._suppression: Suppression | None = None
        self.new_pipelines: dict[str, Pipeline] = {}
        self.new_settings: dict[str, Any] = {}
        # the prospects and events planned since the last flush
        self.unwritten: dict[str, Prospect] = {}
        self.events: list[Event] = []
        self.event_count = 0
        # ids of the events added are kept (in the plan's index) only if a plugin
        # listens to on_event
        self.telling = crm.hooks.listening("on_event")
        # flushes write through the import's unit of work (its one transaction); a dry
        # run has none and drops them
        self.recorder: Recorder | None = None
        self.handed_over = False  # the recorder tells plugins, then closes the plan
        self.rescored: Rescored | None = None  # the final re-score's, once written
        self._assessor: Assessor | None = _LOOK_UP
        # the prospect the plan scored last: staged as it is, it needs no second
        # scoring at the end (3 of 14 s for 30,000 connections)
        self.just_scored: Prospect | None = None
        #: profile URLs of the export's owner (the rep): never a prospect
        self.owner_urls: list[str] = []
        self._owner_keys: set[str] | None = None

    def close(self) -> None:
        """Forget the plan (its index file is removed); closing twice is harmless."""
        self.plan.close()

    # -- the pipeline as planned ---------------------------------------------------
    def _load(self, pipeline: str, *, docs: bool) -> None:
        loaded = self.plan.loaded.get(pipeline)
        if loaded is None or (docs and not loaded):
            self.plan.load(pipeline, each_prospect(self.repo, Query(pipeline=pipeline)), docs=docs)

    def known(self, pipeline: str, pid: str) -> Prospect | None:
        """``pid`` if it is a prospect of ``pipeline`` (as planned, else as stored)."""
        self._load(pipeline, docs=True)
        if not self.plan.knows(pid):
            return None
        p = self.prospect(pid)
        return p if p.pipeline == pipeline else None

    def prospect(self, pid: str) -> Prospect:
        """``pid`` as the plan sees it: planned, else as stored."""
        found = self.unwritten.get(pid) or self.plan.get(pid) or self.repo.get(pid)
        if found is None:
            raise RowError(_("prospect {pid} is gone from the store").format(pid=pid), "id")
        return found

    def match(
        self,
        pipeline: str,
        identities: list[Identity] | tuple[Identity, ...],
        emails: list[str] | tuple[str, ...],
        record: ProspectRecord | None,
    ) -> Prospect | None:
        """The prospect of ``pipeline`` a record stands for (see :meth:`PlanIndex.match`)."""
        self._load(pipeline, docs=True)
        return self.plan.match(pipeline, identities, emails, record, self.prospect)

    def owner(self, pipeline: str, key: str) -> str | None:
        """The prospect of ``pipeline`` holding identity ``key``, if any."""
        self._load(pipeline, docs=True)
        return self.plan.owner(pipeline, key)

    def target(self, pipeline: str, key: str) -> Target | None:
        """The prospect holding identity ``key``, as activities need it (no models read)."""
        self._load(pipeline, docs=False)
        return self.plan.target(pipeline, key)

    def pipeline_ids(self, pipeline: str, chunk: int) -> Iterator[list[str]]:
        """Every prospect id of ``pipeline`` (stored or planned), ``chunk`` at a time."""
        self._load(pipeline, docs=False)
        return self.plan.ids(pipeline, chunk)

    def created_row(self, pid: str) -> int | None:
        """The row of this file that created ``pid``, if it did."""
        return self.plan.created_row(pid)

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

    def add_owner(self, urls: Iterable[str]) -> None:
        """Remember more profile URLs of the export's owner."""
        self.owner_urls.extend(urls)
        self._owner_keys = None

    def owner_keys(self) -> set[str]:
        """Identity keys of the export's owner (parsed once; unparsable URLs ignored)."""
        if self._owner_keys is None:
            keys = set()
            for url in self.owner_urls:
                try:
                    keys.add(self.parse(url).key)
                except SocialCRMError:
                    continue
            self._owner_keys = keys
        return self._owner_keys

    # -- planning -------------------------------------------------------------------
    def suppressed(
        self, row: int, emails: Iterable[str], phones: Iterable[str], identities: Iterable[Identity]
    ) -> bool:
        """Whether a person with these identifiers is on the suppression list; if so
        the row is counted as skipped, ``suppressed``, without its name."""
        from socialcrm.privacy.identifiers import of_parts

        if self._suppression is None:
            from socialcrm.privacy.suppression import Suppression

            self._suppression = Suppression(self.repo)
        if not self._suppression.matching(of_parts(emails, phones, identities)):
            return False
        self.report.add(RowOutcome(row, "skipped", SUPPRESSED_REASON))
        return True

    def outcome(self, row: int, action: str, reason: str = "", **kw: Any) -> None:
        self.report.add(RowOutcome(row, action, reason, **kw))

    def within_caps(self, p: Prospect | None, payloads: Iterable[Payload] = ()) -> None:
        """Refuse the row (:class:`RowError`) if ``p`` or a payload is over a cap of
        :mod:`socialcrm.limits`; a field already over it in the store may stay so."""
        try:
            if p is not None:
                try:
                    check_prospect(p)
                except LimitExceededError:
                    check_prospect(p, before=self.known(p.pipeline, p.id))
            for payload in payloads:
                check_payload(payload)
        except LimitExceededError as exc:
            raise RowError(exc.message, exc.field) from None

    def stage(self, p: Prospect, *, created_row: int | None = None) -> None:
        """Plan ``p`` as it will be stored (created or changed); over a cap, refuse the row."""
        self.within_caps(p)
        self.plan.add(p, scored=p is self.just_scored, created_row=created_row)
        self.unwritten[p.id] = p

    def new_event(
        self, prospect: Prospect | Target, payload: Payload, at: datetime | None = None
    ) -> Event:
        self.within_caps(None, (payload,))
        event = self.crm.recording.event(
            payload, prospect_id=prospect.id, pipeline=prospect.pipeline, at=at or self.now
        )
        self.add_events([event])
        return event

    def add_events(self, events: Iterable[Event]) -> None:
        events = list(events)
        self.within_caps(None, (e.payload for e in events))
        for event in events:
            self.events.append(event)
            self.event_count += 1
            if self.telling:
                self.plan.tell(event.prospect_id, event.id)

    def assessed(
        self, prospect: Prospect, payloads: list[Payload]
    ) -> tuple[Prospect, list[Payload]]:
        """Score with the pipeline's assessor (its ICP), if it has one when the batch
        starts; looked up again after a flush wrote pipelines."""
        recording = self.crm.recording
        if self._assessor is _LOOK_UP:
            self._assessor = recording.assessor(self.repo.get_pipeline(self.pipeline_name))
        if self._assessor is None:
            return prospect, payloads
        after, payloads = recording.assessed(prospect, payloads, assessor=self._assessor)
        self.just_scored = after
        return after, payloads

    def unscored(self) -> Iterable[Prospect]:
        """The prospects changed but not scored as staged (the same person twice in a
        file, a backup's prospects); all of them if the import changed a pipeline
        (its ICP may be another); none when no pipeline has an assessor (an ICP)."""
        recording = self.crm.recording
        if not self.new_pipelines and all(
            recording.assessor(p) is None for p in self.repo.list_pipelines()
        ):
            return ()
        return self.plan.changed(unscored_only=not self.new_pipelines)

    # -- writing ----------------------------------------------------------------------
    def flush(self) -> None:
        """Write the prospects and events planned since the last flush, then forget
        them (a dry run only forgets them).

        Called between rows, so an event's prospect is always written with it or
        before; settings and pipelines are small and rewritten each time.
        """
        if self.recorder is not None:
            for key, value in self.new_settings.items():
                self.repo.set_meta(key, value)
            for pipeline in self.new_pipelines.values():
                self.repo.put_pipeline(pipeline)
            if self.new_pipelines and self._assessor is not None:
                self._assessor = _LOOK_UP  # a pipeline's ICP may have changed
            self.recorder.write(self.unwritten.values(), self.events)
        self.unwritten.clear()
        self.events.clear()

    def prospect_after(self, prospect_id: str) -> Prospect | None:
        """``prospect_id`` as the import left it, for ``on_event``.

        Activities attach events to prospects the import did not change: those
        are read back from the store (``None`` only if gone).
        """
        found = self.plan.get(prospect_id)
        return found if found is not None else self.repo.get(prospect_id)

    def read_back(self) -> Iterator[tuple[Prospect | None, list[Event]]]:
        """What plugins hear once the import is committed (``on_event``): each
        prospect's new events, with the prospect as scored after the write if the
        final re-score changed it, else as the import left it."""
        scored = (self.rescored.told if self.rescored is not None else None) or {}
        for pid, events in self.added_events():
            found = self.repo.get(pid) if pid in scored else self.prospect_after(pid)
            yield found, events

    def added_events(self) -> Iterator[tuple[str, list[Event]]]:
        """``(prospect id, events)`` the import added, read back from the store
        (for ``on_event``), a few thousand prospects at a time."""
        if not self.telling:
            return
        for told in self.plan.told():
            for pid, events in self.repo.events_for(told):
                yield pid, [e for e in events if e.id in told[pid]]
