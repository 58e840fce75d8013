"""Value objects of the pipeline: prospects, identities, events, pipelines.

All models are frozen attrs classes: a change is a new value made with
:func:`attrs.evolve`, so a model handed to a plugin or a host application can
never be mutated behind the CRM's back.  Text is normalised to Unicode NFC on
the way in so that "é" typed on macOS and on Windows is the same name.
Models know nothing about storage, JSON or the CLI.

Every text field also drops the characters a terminal would obey (control
characters, bidirectional overrides: see :mod:`socialcrm.text`) whatever
path built the model -- the CRM facade refuses them when typed, but files,
plugins and host applications build models too.  A one-line field (a name,
a tag) turns a line break into a space; a multi-line text (notes, messages,
the point of interest) keeps its line breaks and tabs.

Annotations here are evaluated when the module loads (no ``from __future__
import annotations``): the fields' types are then real objects, so the store's
codec reads them from :func:`attrs.fields` instead of compiling and evaluating
one string per field in every CLI process.  The few forward references are quoted.
"""

import enum
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeAlias

import attrs
from attrs import field, frozen

from socialcrm.stages import Stage, Status
from socialcrm.text import clean, is_safe
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
    "Payload",
    "Pipeline",
    "PointOfInterest",
    "PointOfInterestSet",
    "ProblemRecord",
    "Prospect",
    "SequenceEnrolled",
    "SequenceStopped",
    "Source",
    "StageChanged",
    "StatusChanged",
    "nfc",
]


def nfc(value: str) -> str:
    """Normalise text to NFC and strip surrounding whitespace."""
    return unicodedata.normalize("NFC", value).strip()


def _line(value: str) -> str:
    """A one-line field: safe (see :func:`socialcrm.text.clean`), NFC, stripped."""
    return unicodedata.normalize("NFC", clean(value)).strip()


def _opt_line(value: str | None) -> str | None:
    if value is None:
        return None
    text = _line(value)
    return text or None


def _text(value: str) -> str:
    """A multi-line text: safe, line breaks and tabs kept, NFC, stripped."""
    return unicodedata.normalize("NFC", clean(value, multiline=True)).strip()


def _opt_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = _text(value)
    return text or None


def _safe(value: str) -> str:
    """An event's one-line value: only made safe (events keep text as it was given)."""
    return clean(value)


def _opt_safe(value: str | None) -> str | None:
    return None if value is None else clean(value)


def _safe_text(value: str) -> str:
    """An event's multi-line text (a message, a note): only made safe."""
    return clean(value, multiline=True)


def _opt_safe_text(value: str | None) -> str | None:
    return None if value is None else clean(value, multiline=True)


def _safe_json(value: Any) -> Any:
    """Every text of a JSON-like value made safe (keys as one line; values may be multi-line)."""
    if isinstance(value, str):
        return clean(value, multiline=True)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: _safe_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_safe_json(v) for v in value]
    return value


