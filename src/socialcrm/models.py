"""Value objects of the pipeline: prospects, identities, events, pipelines.

All models are frozen attrs classes (a change is a new value made with
:func:`attrs.evolve`: no plugin or host can mutate one behind the CRM's back),
with text in Unicode NFC ("é" typed on macOS and on Windows is one name), and
know nothing about storage, JSON or the CLI.

Every text field drops the characters a terminal would obey (control characters,
bidi overrides: :mod:`socialcrm.text`) whatever path built the model -- files,
plugins and hosts build models too.  A one-line field (a name, a tag) turns a line
break into a space; a multi-line text (notes, messages) keeps line breaks and tabs
(converters: :mod:`socialcrm.converters`).

Annotations here are evaluated when the module loads (no ``from __future__
import annotations``): the fields' types are then real objects, so the store's
codec reads them from :func:`attrs.fields` instead of compiling and evaluating
one string per field in every CLI process.  The few forward references are quoted.
"""

import enum
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeAlias

import attrs
from attrs import field, frozen

from socialcrm.converters import (
    custom_fields,
    multi_line,
    network_id,
    nfc,
    one_line,
    opt_multi_line,
    opt_one_line,
    opt_safe_line,
    opt_safe_multi_line,
    opt_utc,
    safe_changes,
    safe_id,
    safe_line,
    safe_multi_line,
    safe_settings,
    str_tuple,
    tag_tuple,
    utc,
)
from socialcrm.stages import Stage, Status
from socialcrm.value import Value

__all__ = [
    "PAYLOAD_TYPES",
    "Assessed",
    "Assessment",
    "Created",
    "Edited",
    "Erased",
    "Event",
    "EventKind",
    "Identity",
    "Imported",
    "Interaction",
    "LawfulBasis",
    "Merged",
    "MessageReceived",
    "MessageSent",
    "Note",
    "NoticeGiven",
    "Payload",
    "Pipeline",
    "PointOfInterest",
    "PointOfInterestSet",
    "ProblemRecord",
    "Prospect",
    "ProspectKind",
    "SequenceEnrolled",
    "SequenceStopped",
    "Source",
    "StageChanged",
    "StatusChanged",
    "nfc",
]


def _identity_tuple(values: Iterable["Identity"]) -> tuple["Identity", ...]:
    return tuple(values)


def _problem_tuple(values: Iterable["ProblemRecord"]) -> tuple["ProblemRecord", ...]:
    return tuple(values)


class LawfulBasis(enum.StrEnum):
    """GDPR article 6 basis under which a prospect's data is processed."""

    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"


class ProspectKind(enum.StrEnum):
    """A person, or an organisation (a channel, a company page): never split into
    first/last name nor exported to another CRM as a contact."""

    PERSON = "person"
    ORGANISATION = "organisation"


@frozen(repr=False, eq=False)
class Identity(Value):
    """A prospect's account on one network.

    ``handle`` is in the network's canonical form (as produced by its
    adapter), so two identities are the same person iff their keys are equal.
    """

    network: str = field(converter=network_id)
    handle: str = field(converter=one_line)
    url: str = field(converter=one_line)

    @property
    def key(self) -> str:
        """``network:handle`` — the uniqueness key within a pipeline."""
        return f"{self.network}:{self.handle}"

    def __str__(self) -> str:
        return self.key


@frozen(repr=False, eq=False)
class Source(Value):
    """Where and when a prospect's data was collected (GDPR art. 14 information)."""

    network: str | None = field(default=None, converter=opt_one_line)
    url: str | None = field(default=None, converter=opt_one_line)
    collected_at: datetime | None = field(default=None, converter=opt_utc)
    note: str | None = field(default=None, converter=opt_one_line)


@frozen(repr=False, eq=False)
class PointOfInterest(Value):
    """What the prospect shared or reacted to: the hook of the first message."""

    text: str = field(converter=multi_line)
    url: str | None = field(default=None, converter=opt_one_line)
    at: datetime | None = field(default=None, converter=opt_utc)

    @text.validator
    def _non_empty(self, _attr: "attrs.Attribute[str]", value: str) -> None:
        if not value:
            raise ValueError("a point of interest needs a text")


