"""The CRM facade: the one object the CLI and host applications work with.

Its methods are short: each delegates to the module of its concern —
:mod:`~socialcrm.pipelines`, :mod:`~socialcrm.references` (finding a
prospect), :mod:`~socialcrm.editing` (building and editing prospects),
:mod:`~socialcrm.transitions` (stage moves), :mod:`~socialcrm.activity`
(qualification, signals, messages, notes), :mod:`~socialcrm.board` — and
every change is written through the unit of work
(:mod:`~socialcrm.recording`, ``crm.recording``): resolved, computed and
written in one transaction, re-scored when the pipeline has an assessor,
told to plugins after the commit.

Text a person gives the facade (names, notes, messages, reasons, tags…) is
refused if it holds a control character or a bidirectional override
(:mod:`socialcrm.text`), and every write keeps to the caps of
:mod:`socialcrm.limits`.

Features (import, duplicates, the playbook) are functions taking the CRM —
:func:`socialcrm.io.import_file`, :func:`socialcrm.dedupe.merge`… — so the
core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Unpack

import pluggy

from socialcrm import activity, channel_limits, editing, pipelines, references, transitions
from socialcrm.activity import INTERACTION_TYPES
from socialcrm.board import Board, board
from socialcrm.cards import Card, cards
from socialcrm.editing import EDITABLE, Change
from socialcrm.errors import NotFoundError
from socialcrm.history import StageSpan, stage_spans
from socialcrm.hooks import Hooks, PluginFailure
from socialcrm.models import Event, Pipeline, Prospect, nfc
from socialcrm.pipelines import DEFAULT_PIPELINE
from socialcrm.prospect_records import E, listed
from socialcrm.recording import Clock, Recording
from socialcrm.repository import MemoryRepository, Query, Repository
from socialcrm.rules import Problem, RuleRegistry, default_rules
from socialcrm.stages import Stage
from socialcrm.team import rep_name
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.formats import Exporter, Importer
    from socialcrm.networks import NetworkRegistry
    from socialcrm.prospect_fields import EditFields, ProspectFields

__all__ = ["CRM", "DEFAULT_PIPELINE", "INTERACTION_TYPES", "Board"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CRM:
    """socialcrm's facade.

    :param repository: where data lives (default: a fresh in-memory store).
    :param plugin_manager: plugins to use (default: discovered from entry points).
    :param clock: returns the current time, timezone-aware (injectable for tests).
    :param actor: who performs the changes (recorded on events), e.g. the rep.
    :param pipeline: the pipeline to work on (default: the store's current one).
    :param rules: exit criteria (default: :func:`~socialcrm.rules.default_rules`).
    :param report: called with each plugin failure, in addition to ``failures``.
    :param phone_region: region used to read phone numbers written without ``+``.
    """

    EDITABLE = EDITABLE

    def __init__(
        self,
        repository: Repository | None = None,
        plugin_manager: pluggy.PluginManager | None = None,
        *,
        clock: Clock | None = None,
        actor: str | None = None,
        pipeline: str | None = None,
        rules: RuleRegistry | None = None,
        report: Callable[[PluginFailure], None] | None = None,
        phone_region: str = "FR",
    ) -> None:
        if plugin_manager is None:
            from socialcrm.plugins import get_plugin_manager

            plugin_manager = get_plugin_manager()
        self.repository: Repository = repository if repository is not None else MemoryRepository()
        self.plugin_manager = plugin_manager
        self._clock: Clock = clock or _utc_now
        self._pipeline = nfc(pipeline) if pipeline else None
        self.rules = rules if rules is not None else default_rules()
        self.phone_region = phone_region
        self.hooks = Hooks(plugin_manager, report=report, limit_overrides=None)
        self.recording = Recording(
            self.repository,
            self.hooks,
            clock=self._clock,
            actor=check(actor, "actor") if actor is not None else None,
            pipeline=lambda: self.pipeline_name,
        )
        self._limits_loaded = False

    # ------------------------------------------------------------------ basics
    def now(self) -> datetime:
        """The current time from the injected clock, in UTC."""
        return self.recording.now()

    @property
    def actor(self) -> str | None:
        """Who performs the changes (recorded on events)."""
        return self.recording.actor

    @actor.setter
    def actor(self, value: str | None) -> None:
        self.recording.actor = check(value, "actor") if value is not None else None

    @property
    def failures(self) -> list[PluginFailure]:
        """Plugin failures seen so far (also passed to ``report``)."""
        return self.hooks.failures

    @property
    def networks(self) -> NetworkRegistry:
        """Network adapters from plugins, with configured channel limits applied."""
        registry = self.hooks.networks
        if not self._limits_loaded:
            channel_limits.apply_stored(self.repository, registry)
            self._limits_loaded = True
        return registry

    def set_channel_limit(self, network: str, channel: str, limit: int | None) -> None:
        """Override (or with ``None`` restore) a channel's length limit in this store."""
        channel_limits.set_limit(self.repository, self.networks, network, channel, limit)

    # --------------------------------------------------------------- pipelines
    @property
    def pipeline_name(self) -> str:
        """The pipeline this CRM works on."""
        return pipelines.current_name(self.repository, self._pipeline)

    @property
    def pipeline(self) -> Pipeline:
        """The current pipeline; the default one is created on first use."""
        return pipelines.current(self.repository, self.pipeline_name, self.now)

    def init(self) -> Pipeline:
        """Make sure the store holds the current pipeline (idempotent)."""
        return self.pipeline

    def pipelines(self) -> list[Pipeline]:
        return self.repository.list_pipelines()

    def create_pipeline(
        self, name: str, *, description: str = "", settings: Mapping[str, Any] | None = None
    ) -> Pipeline:
        return pipelines.create(
            self.repository, name, now=self.now, description=description, settings=settings
        )

    def get_pipeline(self, name: str) -> Pipeline:
        return pipelines.get(self.repository, name)

    def use_pipeline(self, name: str) -> Pipeline:
        """Make ``name`` the store's current pipeline."""
        pipeline = pipelines.use(self.repository, name)
        self._pipeline = pipeline.name
        return pipeline

    def rename_pipeline(self, old: str, new: str) -> Pipeline:
        old_name, renamed = pipelines.rename(self.repository, old, new)
        if self._pipeline == old_name:
            self._pipeline = renamed.name
        return renamed

    def update_pipeline_settings(self, changes: Mapping[str, Any]) -> Pipeline:
        """Merge ``changes`` into the current pipeline's settings (``None`` removes a key)."""
        return pipelines.update_settings(self.repository, lambda: self.pipeline, changes)

    def delete_pipeline(self, name: str) -> int:
        """Delete a pipeline with its prospects and events; return how many prospects."""
        deleted, count = pipelines.delete(self.repository, name)
        if self._pipeline == deleted:
            self._pipeline = None
        return count

    # ------------------------------------------------------------- references
    def get(self, prospect_id: str) -> Prospect:
        """A prospect by exact id."""
        found = self.repository.get(prospect_id)
        if found is None:
            raise NotFoundError(prospect_id)
        return found

    def resolve(self, ref: str) -> Prospect:
        """Find one prospect of the current pipeline from a reference.

        A reference is an id or unique id prefix, an e-mail, a profile URL,
        ``network:handle``, or an exact display name.  Several matches raise
        :class:`~socialcrm.errors.AmbiguousReferenceError` listing them.
        """
        return references.resolve(self, ref)

    def _change(self, ref: str, change: Change) -> Prospect:
        """Resolve, compute the change and record it in one unit of work."""
        with self.recording.transaction() as recorder:
            before = self.resolve(ref)
            after, payloads = change(before)
            recorded = recorder.record(after, payloads, prospect_id=before.id)
        return recorded.prospect or after

    # ------------------------------------------------------------ add and edit
    def build_prospect(self, name: str, **fields: Unpack[ProspectFields]) -> Prospect:
        """Validate input and make a new prospect value (nothing is stored).

        ``fields`` (:class:`~socialcrm.prospect_fields.ProspectFields`): ``urls``,
        ``emails``, ``phones``, ``first_name``, ``last_name``, ``title``,
        ``company``, ``sector``, ``company_size``, ``location``, ``tags``,
        ``notes``, ``custom``, ``owner``, ``source``, ``lawful_basis``, ``created_at``.
        """
        return editing.build_prospect(self, name, fields)

    def add(
        self,
        name: str,
        *,
        note: str | None = None,
        allow_shared_email: bool = False,
        **fields: Unpack[ProspectFields],
    ) -> Prospect:
        """Add a prospect at stage ``profile``; ``fields`` as in :meth:`build_prospect`.

        ``note`` is recorded as a first note event (the ``notes`` field holds
        a free-text description instead).  An e-mail already on another
        prospect is refused unless ``allow_shared_email``.
        """
        return editing.add_prospect(self, name, note, fields, allow_shared_email=allow_shared_email)

    def edit(self, ref: str, **changes: Unpack[EditFields]) -> Prospect:
        """Change fields and lists; records one ``edited`` event with old and new values.

        ``changes`` (:class:`~socialcrm.prospect_fields.EditFields`): ``set_fields``
        (a mapping of :attr:`EDITABLE` fields), ``add_urls``/``rm_urls``,
        ``add_emails``/``rm_emails``, ``add_phones``/``rm_phones``,
        ``add_tags``/``rm_tags``, ``set_custom``, ``unset_custom``.
        """
        return self._change(ref, editing.edit_change(self, changes))

    def assign(self, ref: str, rep: str) -> Prospect:
        """Make ``rep`` the prospect's owner (an ``edited`` event keeps the previous one)."""
        return self._change(
            ref, editing.edit_change(self, {"set_fields": {"owner": rep_name(rep)}})
        )

    def delete(self, ref: str) -> Prospect:
        """Erase a prospect and its whole history (GDPR right to erasure).

        Nothing of it is kept; plugins get an unstored ``erased`` event.
        """
        with self.recording.transaction() as recorder:
            prospect = self.resolve(ref)
            recorder.erase(prospect)
        return prospect

    # ---------------------------------------------------------- stage machine
    def problems(self, prospect: Prospect, to_stage: Stage) -> list[Problem]:
        """Unmet exit criteria (rules and plugins) for moving ``prospect`` to ``to_stage``."""
        return transitions.problems(self, prospect, to_stage)

    def move(
        self, ref: str, to_stage: Stage | str, *, force: bool = False, reason: str | None = None
    ) -> Prospect:
        """Move a prospect forward (checking exit criteria) or backward."""
        if reason is not None:
            check(reason, "reason")
        target = to_stage if isinstance(to_stage, Stage) else Stage.parse(to_stage)
        return self._change(ref, transitions.move_change(self, target, force=force, reason=reason))

    def advance(self, ref: str, *, force: bool = False, reason: str | None = None) -> Prospect:
        """Move a prospect to the next stage."""
        if reason is not None:
            check(reason, "reason")
        return self._change(ref, transitions.advance_change(self, force=force, reason=reason))

    def win_problems(self, prospect: Prospect) -> list[Problem]:
        """Criteria for winning: the rules registered as leaving ``convert``."""
        return transitions.win_problems(self, prospect)

    def win(self, ref: str, *, force: bool = False) -> Prospect:
        """Mark a prospect at ``convert`` as won."""
        return self._change(ref, transitions.win_change(self, force=force))

    def lose(self, ref: str, reason: str) -> Prospect:
        """Mark a prospect lost, from any stage, with a reason."""
        check(reason, "reason")
        return self._change(ref, transitions.lose_change(self, reason))

    def reopen(self, ref: str) -> Prospect:
        """Return a won or lost prospect to ``open``, in its last stage."""
        return self._change(ref, transitions.reopen_change(self))

    # ------------------------------------------------------ working a prospect
    def assess(
        self,
        ref: str,
        *,
        qualified: bool,
        score: float | None = None,
        threshold: float | None = None,
        note: str | None = None,
    ) -> Prospect:
        """Record the prospect's fit with the ideal customer profile.

        Only for pipelines without an ICP: with one, the fit is the ICP score
        (see :mod:`socialcrm.playbook.icp`), recomputed on every change.
        """
        change = activity.assessment_change(
            self, qualified=qualified, score=score, threshold=threshold, note=note
        )
        return self._change(ref, change)

    def set_point_of_interest(self, ref: str, text: str, *, url: str | None = None) -> Prospect:
        """Record what the prospect shared or reacted to: the hook of the first message."""
        return self._change(ref, activity.point_of_interest_change(self, text, url))

    def log_interaction(
        self,
        ref: str,
        type: str,
        *,
        url: str | None = None,
        note: str | None = None,
        network: str | None = None,
        inbound: bool = False,
    ) -> Prospect:
        """Log a signal (one of ``INTERACTION_TYPES``); ``inbound``: the prospect did it."""
        change = activity.interaction_change(
            self, type, url=url, note=note, network=network, inbound=inbound
        )
        return self._change(ref, change)

    def log_message(
        self,
        ref: str,
        text: str,
        *,
        received: bool = False,
        channel: str | None = None,
        network: str | None = None,
    ) -> Prospect:
        """Log a message; a sent one is checked against the channel's length limit."""
        change = activity.message_change(
            self, text, received=received, channel=channel, network=network
        )
        return self._change(ref, change)

    def add_note(self, ref: str, text: str) -> Prospect:
        """Add a free note to the prospect's history."""
        return self._change(ref, activity.note_change(text))

    # ------------------------------------------------------------------- views
    def history(self, ref: str) -> list[Event]:
        """The prospect's events, oldest first."""
        return self.repository.events(self.resolve(ref).id)

    def stage_history(self, ref: str) -> list[StageSpan]:
        """Periods spent in each stage, derived from events."""
        return stage_spans(self.history(ref))

    def query(self, **filters: Any) -> list[Prospect]:
        """Prospects of the current pipeline (an error if unknown) matching ``filters``."""
        return self.repository.query(Query.of(self.pipeline.name, **filters))

    def cards(self, **filters: Any) -> list[Card]:
        """:meth:`query` as cards, without models where the store can (:mod:`socialcrm.cards`)."""
        return cards(self.repository, Query.of(self.pipeline.name, **filters))

    def listed(self, encode: Callable[[dict[str, Any]], E], **filters: Any) -> list[E]:
        """:meth:`query`'s JSON records, each as ``encode`` makes it (``prospect_records``)."""
        return listed(self.repository, Query.of(self.pipeline.name, **filters), encode)

    def board(self, owner: str | None = None) -> Board:
        """Open prospects per stage and the won/lost lists (``owner``: one rep's)."""
        return board(self.repository, self.pipeline.name, owner=owner)

    # ------------------------------------------------------------ file formats
    def importers(self) -> dict[str, Importer]:
        """File importers registered by plugins and built-ins, by format (``io.import_file``)."""
        return dict(self.hooks.importers)

    def exporters(self) -> dict[str, Exporter]:
        """File exporters registered by plugins and built-ins, by format name."""
        return dict(self.hooks.exporters)

    def close(self) -> None:
        self.repository.close()
