"""The one exception hierarchy of socialcrm.

Every error a caller can act on derives from :class:`SocialCRMError` and carries
the context needed to explain it (which prospect, which field, which file…) as
attributes, so the CLI can print one clear line and a host application can react
programmatically without parsing messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

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


class NotFoundError(SocialCRMError):
    """A reference (id, e-mail, URL, handle, pipeline name) matched nothing."""

    def __init__(self, ref: str, *, what: str = "prospect", hint: str | None = None) -> None:
        super().__init__(f"no {what} matches {ref!r}", hint=hint, ref=ref, what=what)
        self.ref = ref
        self.what = what


class AmbiguousReferenceError(SocialCRMError):
    """A reference matched several prospects; ``candidates`` lists (id, name) pairs."""

    def __init__(self, ref: str, candidates: Sequence[tuple[str, str]]) -> None:
        listed = ", ".join(f"{pid} ({name})" for pid, name in candidates)
        super().__init__(
            f"{ref!r} matches {len(candidates)} prospects: {listed}",
            hint="use a longer id prefix, an e-mail or a profile URL",
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
        where = f" for {network}" if network else ""
        super().__init__(
            f"invalid profile URL or handle{where}: {url!r}: {reason}",
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
            f"message is {length} characters, {length - limit} over the {limit}-character "
            f"limit of {network} {channel}",
            field="text",
            hint=f"shorten it by {length - limit} characters",
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
            message = f"{field} holds {count:,} values, over the cap of {limit:,}"
        else:
            message = f"{field} is longer than the cap of {limit:,} characters ({count:,})"
        super().__init__(
            message,
            field=field,
            hint="see 'Limits' in docs/model.md",
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
        owned = f" (owned by {rep})" if rep else ""
        super().__init__(
            f"identity {identity_key} already belongs to prospect {owner_id}{owned} "
            f"in pipeline {pipeline!r}",
            field="identities",
            value=identity_key,
            hint=f"it is {rep}'s prospect: ask them, or have it assigned to you"
            if rep
            else "edit that prospect instead, or merge the two",
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


class TransitionRefusedError(SocialCRMError):
    """A move refused by exit criteria; ``problems`` explains each failed rule."""

    def __init__(
        self, *, prospect_id: str, from_stage: str, to_stage: str, problems: Sequence[Unmet]
    ) -> None:
        super().__init__(
            f"cannot move {prospect_id} from {from_stage} to {to_stage}: "
            f"{len(problems)} exit criteria not met",
            hint="fix the problems listed, or use force to override them",
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
            f"plugin {plugin!r} failed in {hook}: {error}",
            hint=f"update it, or disable it with SOCIALCRM_DISABLE_PLUGINS={plugin}",
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
            f"store {path} is busy: could not acquire lock {lock_path} within {timeout:g}s",
            path=path,
            hint="another socialcrm process is writing; retry, or raise SOCIALCRM_LOCK_TIMEOUT",
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
            f"store file {path} is unreadable: {detail}",
            path=path,
            hint=hint
            or "the file was left as it is; run 'socialcrm doctor' then 'socialcrm restore'",
        )
        self.detail = detail


class SchemaVersionError(StoreError):
    """The store was written by a newer socialcrm; it is left untouched."""

    def __init__(self, *, path: str, found: int, supported: int) -> None:
        super().__init__(
            f"store {path} has schema version {found}, this socialcrm supports up to {supported}",
            path=path,
            hint="upgrade socialcrm; the file was not modified",
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
        where = path if row is None else f"{path}, row {row}"
        super().__init__(f"{where}: {message}", field=field, hint=hint)
        self.path = path
        self.row = row


class SuppressedError(SocialCRMError):
    """The person objected or was erased: one of their identifiers is suppressed.

    The message never names the person, only which kind of identifier matched.
    """

    def __init__(self, kinds: Sequence[str]) -> None:
        super().__init__(
            f"refused: this person is on the suppression list ({', '.join(kinds)})",
            hint="they objected or were erased; 'socialcrm privacy unsuppress' only if "
            "they came back to you themselves",
        )
        self.kinds = list(kinds)