@frozen(repr=False, eq=False)
class Assessment(Value):
    """The prospect's fit with the ideal customer profile.

    ``qualified`` is the decision; ``score`` the number behind it when one was
    computed (the playbook's ICP scoring), ``None`` for an explicit decision.
    """

    qualified: bool
    score: float | None = None
    threshold: float | None = None
    note: str | None = field(default=None, converter=opt_multi_line)
    at: datetime | None = field(default=None, converter=opt_utc)


# Not slotted, unlike the other models: the store rebuilds prospects by the
# thousand (``list``), and a __dict__ is filled in one C-level update where slots
# need one setattr per field (see socialcrm.fast_codec); ~300 more bytes each.
@frozen(repr=False, eq=False, slots=False)
class Prospect(Value):
    """A person the rep is working, and where they stand in the journey."""

    id: str = field(validator=safe_id)
    name: str = field(converter=one_line)
    pipeline: str = field(default="default", converter=one_line)
    first_name: str | None = field(default=None, converter=opt_one_line)
    last_name: str | None = field(default=None, converter=opt_one_line)
    title: str | None = field(default=None, converter=opt_one_line)
    company: str | None = field(default=None, converter=opt_one_line)
    sector: str | None = field(default=None, converter=opt_one_line)
    company_size: int | None = None
    location: str | None = field(default=None, converter=opt_one_line)
    emails: tuple[str, ...] = field(default=(), converter=str_tuple)
    phones: tuple[str, ...] = field(default=(), converter=str_tuple)
    identities: tuple[Identity, ...] = field(default=(), converter=_identity_tuple)
    tags: tuple[str, ...] = field(default=(), converter=tag_tuple)
    notes: str = field(default="", converter=multi_line)
    custom: dict[str, str] = field(factory=dict, converter=custom_fields)
    stage: Stage = Stage.PROFILE
    status: Status = Status.OPEN
    lost_reason: str | None = field(default=None, converter=opt_one_line)
    point_of_interest: PointOfInterest | None = None
    assessment: Assessment | None = None
    owner: str | None = field(default=None, converter=opt_one_line)
    source: Source | None = None
    lawful_basis: LawfulBasis = LawfulBasis.LEGITIMATE_INTEREST
    kind: ProspectKind = ProspectKind.PERSON
    created_at: datetime = field(factory=lambda: datetime.now(UTC), converter=utc)
    updated_at: datetime = field(factory=lambda: datetime.now(UTC), converter=utc)

    @name.validator
    def _name_non_empty(self, _attr: "attrs.Attribute[str]", value: str) -> None:
        if not value:
            raise ValueError("a prospect needs a name")

    @identities.validator
    def _one_identity_per_network(
        self, _attr: "attrs.Attribute[tuple[Identity, ...]]", value: tuple[Identity, ...]
    ) -> None:
        networks = [i.network for i in value]
        if len(networks) != len(set(networks)):
            raise ValueError("a prospect has at most one identity per network")

    def identity(self, network: str) -> Identity | None:
        """The prospect's identity on ``network``, if any."""
        return next((i for i in self.identities if i.network == network), None)

    @property
    def is_open(self) -> bool:
        return self.status is Status.OPEN

    @property
    def is_organisation(self) -> bool:
        return self.kind is ProspectKind.ORGANISATION


# ---------------------------------------------------------------------------
# Events: an append-only log.  Each kind has a typed payload.


class EventKind(enum.StrEnum):
    """What happened to a prospect."""

    CREATED = "created"
    STAGE_CHANGED = "stage_changed"
    STATUS_CHANGED = "status_changed"
    INTERACTION = "interaction"
    MESSAGE_SENT = "message_sent"
    MESSAGE_RECEIVED = "message_received"
    NOTE = "note"
    POINT_OF_INTEREST_SET = "point_of_interest_set"
    ASSESSED = "assessed"
    IMPORTED = "imported"
    MERGED = "merged"
    EDITED = "edited"
    SEQUENCE_ENROLLED = "sequence_enrolled"
    SEQUENCE_STOPPED = "sequence_stopped"
    NOTICE_GIVEN = "notice_given"
    ERASED = "erased"


