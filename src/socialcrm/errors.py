"""The one exception hierarchy of socialcrm.

Every error a caller can act on derives from :class:`SocialCRMError` and carries
the context needed to explain it (which prospect, which field, which file…) as
attributes, so the CLI can print one clear line and a host application can react
programmatically without parsing messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from socialcrm.i18n import N_
from socialcrm.i18n import ntext as ngettext
from socialcrm.i18n import text as _

__all__ = [
    "AmbiguousReferenceError",
    "DuplicateIdentityError",
    "ImportFormatError",
    "InvalidTransitionError",
    "InvalidURLError",
    "LimitExceededError",
    "MessageTooLongError",
    "NotFoundError",
    "PluginError",
    "SchemaVersionError",
    "SocialCRMError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "SuppressedError",
    "TransitionRefusedError",
    "Unmet",
    "ValidationError",
]


class SocialCRMError(Exception):
    """Base class: a problem the user or the host application can fix.

    ``hint`` says what to do about it; the CLI prints ``message`` then the hint.
    """

    def __init__(self, message: str, *, hint: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.context: dict[str, Any] = context

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


_NOT_FOUND = {
    "prospect": N_("no prospect matches {ref!r}"),
    "pipeline": N_("no pipeline matches {ref!r}"),
    "network": N_("no network matches {ref!r}"),
    "note": N_("no note matches {ref!r}"),
    "sequence": N_("no sequence matches {ref!r}"),
    "store": N_("no store matches {ref!r}"),
    "template": N_("no template matches {ref!r}"),
}
"""What a :class:`NotFoundError` can name, each as a whole sentence to translate."""


class NotFoundError(SocialCRMError):
    """A reference (id, e-mail, URL, handle, pipeline name) matched nothing."""

    def __init__(self, ref: str, *, what: str = "prospect", hint: str | None = None) -> None:
        known = _NOT_FOUND.get(what)
        message = (
            _(known).format(ref=ref)
            if known  # a kind of the library's own: its whole sentence, translated
            else _("nothing matches {ref!r} (kind: {what})").format(what=what, ref=ref)
        )
        super().__init__(message, hint=hint, ref=ref, what=what)
        self.ref = ref
        self.what = what


class AmbiguousReferenceError(SocialCRMError):
    """A reference matched several prospects; ``candidates`` lists (id, name) pairs."""

    def __init__(self, ref: str, candidates: Sequence[tuple[str, str]]) -> None:
        listed = ", ".join(f"{pid} ({name})" for pid, name in candidates)
        super().__init__(
            _("{ref!r} matches {count} prospects: {listed}").format(
                ref=ref, count=len(candidates), listed=listed
            ),
            hint=_("use a longer id prefix, an e-mail or a profile URL"),
            ref=ref,
            candidates=list(candidates),
        )
        self.ref = ref
        self.candidates = list(candidates)


class ValidationError(SocialCRMError):
    """Input that cannot be accepted: names the field (and value) at fault."""

    def __init__(
        self, message: str, *, field: str | None = None, value: Any = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint, field=field, value=value)
        self.field = field
        self.value = value


class InvalidURLError(ValidationError):
    """A profile URL or handle that no network accepts, or a hostile URL."""

    def __init__(self, url: str, reason: str, *, network: str | None = None) -> None:
        message = (
            _("invalid profile URL or handle for {network}: {url!r}: {reason}")
            if network
            else _("invalid profile URL or handle: {url!r}: {reason}")
        )
        super().__init__(
            message.format(network=network, url=url, reason=reason),
            field="url",
            value=url,
        )
        self.url = url
        self.reason = reason
        self.network = network


class MessageTooLongError(ValidationError):
    """A message exceeds the length limit of the network channel it targets."""

    def __init__(self, *, network: str, channel: str, limit: int, length: int) -> None:
        super().__init__(
            _(
                "message is {length} characters, {over} over the {limit}-character "
                "limit of {network} {channel}"
            ).format(
                length=length, over=length - limit, limit=limit, network=network, channel=channel
            ),
            field="text",
            hint=_("shorten it by {over} characters").format(over=length - limit),
        )
        self.network = network
        self.channel = channel
        self.limit = limit
        self.length = length


class LimitExceededError(ValidationError):
    """A prospect or event over one of the caps of :mod:`socialcrm.limits`.

    ``count`` is how many values (``unit`` ``"values"``) or characters
    (``"characters"``) ``field`` holds; ``limit`` the cap.
    """

    def __init__(self, *, field: str, count: int, limit: int, unit: str) -> None:
        if unit == "values":
            message = _("{field} holds {count:,} values, over the cap of {limit:,}")
        else:
            message = _("{field} is longer than the cap of {limit:,} characters ({count:,})")
        super().__init__(
            message.format(field=field, count=count, limit=limit),
            field=field,
            hint=_("see 'Limits' in docs/model.md"),
        )
        self.count = count
        self.limit = limit
        self.unit = unit


class DuplicateIdentityError(ValidationError):
    """A network identity already belongs to another prospect of the pipeline."""

    def __init__(
        self, identity_key: str, owner_id: str, pipeline: str, *, rep: str | None = None
    ) -> None:
        # ``rep``: who owns that prospect, when known (in a team, whom to ask)
        message = (
            _(
                "identity {identity} already belongs to prospect {owner} (owned by {rep}) "
                "in pipeline {pipeline!r}"
            )
            if rep
            else _(
                "identity {identity} already belongs to prospect {owner} in pipeline {pipeline!r}"
            )
        )
        super().__init__(
            message.format(identity=identity_key, owner=owner_id, rep=rep, pipeline=pipeline),
            field="identities",
            value=identity_key,
            hint=_("it is {rep}'s prospect: ask them, or have it assigned to you").format(rep=rep)
            if rep
            else _("edit that prospect instead, or merge the two"),
        )
        self.identity_key = identity_key
        self.owner_id = owner_id
        self.pipeline = pipeline
        self.rep = rep


class InvalidTransitionError(SocialCRMError):
    """A stage or status change that the stage machine never allows (e.g. won from CONTACT)."""

    def __init__(self, message: str, *, prospect_id: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, prospect_id=prospect_id)
        self.prospect_id = prospect_id


class Unmet(Protocol):
    """An unmet exit criterion as a refusal lists it (a :class:`~socialcrm.rules.Problem`).

    A protocol, so this module, which every other one imports, imports none of them.
    """

    @property
    def rule(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def fix(self) -> str | None: ...


STAGE_NAMES = {
    "profile": N_("profile"),
    "identify": N_("identify"),
    "notoriety": N_("notoriety"),
    "contact": N_("contact"),
    "convert": N_("convert"),
}
"""Stage names as a refusal shows them (the stored names are English, and this module
imports no other one)."""


class TransitionRefusedError(SocialCRMError):
    """A move refused by exit criteria; ``problems`` explains each failed rule."""

    def __init__(
        self, *, prospect_id: str, from_stage: str, to_stage: str, problems: Sequence[Unmet]
    ) -> None:
        super().__init__(
            ngettext(
                "cannot move {id} from {source} to {target}: {count} exit criteria not met",
                "cannot move {id} from {source} to {target}: {count} exit criteria not met",
                len(problems),
            ).format(
                id=prospect_id,
                source=_(STAGE_NAMES.get(from_stage, from_stage)),
                target=_(STAGE_NAMES.get(to_stage, to_stage)),
                count=len(problems),
            ),
            hint=_("fix the problems listed, or use force to override them"),
            prospect_id=prospect_id,
            from_stage=from_stage,
            to_stage=to_stage,
        )
        self.prospect_id = prospect_id
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.problems = list(problems)


class PluginError(SocialCRMError):
    """A plugin failed to load or raised in a hook."""

    def __init__(self, plugin: str, hook: str, error: BaseException | str) -> None:
        super().__init__(
            _("plugin {plugin!r} failed in {hook}: {error}").format(
                plugin=plugin, hook=hook, error=error
            ),
            hint=_("update it, or disable it with SOCIALCRM_DISABLE_PLUGINS={plugin}").format(
                plugin=plugin
            ),
            plugin=plugin,
            hook=hook,
        )
        self.plugin = plugin
        self.hook = hook
        self.error = error


class StoreError(SocialCRMError):
    """The store cannot be opened, read or written; ``path`` names the file."""

    def __init__(self, message: str, *, path: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, path=path)
        self.path = path


class StoreLockedError(StoreError):
    """Another process held the store's lock longer than the timeout."""

    def __init__(self, *, path: str, lock_path: str, timeout: float) -> None:
        super().__init__(
            _(
                "store {path} is busy: could not acquire lock {lock_path} within {timeout:g}s"
            ).format(path=path, lock_path=lock_path, timeout=timeout),
            path=path,
            hint=_("another socialcrm process is writing; retry, or raise SOCIALCRM_LOCK_TIMEOUT"),
        )
        self.lock_path = lock_path
        self.timeout = timeout