def _safe_changes(values: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    return {clean(k): [_safe_json(v) for v in pair] for k, pair in values.items()}


def _safe_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    return {clean(k): _safe_json(v) for k, v in values.items()}


def _safe_id(_instance: Any, attribute: "attrs.Attribute[str]", value: str) -> None:
    """Ids are refused, never changed, when unsafe: two ids must not become one."""
    if not is_safe(value):
        raise ValueError(f"{attribute.name} {value!r} holds a control or bidi character")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    return value.astimezone(UTC)


def _opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _network_id(value: str) -> str:
    return _line(value).lower()


def _identity_tuple(values: Iterable["Identity"]) -> tuple["Identity", ...]:
    return tuple(values)


def _problem_tuple(values: Iterable["ProblemRecord"]) -> tuple["ProblemRecord", ...]:
    return tuple(values)


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """Unique, order-preserving, NFC, empty strings dropped."""
    seen: dict[str, None] = {}
    for v in values:
        text = _line(v)
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags are case-insensitive labels: stored lower-case, sorted, unique."""
    return tuple(sorted({tag for tag in (_line(v).casefold() for v in values) if tag}))


def _custom(values: Mapping[str, str]) -> dict[str, str]:
    return {_line(k): _line(v) for k, v in sorted(values.items()) if _line(k)}


class LawfulBasis(enum.StrEnum):
    """GDPR article 6 basis under which a prospect's data is processed."""

    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTEREST = "vital_interest"
    PUBLIC_TASK = "public_task"


@frozen(repr=False, eq=False)
class Identity(Value):
    """A prospect's account on one network.

    ``handle`` is in the network's canonical form (as produced by its
    adapter), so two identities are the same person iff their keys are equal.
    """

    network: str = field(converter=_network_id)
    handle: str = field(converter=_line)
    url: str = field(converter=_line)

    @property
    def key(self) -> str:
        """``network:handle`` — the uniqueness key within a pipeline."""
        return f"{self.network}:{self.handle}"

    def __str__(self) -> str:
        return self.key


@frozen(repr=False, eq=False)
class Source(Value):
    """Where and when a prospect's data was collected (GDPR art. 14 information)."""

    network: str | None = field(default=None, converter=_opt_line)
    url: str | None = field(default=None, converter=_opt_line)
    collected_at: datetime | None = field(default=None, converter=_opt_utc)
    note: str | None = field(default=None, converter=_opt_line)


@frozen(repr=False, eq=False)
class PointOfInterest(Value):
    """What the prospect shared or reacted to: the hook of the first message."""

    text: str = field(converter=_text)
    url: str | None = field(default=None, converter=_opt_line)
    at: datetime | None = field(default=None, converter=_opt_utc)

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
    note: str | None = field(default=None, converter=_opt_text)
    at: datetime | None = field(default=None, converter=_opt_utc)


# Not slotted, unlike the other models: the store rebuilds prospects by the
# thousand (``list``), and a __dict__ is filled in one C-level update where slots
# need one setattr per field (see socialcrm.fast_codec); ~300 more bytes each.
@frozen(repr=False, eq=False, slots=False)
class Prospect(Value):
    """A person the rep is working, and where they stand in the journey."""

    id: str = field(validator=_safe_id)
    name: str = field(converter=_line)
    pipeline: str = field(default="default", converter=_line)
    first_name: str | None = field(default=None, converter=_opt_line)
    last_name: str | None = field(default=None, converter=_opt_line)
    title: str | None = field(default=None, converter=_opt_line)
    company: str | None = field(default=None, converter=_opt_line)
    sector: str | None = field(default=None, converter=_opt_line)
    company_size: int | None = None
    location: str | None = field(default=None, converter=_opt_line)
    emails: tuple[str, ...] = field(default=(), converter=_str_tuple)
    phones: tuple[str, ...] = field(default=(), converter=_str_tuple)
    identities: tuple[Identity, ...] = field(default=(), converter=_identity_tuple)
    tags: tuple[str, ...] = field(default=(), converter=_tags)
    notes: str = field(default="", converter=_text)
    custom: dict[str, str] = field(factory=dict, converter=_custom)
    stage: Stage = Stage.PROFILE
    status: Status = Status.OPEN
    lost_reason: str | None = field(default=None, converter=_opt_line)
    point_of_interest: PointOfInterest | None = None
    assessment: Assessment | None = None
    owner: str | None = field(default=None, converter=_opt_line)
    source: Source | None = None
    lawful_basis: LawfulBasis = LawfulBasis.LEGITIMATE_INTEREST
    created_at: datetime = field(factory=lambda: datetime.now(UTC), converter=_utc)
    updated_at: datetime = field(factory=lambda: datetime.now(UTC), converter=_utc)

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

    rule: str = field(converter=_safe)
    message: str = field(converter=_safe_text)
    fix: str | None = field(default=None, converter=_opt_safe_text)


@frozen(repr=False, eq=False)
class StageChanged(Value):
    """A move between stages; ``overridden`` lists the problems a forced move ignored."""

    kind: ClassVar[EventKind] = EventKind.STAGE_CHANGED
    from_stage: Stage
    to_stage: Stage
    forced: bool = False
    reason: str | None = field(default=None, converter=_opt_safe)
    overridden: tuple[ProblemRecord, ...] = field(default=(), converter=_problem_tuple)


@frozen(repr=False, eq=False)
class StatusChanged(Value):
    """An outcome: won, lost (with a reason) or reopened."""

    kind: ClassVar[EventKind] = EventKind.STATUS_CHANGED
    from_status: Status
    to_status: Status
    reason: str | None = field(default=None, converter=_opt_safe)
    forced: bool = False


@frozen(repr=False, eq=False)
class Interaction(Value):
    """A notoriety signal: like, comment, share, follow, mention, view, group, event…"""

    kind: ClassVar[EventKind] = EventKind.INTERACTION
    type: str = field(converter=_safe)
    network: str | None = field(default=None, converter=_opt_safe)
    url: str | None = field(default=None, converter=_opt_safe)
    note: str | None = field(default=None, converter=_opt_safe_text)


@frozen(repr=False, eq=False)
class MessageSent(Value):
    """A message the rep sent to the prospect."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_SENT
    text: str = field(converter=_safe_text)
    network: str | None = field(default=None, converter=_opt_safe)
    channel: str | None = field(default=None, converter=_opt_safe)


@frozen(repr=False, eq=False)
class MessageReceived(Value):
    """A message from the prospect: a reply."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_RECEIVED
    text: str = field(converter=_safe_text)
    network: str | None = field(default=None, converter=_opt_safe)
    channel: str | None = field(default=None, converter=_opt_safe)


@frozen(repr=False, eq=False)
class Note(Value):
    """A free note about the prospect."""

    kind: ClassVar[EventKind] = EventKind.NOTE
    text: str = field(converter=_safe_text)


@frozen(repr=False, eq=False)
class PointOfInterestSet(Value):
    """The point of interest was recorded or replaced."""

    kind: ClassVar[EventKind] = EventKind.POINT_OF_INTEREST_SET
    text: str = field(converter=_safe_text)
    url: str | None = field(default=None, converter=_opt_safe)


@frozen(repr=False, eq=False)
class Assessed(Value):
    """The prospect was assessed against the ideal customer profile."""

    kind: ClassVar[EventKind] = EventKind.ASSESSED
    qualified: bool
    score: float | None = None
    threshold: float | None = None
    note: str | None = field(default=None, converter=_opt_safe_text)


@frozen(repr=False, eq=False)
class Imported(Value):
    """The prospect was created or updated from a file."""

    kind: ClassVar[EventKind] = EventKind.IMPORTED
    format: str = field(converter=_safe)
    file: str | None = field(default=None, converter=_opt_safe)
    row: int | None = None
    created: bool = True


@frozen(repr=False, eq=False)
class Merged(Value):
    """Another prospect was merged into this one; its events were re-pointed here."""

    kind: ClassVar[EventKind] = EventKind.MERGED
    other_id: str
    other_name: str = field(converter=_safe)


@frozen(repr=False, eq=False)
class Edited(Value):
    """Fields changed: ``changes`` maps field name to ``[old, new]`` (JSON-able)."""

    kind: ClassVar[EventKind] = EventKind.EDITED
    changes: dict[str, list[Any]] = field(factory=dict, converter=_safe_changes)


@frozen(repr=False, eq=False)
class SequenceEnrolled(Value):
    """The prospect entered a follow-up sequence (steps are derived from later messages)."""

    kind: ClassVar[EventKind] = EventKind.SEQUENCE_ENROLLED
    sequence: str = field(converter=_safe)


@frozen(repr=False, eq=False)
class SequenceStopped(Value):
    """The rep took the prospect out of its sequence (a reply stops it implicitly)."""

    kind: ClassVar[EventKind] = EventKind.SEQUENCE_STOPPED
    sequence: str = field(converter=_safe)
    reason: str | None = field(default=None, converter=_opt_safe)


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
    EventKind.ERASED: Erased,
}


@frozen(repr=False, eq=False)
class Event(Value):
    """One entry of a prospect's append-only history."""

    id: str = field(validator=_safe_id)
    prospect_id: str = field(validator=_safe_id)
    at: datetime = field(converter=_utc)
    payload: Payload
    actor: str | None = field(default=None, converter=_opt_safe)
    pipeline: str = field(default="default", converter=_safe)

    @property
    def kind(self) -> EventKind:
        return self.payload.kind


@frozen(repr=False, eq=False)
class Pipeline(Value):
    """A named pipeline (e.g. one per offer) with its free-form settings.

    ``settings`` holds JSON-compatible values; features document the keys they
    read (e.g. the playbook's ICP and stage time limits).
    """

    name: str = field(converter=_line)
    created_at: datetime = field(factory=lambda: datetime.now(UTC), converter=_utc)
    description: str = field(default="", converter=_line)
    settings: dict[str, Any] = field(factory=dict, converter=_safe_settings)

    @name.validator
    def _valid_name(self, _attr: "attrs.Attribute[str]", value: str) -> None:
        if not value or any(c.isspace() and c != " " for c in value) or len(value) > 64:
            raise ValueError("a pipeline name is 1-64 characters without tabs or newlines")