@frozen(repr=False, eq=False)
class Created(Value):
    """The prospect entered the pipeline at ``stage``."""

    kind: ClassVar[EventKind] = EventKind.CREATED
    stage: Stage = Stage.PROFILE
    status: Status = Status.OPEN


@frozen(repr=False, eq=False)
class ProblemRecord(Value):
    """A failed exit criterion as stored in an event (see :class:`socialcrm.rules.Problem`)."""

    rule: str = field(converter=safe_line)
    message: str = field(converter=safe_multi_line)
    fix: str | None = field(default=None, converter=opt_safe_multi_line)


@frozen(repr=False, eq=False)
class StageChanged(Value):
    """A move between stages; ``overridden`` lists the problems a forced move ignored."""

    kind: ClassVar[EventKind] = EventKind.STAGE_CHANGED
    from_stage: Stage
    to_stage: Stage
    forced: bool = False
    reason: str | None = field(default=None, converter=opt_safe_line)
    overridden: tuple[ProblemRecord, ...] = field(default=(), converter=_problem_tuple)


@frozen(repr=False, eq=False)
class StatusChanged(Value):
    """An outcome: won, lost (with a reason) or reopened."""

    kind: ClassVar[EventKind] = EventKind.STATUS_CHANGED
    from_status: Status
    to_status: Status
    reason: str | None = field(default=None, converter=opt_safe_line)
    forced: bool = False


@frozen(repr=False, eq=False)
class Interaction(Value):
    """A notoriety signal: like, comment, share, follow, mention, view, group, event, meeting…

    ``inbound`` when the prospect did it (commented on the rep's post, accepted a
    meeting): only such contacts restart the retention clock (:mod:`socialcrm.privacy`).
    """

    kind: ClassVar[EventKind] = EventKind.INTERACTION
    type: str = field(converter=safe_line)
    network: str | None = field(default=None, converter=opt_safe_line)
    url: str | None = field(default=None, converter=opt_safe_line)
    note: str | None = field(default=None, converter=opt_safe_multi_line)
    inbound: bool = False


@frozen(repr=False, eq=False)
class MessageSent(Value):
    """A message the rep sent to the prospect."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_SENT
    text: str = field(converter=safe_multi_line)
    network: str | None = field(default=None, converter=opt_safe_line)
    channel: str | None = field(default=None, converter=opt_safe_line)


@frozen(repr=False, eq=False)
class MessageReceived(Value):
    """A message from the prospect: a reply."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_RECEIVED
    text: str = field(converter=safe_multi_line)
    network: str | None = field(default=None, converter=opt_safe_line)
    channel: str | None = field(default=None, converter=opt_safe_line)


@frozen(repr=False, eq=False)
class Note(Value):
    """A free note about the prospect."""

    kind: ClassVar[EventKind] = EventKind.NOTE
    text: str = field(converter=safe_multi_line)


@frozen(repr=False, eq=False)
class PointOfInterestSet(Value):
    """The point of interest was recorded or replaced."""

    kind: ClassVar[EventKind] = EventKind.POINT_OF_INTEREST_SET
    text: str = field(converter=safe_multi_line)
    url: str | None = field(default=None, converter=opt_safe_line)


@frozen(repr=False, eq=False)
class Assessed(Value):
    """The prospect was assessed against the ideal customer profile."""

    kind: ClassVar[EventKind] = EventKind.ASSESSED
    qualified: bool
    score: float | None = None
    threshold: float | None = None
    note: str | None = field(default=None, converter=opt_safe_multi_line)


@frozen(repr=False, eq=False)
class Imported(Value):
    """The prospect was created or updated from a file."""

    kind: ClassVar[EventKind] = EventKind.IMPORTED
    format: str = field(converter=safe_line)
    file: str | None = field(default=None, converter=opt_safe_line)
    row: int | None = None
    created: bool = True


@frozen(repr=False, eq=False)
class Merged(Value):
    """Another prospect was merged into this one; its events were re-pointed here."""

    kind: ClassVar[EventKind] = EventKind.MERGED
    other_id: str
    other_name: str = field(converter=safe_line)


