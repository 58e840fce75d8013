"""The CRM facade: the one orchestrator used by the CLI and by host applications.

Every operation follows the same path: resolve the prospect, apply the rules
and the stage machine, then, inside one repository transaction, write the new
prospect and its :class:`~socialcrm.models.Event`.  Plugins are told about the
event after it is committed, so a failing plugin can never lose it.

Text a person gives the facade (names, notes, messages, reasons, tags…) is
refused if it holds a control character or a bidirectional override
(:mod:`socialcrm.text`), and every write keeps to the caps of
:mod:`socialcrm.limits`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from attrs import evolve, frozen

from socialcrm import machine
from socialcrm.contact_fields import (
    company_size_value,
    normalize_email,
    normalize_phone,
    split_name,
    unique_emails,
)
from socialcrm.errors import (
    AmbiguousReferenceError,
    DuplicateIdentityError,
    InvalidTransitionError,
    InvalidURLError,
    LimitExceededError,
    NotFoundError,
    ValidationError,
)
from socialcrm.history import StageSpan, stage_spans
from socialcrm.hooks import Hooks, PluginFailure
from socialcrm.ids import IdFactory
from socialcrm.limits import check_payload, check_prospect
from socialcrm.models import (
    Assessed,
    Assessment,
    Created,
    Edited,
    Erased,
    Event,
    Identity,
    Interaction,
    LawfulBasis,
    MessageReceived,
    MessageSent,
    Note,
    Payload,
    Pipeline,
    PointOfInterest,
    PointOfInterestSet,
    Prospect,
    Source,
    nfc,
)
from socialcrm.repository import MemoryRepository, Query, Repository
from socialcrm.rules import Problem, RuleRegistry, TransitionContext, default_rules
from socialcrm.stages import Stage, Status
from socialcrm.text import check, check_fields
from socialcrm.value import Value

if TYPE_CHECKING:
    from socialcrm.dedupe import DuplicatePair
    from socialcrm.io.formats import Exporter, Importer
    from socialcrm.io.importing import ImportReport
    from socialcrm.networks import NetworkRegistry

__all__ = ["CRM", "DEFAULT_PIPELINE", "INTERACTION_TYPES", "Board"]

DEFAULT_PIPELINE = "default"
CURRENT_PIPELINE_KEY = "current_pipeline"
CHANNEL_LIMITS_KEY = "channel_limits"

INTERACTION_TYPES = ("like", "comment", "share", "follow", "mention", "view", "group", "event")

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


@frozen(repr=False, eq=False)
class Board(Value):
    """The pipeline at a glance: open prospects per stage and outcome totals."""

    pipeline: str
    stages: dict[Stage, list[Prospect]]
    won: list[Prospect]
    lost: list[Prospect]

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.stages.values()) + len(self.won) + len(self.lost)


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
        self.actor = check(actor, "actor") if actor is not None else None
        self._pipeline = nfc(pipeline) if pipeline else None
        self.rules = rules if rules is not None else default_rules()
        self.phone_region = phone_region
        self._new_id = IdFactory()
        self.hooks = Hooks(plugin_manager, report=report, limit_overrides=None)
        self._limits_loaded = False

    # ------------------------------------------------------------------ basics
    def now(self) -> datetime:
        """The current time from the injected clock, in UTC."""
        value = self._clock()
        if value.tzinfo is None:
            raise ValueError("the CRM clock must return timezone-aware datetimes")
        return value.astimezone(UTC)

    @property
    def failures(self) -> list[PluginFailure]:
        """Plugin failures seen so far (also passed to ``report``)."""
        return self.hooks.failures

    @property
    def networks(self) -> NetworkRegistry:
        """Network adapters from plugins, with configured channel limits applied."""
        registry = self.hooks.networks
        if not self._limits_loaded:
            overrides = self.repository.get_meta(CHANNEL_LIMITS_KEY) or {}
            registry.limit_overrides.update({str(k): int(v) for k, v in overrides.items()})
            self._limits_loaded = True
        return registry

    def set_channel_limit(self, network: str, channel: str, limit: int | None) -> None:
        """Override (or with ``None`` restore) a channel's length limit in this store."""
        self.networks.channel(network, channel)  # validates both names
        with self.repository.transaction():
            overrides = dict(self.repository.get_meta(CHANNEL_LIMITS_KEY) or {})
            key = f"{network}.{channel}"
            if limit is None:
                overrides.pop(key, None)
                self.networks.limit_overrides.pop(key, None)
            else:
                if limit <= 0:
                    raise ValidationError("a limit must be positive", field="limit", value=limit)
                overrides[key] = limit
                self.networks.limit_overrides[key] = limit
            self.repository.set_meta(CHANNEL_LIMITS_KEY, overrides or None)

    # --------------------------------------------------------------- pipelines
    @property
    def pipeline_name(self) -> str:
        """The pipeline this CRM works on."""
        if self._pipeline:
            return self._pipeline
        current = self.repository.get_meta(CURRENT_PIPELINE_KEY)
        return str(current) if current else DEFAULT_PIPELINE

    @property
    def pipeline(self) -> Pipeline:
        """The current pipeline; the default one is created on first use."""
        name = self.pipeline_name
        found = self.repository.get_pipeline(name)
        if found is not None:
            return found
        if name == DEFAULT_PIPELINE:
            with self.repository.transaction():
                found = self.repository.get_pipeline(name)
                if found is None:
                    found = Pipeline(name=name, created_at=self.now())
                    self.repository.put_pipeline(found)
            return found
        import shlex  # only on this error

        raise NotFoundError(
            name,
            what="pipeline",
            hint=f"create it with: socialcrm pipeline create {shlex.quote(name)}",
        )

    def init(self) -> Pipeline:
        """Make sure the store holds the current pipeline (idempotent)."""
        return self.pipeline

    def pipelines(self) -> list[Pipeline]:
        return self.repository.list_pipelines()

    def _validated_pipeline_name(self, name: str) -> str:
        check(name, "pipeline")
        try:
            return Pipeline(name=name).name
        except ValueError as exc:
            raise ValidationError(str(exc), field="pipeline", value=name) from None

    def create_pipeline(
        self, name: str, *, description: str = "", settings: Mapping[str, Any] | None = None
    ) -> Pipeline:
        name = self._validated_pipeline_name(name)
        check_fields(
            {"description": description, "settings": dict(settings or {})},
            multiline={"settings"},
        )
        with self.repository.transaction():
            if self.repository.get_pipeline(name) is not None:
                raise ValidationError(
                    f"pipeline {name!r} already exists", field="pipeline", value=name
                )
            pipeline = Pipeline(
                name=name,
                created_at=self.now(),
                description=description,
                settings=dict(settings or {}),
            )
            self.repository.put_pipeline(pipeline)
        return pipeline

    def get_pipeline(self, name: str) -> Pipeline:
        found = self.repository.get_pipeline(nfc(name))
        if found is None:
            raise NotFoundError(name, what="pipeline")
        return found

    def use_pipeline(self, name: str) -> Pipeline:
        """Make ``name`` the store's current pipeline."""
        with self.repository.transaction():
            pipeline = self.get_pipeline(name)
            self.repository.set_meta(CURRENT_PIPELINE_KEY, pipeline.name)
        self._pipeline = pipeline.name
        return pipeline

    def rename_pipeline(self, old: str, new: str) -> Pipeline:
        new = self._validated_pipeline_name(new)
        with self.repository.transaction():
            pipeline = self.get_pipeline(old)
            if self.repository.get_pipeline(new) is not None:
                raise ValidationError(
                    f"pipeline {new!r} already exists", field="pipeline", value=new
                )
            self.repository.rename_pipeline(pipeline.name, new)
            # With no stored choice the current pipeline is the default one: renaming
            # it must keep the rep on it, not on a new, empty "default".
            current = self.repository.get_meta(CURRENT_PIPELINE_KEY) or DEFAULT_PIPELINE
            if current == pipeline.name:
                self.repository.set_meta(CURRENT_PIPELINE_KEY, new)
        if self._pipeline == pipeline.name:
            self._pipeline = new
        return self.get_pipeline(new)

    def update_pipeline_settings(self, changes: Mapping[str, Any]) -> Pipeline:
        """Merge ``changes`` into the current pipeline's settings (``None`` removes a key).

        Settings hold what the rep typed (templates, sequences, the ICP…): any
        text in ``changes`` may be several lines, but no other control character.
        """
        check_fields({"settings": dict(changes)}, multiline={"settings"})
        with self.repository.transaction():
            pipeline = self.pipeline
            settings = dict(pipeline.settings)
            for key, value in changes.items():
                if value is None:
                    settings.pop(key, None)
                else:
                    settings[key] = value
            updated = evolve(pipeline, settings=settings)
            self.repository.put_pipeline(updated)
        return updated

    def delete_pipeline(self, name: str) -> int:
        """Delete a pipeline with its prospects and events; return how many prospects."""
        with self.repository.transaction():
            pipeline = self.get_pipeline(name)
            count = self.repository.count(pipeline.name)
            self.repository.delete_pipeline(pipeline.name)
            if self.repository.get_meta(CURRENT_PIPELINE_KEY) == pipeline.name:
                self.repository.set_meta(CURRENT_PIPELINE_KEY, None)
        if self._pipeline == pipeline.name:
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
        :class:`AmbiguousReferenceError` listing them.
        """
        ref = nfc(ref)
        if not ref:
            raise ValidationError("empty prospect reference", field="ref")
        pipeline = self.pipeline_name
        candidates: list[Prospect] = []
        head = ref.split(":", 1)[0].lower()
        handle_ref = ":" in ref and head in self.networks  # x:@jdupont is not an e-mail
        if "@" in ref and not ref.startswith("@") and "/" not in ref and not handle_ref:
            candidates = self.repository.find_by_email(pipeline, ref)
        elif "://" in ref or "/" in ref or handle_ref:
            try:
                identity = self.networks.parse(ref)
            except InvalidURLError:
                raise NotFoundError(
                    ref, hint="not a recognised profile URL or network:handle"
                ) from None
            found = self.repository.find_by_identity(pipeline, identity.key)
            candidates = [found] if found else []
        else:
            if ref.isalnum() and ref.isascii():
                candidates = self.repository.find_by_id_prefix(pipeline, ref.upper())
            if not candidates:
                folded = ref.casefold()
                candidates = [
                    p
                    for p in self.repository.query(Query(pipeline=pipeline, text=ref))
                    if p.name.casefold() == folded
                ]
        if not candidates:
            raise NotFoundError(ref, hint=f"in pipeline {pipeline!r}")
        if len(candidates) > 1:
            exact = [p for p in candidates if p.id == ref.upper()]
            if len(exact) == 1:
                return exact[0]
            raise AmbiguousReferenceError(ref, [(p.id, p.name) for p in candidates])
        return candidates[0]

    # --------------------------------------------------------------- recording
    def _commit(
        self,
        prospect: Prospect | None,
        payloads: Sequence[Payload],
        *,
        prospect_id: str,
        at: datetime | None = None,
    ) -> list[Event]:
        """Write ``prospect`` and its events (caller holds the transaction).

        All events of one change share one time (ids keep their order);
        ``at`` pins it (``add``: the prospect's ``created_at``, so its stage
        history starts exactly when the prospect does).
        """
        if prospect is not None:
            self._within_caps(prospect)
        for payload in payloads:
            check_payload(payload)
        if prospect is not None:
            self.repository.put(prospect)
        events = []
        at = at or self.now()
        for payload in payloads:
            event = Event(
                id=self._new_id(at),
                prospect_id=prospect_id,
                at=at,
                payload=payload,
                actor=self.actor,
                pipeline=prospect.pipeline if prospect else self.pipeline_name,
            )
            self.repository.append_event(event)
            events.append(event)
        return events

    def _within_caps(self, prospect: Prospect) -> None:
        """:func:`~socialcrm.limits.check_prospect`; a field already over a cap when
        stored (before the caps existed) may stay so, not grow."""
        try:
            check_prospect(prospect)
        except LimitExceededError:
            check_prospect(prospect, before=self.repository.get(prospect.id))

    def _notify(self, events: Iterable[Event], prospect: Prospect | None) -> None:
        for event in events:
            self.hooks.on_event(event=event, prospect=prospect)

    def _change(
        self,
        ref: str,
        change: Callable[[Prospect], tuple[Prospect, Sequence[Payload]]],
    ) -> Prospect:
        """Resolve, compute the change, commit it atomically, then notify plugins."""
        with self.repository.transaction():
            before = self.resolve(ref)
            after, payloads = change(before)
            after, payloads = self._assessed(after, payloads)
            events = self._commit(after, payloads, prospect_id=before.id)
        self._notify(events, after)
        return after

    # ------------------------------------------------------------ add and edit
    def _identities(self, urls: Iterable[str]) -> list[Identity]:
        identities: list[Identity] = []
        for url in urls:
            identity = self.networks.parse(url)
            clash = next((i for i in identities if i.network == identity.network), None)
            if clash is not None and clash.key != identity.key:
                raise ValidationError(
                    f"two {identity.network} identities given ({clash.handle}, "
                    f"{identity.handle}); a prospect has one per network",
                    field="identities",
                    value=url,
                )
            if clash is None:
                identities.append(identity)
        return identities

    def _check_identities_free(self, prospect: Prospect) -> None:
        for identity in prospect.identities:
            owner = self.repository.find_by_identity(prospect.pipeline, identity.key)
            if owner is not None and owner.id != prospect.id:
                raise DuplicateIdentityError(identity.key, owner.id, prospect.pipeline)

    def build_prospect(
        self,
        name: str,
        *,
        urls: Iterable[str] = (),
        emails: Iterable[str] = (),
        phones: Iterable[str] = (),
        first_name: str | None = None,
        last_name: str | None = None,
        title: str | None = None,
        company: str | None = None,
        sector: str | None = None,
        company_size: int | None = None,
        location: str | None = None,
        tags: Iterable[str] = (),
        notes: str = "",
        custom: Mapping[str, str] | None = None,
        owner: str | None = None,
        source: Source | str | None = None,
        lawful_basis: LawfulBasis | str = LawfulBasis.LEGITIMATE_INTEREST,
        created_at: datetime | None = None,
    ) -> Prospect:
        """Validate input and make a new prospect value (nothing is stored)."""
        urls, emails, phones, tags = list(urls), list(emails), list(phones), list(tags)
        check_fields(
            {
                "name": name,
                "first_name": first_name,
                "last_name": last_name,
                "title": title,
                "company": company,
                "sector": sector,
                "location": location,
                "owner": owner,
                "source": source if isinstance(source, str) else None,
                "url": urls,
                "emails": emails,
                "phones": phones,
                "tags": tags,
                "notes": notes,
                "custom": dict(custom or {}),
            },
            multiline={"notes"},
        )
        if not nfc(name):
            raise ValidationError("a prospect needs a name", field="name", value=name)
        company_size = company_size_value(company_size)
        identities = self._identities(urls)
        if first_name is None and last_name is None:
            first_name, last_name = split_name(name)
        now = created_at or self.now()
        if isinstance(source, str) or source is None:
            first = identities[0] if identities else None
            source = Source(
                network=first.network if first else None,
                url=first.url if first else None,
                collected_at=now,
                note=source,
            )
        try:
            basis = LawfulBasis(lawful_basis)
        except ValueError:
            raise ValidationError(
                f"unknown lawful basis {lawful_basis!r}",
                field="lawful_basis",
                value=lawful_basis,
                hint="one of: " + ", ".join(b.value for b in LawfulBasis),
            ) from None
        return Prospect(
            id=self._new_id(now),
            name=name,
            pipeline=self.pipeline.name,
            first_name=first_name,
            last_name=last_name,
            title=title,
            company=company,
            sector=sector,
            company_size=company_size,
            location=location,
            emails=unique_emails(normalize_email(e) for e in emails),
            phones=[normalize_phone(p, self.phone_region) for p in phones],
            identities=identities,
            tags=tags,
            notes=notes,
            custom=dict(custom or {}),
            owner=owner if owner is not None else self.actor,
            source=source,
            lawful_basis=basis,
            created_at=now,
            updated_at=now,
        )

    def add(self, name: str, *, note: str | None = None, **fields: Any) -> Prospect:
        """Add a prospect at stage ``profile``; ``fields`` as in :meth:`build_prospect`.

        ``note`` is recorded as a first note event (the ``notes`` field holds
        a free-text description instead).
        """
        if note is not None:
            check(note, "note", multiline=True)
        prospect = self.build_prospect(name, **fields)
        with self.repository.transaction():
            self._check_identities_free(prospect)
            payloads: list[Payload] = [Created(stage=prospect.stage, status=prospect.status)]
            if note and nfc(note):
                payloads.append(Note(text=nfc(note)))
            prospect, payloads = self._assessed(prospect, payloads)
            events = self._commit(
                prospect, payloads, prospect_id=prospect.id, at=prospect.created_at
            )
        self._notify(events, prospect)
        return prospect

    EDITABLE = (
        "name",
        "first_name",
        "last_name",
        "title",
        "company",
        "sector",
        "company_size",
        "location",
        "notes",
        "owner",
        "lawful_basis",
    )

    def edit(
        self,
        ref: str,
        *,
        set_fields: Mapping[str, Any] | None = None,
        add_urls: Iterable[str] = (),
        rm_urls: Iterable[str] = (),
        add_emails: Iterable[str] = (),
        rm_emails: Iterable[str] = (),
        add_phones: Iterable[str] = (),
        rm_phones: Iterable[str] = (),
        add_tags: Iterable[str] = (),
        rm_tags: Iterable[str] = (),
        set_custom: Mapping[str, str] | None = None,
        unset_custom: Iterable[str] = (),
    ) -> Prospect:
        """Change fields and lists; records one ``edited`` event with old and new values."""
        set_fields = dict(set_fields or {})
        add_urls, add_emails, add_phones = list(add_urls), list(add_emails), list(add_phones)
        add_tags, set_custom = list(add_tags), dict(set_custom or {})
        check_fields(
            {
                **set_fields,
                "url": add_urls,
                "emails": add_emails,
                "phones": add_phones,
                "tags": add_tags,
                "custom": set_custom,
            },
            multiline={"notes"},
        )
        unknown = set(set_fields) - set(self.EDITABLE)
        if unknown:
            raise ValidationError(
                f"cannot edit field {sorted(unknown)[0]!r}",
                field=sorted(unknown)[0],
                hint="editable: " + ", ".join(self.EDITABLE),
            )
        if "name" in set_fields and not nfc(str(set_fields["name"] or "")):
            raise ValidationError("a prospect needs a name", field="name")
        for key, value in set_fields.items():
            if key not in {"company_size", "lawful_basis"} and not isinstance(value, str | None):
                raise ValidationError(
                    f"{key} must be text, got {type(value).__name__}", field=key, value=value
                )
        if "company_size" in set_fields:
            set_fields["company_size"] = company_size_value(set_fields["company_size"])
        if "lawful_basis" in set_fields:
            try:
                set_fields["lawful_basis"] = LawfulBasis(set_fields["lawful_basis"])
            except ValueError:
                raise ValidationError(
                    f"unknown lawful basis {set_fields['lawful_basis']!r}",
                    field="lawful_basis",
                    hint="one of: " + ", ".join(b.value for b in LawfulBasis),
                ) from None
        new_identities = self._identities(add_urls)
        removed_keys = {self.networks.parse(u).key for u in rm_urls}
        new_emails = [normalize_email(e) for e in add_emails]
        gone_emails = {e.strip().casefold() for e in rm_emails}
        new_phones = [normalize_phone(p, self.phone_region) for p in add_phones]
        gone_phones = {normalize_phone(p, self.phone_region) for p in rm_phones}

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            for key in removed_keys:
                if key not in {i.key for i in p.identities}:
                    raise ValidationError(
                        f"{p.name} has no identity {key}", field="identities", value=key
                    )
            identities = [i for i in p.identities if i.key not in removed_keys]
            for identity in new_identities:
                current = next((i for i in identities if i.network == identity.network), None)
                if current is not None and current.key != identity.key:
                    raise ValidationError(
                        f"{p.name} already has a {identity.network} identity ({current.handle})",
                        field="identities",
                        hint="remove it first with --rm-url",
                    )
                if current is None:
                    identities.append(identity)
            for email in gone_emails:
                if email not in {e.casefold() for e in p.emails}:
                    raise ValidationError(f"{p.name} has no e-mail {email}", field="emails")
            custom = dict(p.custom)
            custom.update(set_custom or {})
            for key in unset_custom:
                if key not in custom:
                    raise ValidationError(f"{p.name} has no custom field {key!r}", field=key)
                custom.pop(key)
            after = evolve(
                p,
                **set_fields,
                identities=identities,
                emails=unique_emails(
                    [*(e for e in p.emails if e.casefold() not in gone_emails), *new_emails]
                ),
                phones=[x for x in p.phones if x not in gone_phones] + new_phones,
                tags=[t for t in p.tags if t not in {nfc(x).casefold() for x in rm_tags}]
                + list(add_tags),
                custom=custom,
            )
            from socialcrm.serialization import changed_fields

            changes = changed_fields(p, after)
            if not changes:
                return p, []
            after = evolve(after, updated_at=self.now())
            self._check_identities_free(after)
            return after, [Edited(changes=changes)]

        return self._change(ref, change)

    def delete(self, ref: str) -> Prospect:
        """Erase a prospect and its whole history (GDPR right to erasure)."""
        with self.repository.transaction():
            prospect = self.resolve(ref)
            self.repository.delete(prospect.id)
        # Not stored (nothing of the prospect is kept); plugins syncing elsewhere erase too.
        at = self.now()
        erased = Event(
            id=self._new_id(at),
            prospect_id=prospect.id,
            at=at,
            payload=Erased(),
            actor=self.actor,
            pipeline=prospect.pipeline,
        )
        self._notify([erased], None)
        return prospect

    # ---------------------------------------------------------- stage machine
    def problems(self, prospect: Prospect, to_stage: Stage) -> list[Problem]:
        """Unmet exit criteria (rules and plugins) for moving ``prospect`` to ``to_stage``."""
        if to_stage <= prospect.stage:
            return []
        prospect, _ = self._assessed(prospect)  # judge on the current ICP
        context = self._context(prospect, to_stage)
        problems = self.rules.check(context)
        problems += self.hooks.check_transition(
            prospect=prospect,
            from_stage=prospect.stage,
            to_stage=to_stage,
            pipeline=context.pipeline,
            events=context.events,
        )
        return problems

    def _context(self, prospect: Prospect, to_stage: Stage) -> TransitionContext:
        """What exit criteria look at: the prospect, its pipeline and its history."""
        pipeline = self.repository.get_pipeline(prospect.pipeline) or self.pipeline
        events = self.repository.events(prospect.id)
        return TransitionContext(prospect, prospect.stage, to_stage, pipeline, events)

    def move(
        self, ref: str, to_stage: Stage | str, *, force: bool = False, reason: str | None = None
    ) -> Prospect:
        """Move a prospect forward (checking exit criteria) or backward."""
        if reason is not None:
            check(reason, "reason")
        target = to_stage if isinstance(to_stage, Stage) else Stage.parse(to_stage)

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            machine.require_open(p, "move")
            after, payload = machine.move(
                p,
                target,
                problems=self.problems(p, target),
                at=self.now(),
                force=force,
                reason=reason,
            )
            return after, [payload]

        return self._change(ref, change)

    def advance(self, ref: str, *, force: bool = False, reason: str | None = None) -> Prospect:
        """Move a prospect to the next stage."""
        prospect = self.resolve(ref)
        machine.require_open(prospect, "advance")  # a won prospect is not "at the last stage"
        target = prospect.stage.next
        if target is None:
            raise InvalidTransitionError(
                f"{prospect.id} is at the last stage",
                prospect_id=prospect.id,
                hint="mark it won or lost",
            )
        return self.move(prospect.id, target, force=force, reason=reason)

    def win_problems(self, prospect: Prospect) -> list[Problem]:
        """Criteria for winning: the rules registered as leaving ``convert``."""
        context = self._context(prospect, prospect.stage)
        return [p for rule in self.rules.for_stage(Stage.CONVERT) for p in rule(context)]

    def win(self, ref: str, *, force: bool = False) -> Prospect:
        """Mark a prospect at ``convert`` as won."""

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            problems = self.win_problems(p) if p.stage is Stage.CONVERT and p.is_open else []
            after, payload = machine.win(p, at=self.now(), problems=problems, force=force)
            return after, [payload]

        return self._change(ref, change)

    def lose(self, ref: str, reason: str) -> Prospect:
        """Mark a prospect lost, from any stage, with a reason."""
        check(reason, "reason")

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            after, payload = machine.lose(p, reason=reason, at=self.now())
            return after, [payload]

        return self._change(ref, change)

    def reopen(self, ref: str) -> Prospect:
        """Return a won or lost prospect to ``open``, in its last stage."""

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            after, payload = machine.reopen(p, at=self.now())
            return after, [payload]

        return self._change(ref, change)

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
        from socialcrm.playbook.icp import get_icp

        if note is not None:
            check(note, "note", multiline=True)
        if get_icp(self.pipeline) is not None:
            raise ValidationError(
                f"pipeline {self.pipeline_name!r} qualifies prospects by their ICP score",
                field="assessment",
                hint="see 'socialcrm score REF'; edit the prospect or the ICP, or force the move",
            )

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            at = self.now()
            assessment = Assessment(qualified, score, threshold, note, at)
            payload = Assessed(qualified, score, threshold, assessment.note)
            return evolve(p, assessment=assessment, updated_at=at), [payload]

        return self._change(ref, change)

    def set_point_of_interest(self, ref: str, text: str, *, url: str | None = None) -> Prospect:
        """Record what the prospect shared or reacted to: the hook of the first message."""
        check_fields({"text": text, "url": url}, multiline={"text"})
        if not nfc(text):
            raise ValidationError("a point of interest needs a text", field="text")

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            at = self.now()
            poi = PointOfInterest(text, url, at)
            payload = PointOfInterestSet(poi.text, poi.url)
            return evolve(p, point_of_interest=poi, updated_at=at), [payload]

        return self._change(ref, change)

    def log_interaction(
        self,
        ref: str,
        type: str,
        *,
        url: str | None = None,
        note: str | None = None,
        network: str | None = None,
    ) -> Prospect:
        """Log a notoriety signal (like, comment, share, follow, mention, view, group, event)."""
        check_fields({"url": url, "note": note, "network": network}, multiline={"note"})
        kind = type.strip().lower()
        if kind not in INTERACTION_TYPES:
            raise ValidationError(
                f"unknown interaction {type!r}",
                field="kind",
                value=type,
                hint="one of: " + ", ".join(INTERACTION_TYPES),
            )

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            net = network or self._network_of(url) or _only_network(p)
            return p, [Interaction(kind, net, url, nfc(note) if note else None)]

        return self._change(ref, change)

    def _network_of(self, url: str | None) -> str | None:
        if not url:
            return None
        try:
            return self.networks.parse(url).network
        except InvalidURLError:
            return None

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
        check_fields({"text": text, "channel": channel, "network": network}, multiline={"text"})
        text = unicodedata.normalize("NFC", text)
        if not text.strip():
            raise ValidationError("a message needs a text", field="text")

        def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
            net = network.lower() if network else None
            if channel and net is None:
                net = self._network_with_channel(p, channel)
            if net is None:
                net = _only_network(p)
            if channel and net is not None and not received:
                self.networks.check_message(net, channel, text)
            payload: Payload = (
                MessageReceived(text, net, channel) if received else MessageSent(text, net, channel)
            )
            return p, [payload]

        return self._change(ref, change)

    def _network_with_channel(self, p: Prospect, channel: str) -> str:
        networks = [i.network for i in p.identities if i.network in self.networks]
        having = [n for n in networks if channel in self.networks.get(n).channels]
        if len(having) == 1:
            return having[0]
        if not having:
            known = sorted(f"{n}.{c}" for n in networks for c in self.networks.get(n).channels)
            raise ValidationError(
                f"{p.name} has no network with a {channel!r} channel",
                field="channel",
                value=channel,
                hint="channels: " + (", ".join(known) or "none (add a profile URL first)"),
            )
        raise ValidationError(
            f"cannot tell which network's {channel!r} channel is meant",
            field="channel",
            value=channel,
            hint="give the network too (e.g. --channel linkedin.connection_note)",
        )

    def add_note(self, ref: str, text: str) -> Prospect:
        """Add a free note to the prospect's history."""
        check(text, "text", multiline=True)
        if not nfc(text):
            raise ValidationError("a note needs a text", field="text")
        return self._change(ref, lambda p: (p, [Note(nfc(text))]))

    def _assessed(
        self, prospect: Prospect, payloads: Sequence[Payload] = ()
    ) -> tuple[Prospect, list[Payload]]:
        """Re-score ``prospect`` when its pipeline has an ICP (call before ``_commit``).

        Adds an ``assessed`` payload when the result changed; see
        :func:`socialcrm.playbook.icp.reassess`.
        """
        from socialcrm.playbook import has_icp

        pipeline = self.repository.get_pipeline(prospect.pipeline)
        if pipeline is None or not has_icp(pipeline):
            return prospect, list(payloads)  # nothing to score: spare importing the scorer
        from socialcrm.playbook.icp import get_icp, reassess

        return reassess(self, prospect, payloads, icp=get_icp(pipeline))

    # ------------------------------------------------------------------- views
    def history(self, ref: str) -> list[Event]:
        """The prospect's events, oldest first."""
        return self.repository.events(self.resolve(ref).id)

    def stage_history(self, ref: str) -> list[StageSpan]:
        """Periods spent in each stage, derived from events."""
        return stage_spans(self.history(ref))

    def query(self, **filters: Any) -> list[Prospect]:
        """Prospects of the current pipeline matching ``filters`` (see :class:`Query`)."""
        if isinstance(filters.get("stage"), str):
            filters["stage"] = Stage.parse(filters["stage"])
        if isinstance(filters.get("status"), str):
            filters["status"] = Status.parse(filters["status"])
        # ``self.pipeline`` (not the bare name): an unknown pipeline is an error, not "empty".
        return self.repository.query(Query(pipeline=self.pipeline.name, **filters))

    def board(self) -> Board:
        """Open prospects per stage and the won/lost lists."""
        everyone = self.repository.query(Query(pipeline=self.pipeline.name, sort="name"))
        stages: dict[Stage, list[Prospect]] = {s: [] for s in Stage}
        won: list[Prospect] = []
        lost: list[Prospect] = []
        for p in everyone:
            if p.status is Status.WON:
                won.append(p)
            elif p.status is Status.LOST:
                lost.append(p)
            else:
                stages[p.stage].append(p)
        return Board(self.pipeline_name, stages, won, lost)

    # ------------------------------------------------- import, export, dedupe
    def importers(self) -> dict[str, Importer]:
        """File importers registered by plugins and built-ins, by format name."""
        return dict(self.hooks.importers)

    def exporters(self) -> dict[str, Exporter]:
        """File exporters registered by plugins and built-ins, by format name."""
        return dict(self.hooks.exporters)

    def import_file(
        self,
        path: str | Path,
        format: str = "auto",
        *,
        dry_run: bool = False,
        tags: Sequence[str] = (),
        update: bool = False,
        strict: bool = False,
        mapping: Mapping[str, str] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Import a file into the current pipeline (whole batch or nothing).

        Returns an :class:`~socialcrm.io.importing.ImportReport`; see
        :func:`socialcrm.io.importing.import_file` for the rules.
        """
        from socialcrm.io.importing import import_file

        return import_file(
            self,
            Path(path),
            format,
            dry_run=dry_run,
            tags=tags,
            update=update,
            strict=strict,
            mapping=mapping,
            progress=progress,
        )

    def find_duplicates(self) -> list[DuplicatePair]:
        """Likely duplicates in the current pipeline, with reasons (never merged)."""
        from socialcrm.dedupe import find_duplicates

        return find_duplicates(self.repository.query(Query(pipeline=self.pipeline_name)))

    def merge(self, keep_ref: str, other_ref: str) -> Prospect:
        """Fold ``other_ref`` into ``keep_ref`` (history kept, ``merged`` event)."""
        from socialcrm.dedupe import merge

        return merge(self, keep_ref, other_ref)

    def close(self) -> None:
        self.repository.close()


def _only_network(p: Prospect) -> str | None:
    return p.identities[0].network if len(p.identities) == 1 else None