class StoreCorruptError(StoreError):
    """A store file is unreadable; it is left untouched.

    ``hint`` replaces the default advice where that would be wrong (a damaged
    backup must not send the user back to ``restore`` it).
    """

    def __init__(self, *, path: str, detail: str, hint: str | None = None) -> None:
        super().__init__(
            _("store file {path} is unreadable: {detail}").format(path=path, detail=detail),
            path=path,
            hint=hint
            or _("the file was left as it is; run 'socialcrm doctor' then 'socialcrm restore'"),
        )
        self.detail = detail


class SchemaVersionError(StoreError):
    """The store was written by a newer socialcrm; it is left untouched."""

    def __init__(self, *, path: str, found: int, supported: int) -> None:
        super().__init__(
            _(
                "store {path} has schema version {found}, this socialcrm supports up to {supported}"
            ).format(path=path, found=found, supported=supported),
            path=path,
            hint=_("upgrade socialcrm; the file was not modified"),
        )
        self.found = found
        self.supported = supported


class ImportFormatError(ValidationError):
    """An import file that cannot be read; names the file, row and field."""

    def __init__(
        self,
        message: str,
        *,
        path: str,
        row: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = path if row is None else _("{path}, row {row}").format(path=path, row=row)
        super().__init__(
            _("{where}: {message}").format(where=where, message=message), field=field, hint=hint
        )
        self.path = path
        self.row = row


class SuppressedError(SocialCRMError):
    """The person objected or was erased: one of their identifiers is suppressed.

    The message never names the person, only which kind of identifier matched.
    """

    def __init__(self, kinds: Sequence[str]) -> None:
        super().__init__(
            _("refused: this person is on the suppression list ({kinds})").format(
                kinds=", ".join(kinds)
            ),
            hint=_(
                "they objected or were erased; 'socialcrm privacy unsuppress' only if "
                "they came back to you themselves"
            ),
        )
        self.kinds = list(kinds)