@frozen(repr=False, eq=False)
class Edited(Value):
    """Fields changed: ``changes`` maps field name to ``[old, new]`` (JSON-able)."""

    kind: ClassVar[EventKind] = EventKind.EDITED
    changes: dict[str, list[Any]] = field(factory=dict, converter=safe_changes)


@frozen(repr=False, eq=False)
class SequenceEnrolled(Value):
    """The prospect entered a follow-up sequence (steps are derived from later messages)."""

    kind: ClassVar[EventKind] = EventKind.SEQUENCE_ENROLLED
    sequence: str = field(converter=safe_line)


@frozen(repr=False, eq=False)
class SequenceStopped(Value):
    """The rep took the prospect out of its sequence (a reply stops it implicitly)."""

    kind: ClassVar[EventKind] = EventKind.SEQUENCE_STOPPED
    sequence: str = field(converter=safe_line)
    reason: str | None = field(default=None, converter=opt_safe_line)


@frozen(repr=False, eq=False)
class NoticeGiven(Value):
    """The GDPR art. 14 information notice was given (with a message, or another way)."""

    kind: ClassVar[EventKind] = EventKind.NOTICE_GIVEN
    channel: str | None = field(default=None, converter=opt_safe_line)
    language: str | None = field(default=None, converter=opt_safe_line)
    with_message: bool = False


@frozen(repr=False, eq=False)
class Erased(Value):
    """The prospect and its whole history were erased (GDPR right to erasure).

    Never stored — nothing of the prospect is kept — but passed to ``on_event``
    (with ``prospect=None``) so a plugin syncing another CRM can erase it there too.
    """

    kind: ClassVar[EventKind] = EventKind.ERASED


Payload: TypeAlias = (
    Created
    | StageChanged
    | StatusChanged
    | Interaction
    | MessageSent
    | MessageReceived
    | Note
    | PointOfInterestSet
    | Assessed
    | Imported
    | Merged
    | Edited
    | SequenceEnrolled
    | SequenceStopped
    | NoticeGiven
    | Erased
)

PAYLOAD_TYPES: dict[EventKind, type[Any]] = {
    EventKind.CREATED: Created,
    EventKind.STAGE_CHANGED: StageChanged,
    EventKind.STATUS_CHANGED: StatusChanged,
    EventKind.INTERACTION: Interaction,
    EventKind.MESSAGE_SENT: MessageSent,
    EventKind.MESSAGE_RECEIVED: MessageReceived,
    EventKind.NOTE: Note,
    EventKind.POINT_OF_INTEREST_SET: PointOfInterestSet,
    EventKind.ASSESSED: Assessed,
    EventKind.IMPORTED: Imported,
    EventKind.MERGED: Merged,
    EventKind.EDITED: Edited,
    EventKind.SEQUENCE_ENROLLED: SequenceEnrolled,
    EventKind.SEQUENCE_STOPPED: SequenceStopped,
    EventKind.NOTICE_GIVEN: NoticeGiven,
    EventKind.ERASED: Erased,
}


@frozen(repr=False, eq=False)
class Event(Value):
    """One entry of a prospect's append-only history."""

    id: str = field(validator=safe_id)
    prospect_id: str = field(validator=safe_id)
    at: datetime = field(converter=utc)
    payload: Payload
    actor: str | None = field(default=None, converter=opt_safe_line)
    pipeline: str = field(default="default", converter=safe_line)

    @property
    def kind(self) -> EventKind:
        return self.payload.kind


@frozen(repr=False, eq=False)
class Pipeline(Value):
    """A named pipeline (e.g. one per offer) with its free-form settings.

    ``settings`` holds JSON-compatible values; features document the keys they
    read (e.g. the playbook's ICP and stage time limits).
    """

    name: str = field(converter=one_line)
    created_at: datetime = field(factory=lambda: datetime.now(UTC), converter=utc)
    description: str = field(default="", converter=one_line)
    settings: dict[str, Any] = field(factory=dict, converter=safe_settings)

    @name.validator
    def _valid_name(self, _attr: "attrs.Attribute[str]", value: str) -> None:
        if not value or any(c.isspace() and c != " " for c in value) or len(value) > 64:
            raise ValueError("a pipeline name is 1-64 characters without tabs or newlines")
