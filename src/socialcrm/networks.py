"""Networks: the adapter contract plugins implement, and the registry the CRM uses.

Each social network (LinkedIn, X, …) is a plugin that hands a
:class:`NetworkAdapter` to the ``register_networks`` hook.  The adapter turns a
profile URL or handle into a canonical :class:`~socialcrm.models.Identity`,
knows its message channels' length limits (as data, overridable because
networks change them) and the checklist of a seller's own profile.

:func:`check_profile_url` holds the safety checks every adapter must apply
before looking at a URL's path; :class:`BaseNetworkAdapter` applies them and
leaves only the network's path and handle rules to write.  What exports and
vCards need to know about a network is declared on it (:mod:`socialcrm.interchange`).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from socialcrm.errors import InvalidURLError, MessageTooLongError, NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.interchange import DEFAULT_ORDER, ExportColumn, check_declarations
from socialcrm.models import Identity
from socialcrm.profile_urls import check_profile_url, has_scheme, host_matches, reject_unsafe_text

__all__ = [
    "ID_PREFIX",
    "BaseNetworkAdapter",
    "Channel",
    "ChecklistItem",
    "ExportColumn",
    "NetworkAdapter",
    "NetworkRegistry",
    "account_id",
    "check_profile_url",
    "count_characters",
    "has_scheme",
    "host_matches",
    "match_handle",
    "path_segments",
    "profile_segment",
    "query_value",
    "reject_unsafe_text",
]

ID_PREFIX = "id:"
"""Prefix of a handle that is an opaque account id (``x:id:12345``), not a username."""

_NETWORK_ID = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")


@frozen
class Channel:
    """A way to write to someone on a network, with its length limit in characters."""

    id: str
    name: str
    limit: int
    note: str | None = None


@frozen
class ChecklistItem:
    """One element of a seller's own profile on a network, and why it matters."""

    id: str
    label: str
    why: str


@runtime_checkable
class NetworkAdapter(Protocol):
    """What a network plugin provides.  See ``docs/plugins.md``.

    Besides these members, an adapter may declare how its network appears in
    exports, vCards and spreadsheets (``export_order``, ``export_columns``,
    ``vcard_type``, ``vcard_service``, ``aliases``), how it counts a message
    (``text_length(text, channel) -> int``, default: user-perceived characters)
    and which handles are organisations' pages (``is_organisation(handle) ->
    bool``, default: none -- a LinkedIn company page is one); each is optional, with a
    default derived from ``id`` and ``name`` (:mod:`socialcrm.interchange`).
    :class:`BaseNetworkAdapter` has them as fields.
    """

    @property
    def id(self) -> str:
        """Short lower-case id used in identities and the CLI (``linkedin``)."""
        ...

    @property
    def name(self) -> str:
        """Display name (``LinkedIn``)."""
        ...

    @property
    def domains(self) -> tuple[str, ...]:
        """Registrable domains whose hosts (and subdomains) belong to the network."""
        ...

    @property
    def channels(self) -> Mapping[str, Channel]:
        """Message channels by id, with their default limits."""
        ...

    @property
    def checklist(self) -> Sequence[ChecklistItem]:
        """The seller-profile checklist (stage 1) for this network."""
        ...

    def parse(self, text: str) -> Identity:
        """Turn a profile URL or handle into a canonical identity.

        Raises :class:`~socialcrm.errors.InvalidURLError` for anything that is
        not a profile on this network: a person's, or an organisation's page
        the adapter declares (``is_organisation``).
        """
        ...

    def profile_url(self, handle: str) -> str:
        """The canonical profile URL of a canonical handle."""
        ...


def count_characters(text: str) -> int:
    """User-perceived characters (extended grapheme clusters).

    An emoji with a skin tone or a flag is one character for the person
    typing it, though several code points; networks count close to this.
    """
    import regex

    return len(regex.findall(r"\X", unicodedata.normalize("NFC", text)))


def path_segments(parts: urllib.parse.SplitResult) -> list[str]:
    """The non-empty path segments, percent-decoded (strictly) and NFC-normalised.

    Raises :class:`ValueError` on invalid UTF-8 or on a decoded segment holding
    a slash, whitespace or a control character (``%2F``, ``%0A``…).
    """
    segments = []
    for raw in parts.path.split("/"):
        if not raw:
            continue
        decoded = urllib.parse.unquote(raw, errors="strict")
        # Fast path (bulk imports): printable ASCII without slash, backslash or space.
        plain = decoded.isascii() and decoded.isprintable()
        plain = plain and "/" not in decoded and "\\" not in decoded and " " not in decoded
        if not plain and any(
            c in "/\\" or c.isspace() or unicodedata.category(c) in {"Cc", "Cf"} for c in decoded
        ):
            raise ValueError(f"unexpected character in path segment {raw!r}")
        segments.append(unicodedata.normalize("NFC", decoded))
    return segments


def match_handle(
    text: str, pattern: re.Pattern[str], rule: str, *, reserved: Collection[str] = ()
) -> str:
    """A bare handle in canonical form: one leading ``@`` dropped, NFC, case-folded.

    Raises :class:`ValueError` with ``rule`` when ``pattern`` does not match,
    or when the handle is one of the network's ``reserved`` path words.
    """
    handle = unicodedata.normalize("NFC", text.removeprefix("@").casefold())
    if not pattern.match(handle):
        raise ValueError(rule)
    if handle in reserved:
        raise ValueError(f"{handle!r} is one of the network's own pages, not an account")
    return handle


def account_id(digits: str, *, max_digits: int = 20) -> str:
    """The handle of a numeric account id: ``id:<digits>`` without leading zeros."""
    significant = digits.lstrip("0")
    if not digits.isascii() or not digits.isdigit() or len(significant) > max_digits:
        raise ValueError(f"an account id is 1 to {max_digits} digits")
    value = int(digits)
    if value == 0:
        raise ValueError("an account id cannot be 0")
    return f"{ID_PREFIX}{value}"


def query_value(parts: urllib.parse.SplitResult, name: str) -> str | None:
    """The value of query parameter ``name``; :class:`ValueError` if given twice differently."""
    values = set(urllib.parse.parse_qs(parts.query).get(name, []))
    if len(values) > 1:
        raise ValueError(f"conflicting {name!r} parameters")
    return values.pop() if values else None


def profile_segment(segments: Sequence[str], tabs: Collection[str] = ()) -> str | None:
    """The account segment of ``/<account>`` or ``/<account>/<tab>`` paths, else ``None``."""
    if len(segments) == 1 or (len(segments) == 2 and segments[1].lower() in tabs):
        return segments[0]
    return None


def _domains(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(d.lower().strip(".") for d in values)


def _checklist(values: Iterable[ChecklistItem]) -> tuple[ChecklistItem, ...]:
    return tuple(values)


def _aliases(values: Iterable[str] | str) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else tuple(values)


def _column_map(
    columns: Mapping[str, ExportColumn | None],
) -> Mapping[str, ExportColumn | None]:
    return dict(columns)


def _channel_map(channels: Iterable[Channel] | Mapping[str, Channel]) -> Mapping[str, Channel]:
    if isinstance(channels, Mapping):
        return dict(channels)
    return {c.id: c for c in channels}


@frozen(kw_only=True)
class BaseNetworkAdapter:
    """A reusable :class:`NetworkAdapter`: data fields plus a safe ``parse`` template.

    Subclasses write only the network rules: :meth:`handle_from_url` (read a
    handle from an already safety-checked URL), :meth:`handle_from_text`
    (validate a bare handle) and :meth:`profile_url`.  :meth:`parse` applies
    :func:`check_profile_url` to anything that looks like a URL, so no network
    can forget a safety check.
    """

    id: str
    name: str
    domains: tuple[str, ...] = field(converter=_domains)
    channels: Mapping[str, Channel] = field(converter=_channel_map)
    checklist: tuple[ChecklistItem, ...] = field(converter=_checklist)
    handle_example: str = ""
    export_order: int = DEFAULT_ORDER
    export_columns: Mapping[str, ExportColumn | None] = field(factory=dict, converter=_column_map)
    vcard_type: str | None = None
    vcard_service: str | None = None
    aliases: tuple[str, ...] = field(default=(), converter=_aliases)

    def looks_like_url(self, text: str) -> bool:
        """Whether ``text`` is meant as a URL rather than a bare handle."""
        if text.lower().startswith(ID_PREFIX):
            return False
        head = text.split("/", 1)[0]
        return "/" in text or "\\" in text or has_scheme(text) or host_matches(head, self.domains)

    def parse(self, text: str) -> Identity:
        """A canonical identity from a profile URL or a bare handle (see the class doc)."""
        reject_unsafe_text(text, network=self.id)
        if self.looks_like_url(text):
            parts = check_profile_url(text, self.domains, network=self.id)
            try:
                handle = self.handle_from_url(parts)
            except ValueError as exc:
                raise InvalidURLError(text, str(exc), network=self.id) from None
        else:
            try:
                handle = self.handle_from_text(text)
            except ValueError as exc:
                hint = f" (e.g. {self.id}:{self.handle_example})" if self.handle_example else ""
                raise InvalidURLError(text, f"{exc}{hint}", network=self.id) from None
        return Identity(self.id, handle, self.profile_url(handle))

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        """The canonical handle in a URL already checked by :func:`check_profile_url`.

        Raise :class:`ValueError` with a readable reason for anything that is
        not a person's profile.
        """
        raise NotImplementedError

    def handle_from_text(self, text: str) -> str:
        """The canonical handle of a bare handle (``@name``, ``name``, ``id:123``).

        Raise :class:`ValueError` with a readable reason when it is invalid.
        """
        raise NotImplementedError

    def profile_url(self, handle: str) -> str:
        """The canonical profile URL of a canonical handle."""
        raise NotImplementedError


class NetworkRegistry:
    """The adapters registered by plugins, plus configured channel limits.

    ``limit_overrides`` maps ``"network.channel"`` to a limit that replaces the
    adapter's default (persisted per store by :meth:`CRM.set_channel_limit`).
    """

    def __init__(
        self,
        adapters: Sequence[NetworkAdapter] = (),
        *,
        limit_overrides: Mapping[str, int] | None = None,
    ) -> None:
        self._adapters: dict[str, NetworkAdapter] = {}
        self.limit_overrides: dict[str, int] = dict(limit_overrides or {})
        for adapter in adapters:
            self.register(adapter)

    def register(self, adapter: NetworkAdapter) -> None:
        """Add an adapter; the first registered for an id wins (plugins before defaults).

        Raises :class:`TypeError` for an object that is not a
        :class:`NetworkAdapter`, whose id is not a lower-case name or whose
        export declarations are unusable (:func:`~socialcrm.interchange.check_declarations`),
        so the faulty plugin is reported by name.
        """
        if not isinstance(adapter, NetworkAdapter):
            raise TypeError(f"{adapter!r} is not a NetworkAdapter")
        if not isinstance(adapter.id, str) or not _NETWORK_ID.match(adapter.id):
            raise TypeError(f"invalid network id {adapter.id!r} (lower-case letters, digits, _-)")
        check_declarations(adapter)
        self._adapters.setdefault(adapter.id, adapter)

    def __iter__(self) -> Iterator[NetworkAdapter]:
        return iter(sorted(self._adapters.values(), key=lambda a: a.id))

    def __len__(self) -> int:
        return len(self._adapters)

    def __contains__(self, network_id: object) -> bool:
        return network_id in self._adapters

    def get(self, network_id: str) -> NetworkAdapter:
        """The adapter of ``network_id`` (case-insensitive); :class:`NotFoundError` if none."""
        adapter = self._adapters.get(network_id.strip().lower())
        if adapter is None:
            known = ", ".join(sorted(self._adapters)) or "none installed"
            hint = _("known networks: {known}").format(known=known)
            raise NotFoundError(network_id, what="network", hint=hint)
        return adapter

    def parse(self, text: str, *, network: str | None = None) -> Identity:
        """Identity from a profile URL, ``network:handle``, or a handle with ``network``.

        Surrounding whitespace is ignored (pasted text); anything else is the
        adapter's job.  A URL goes to the adapter whose domains hold its host.
        """
        text = text.strip()
        if network is not None:
            return self.get(network).parse(text)
        head, sep, rest = text.partition(":")
        if sep and head.lower() in self._adapters and not rest.startswith("//"):
            return self._adapters[head.lower()].parse(rest)
        reject_unsafe_text(text)
        if not (has_scheme(text) or "/" in text or "\\" in text or "." in text.split("/")[0]):
            known = ", ".join(sorted(self._adapters)) or "none installed"
            hint = _(
                "not a URL; write a handle as network:handle, e.g. x:jdupont (networks: {known})"
            )
            raise InvalidURLError(text, hint.format(known=known))
        for adapter in self._adapters.values():
            try:
                check_profile_url(text, adapter.domains, network=adapter.id)
            except InvalidURLError:
                continue
            return adapter.parse(text)
        if not self._adapters:
            raise InvalidURLError(text, _("no network plugin is installed"))
        # Let the safety checks give the precise reason (scheme, user-info, port…).
        reason = _("no installed network recognises this host")
        try:
            check_profile_url(text, (), any_host=True)
        except InvalidURLError as exc:
            reason = exc.reason
        raise InvalidURLError(text, reason)

    def is_organisation(self, identity: Identity) -> bool:
        """Whether ``identity`` is an organisation's page (its adapter's
        ``is_organisation(handle)``, optional: without it, never)."""
        adapter = self._adapters.get(identity.network)
        check = getattr(adapter, "is_organisation", None)
        return bool(check(identity.handle)) if callable(check) else False

    def network_of_url(self, url: str) -> str | None:
        """The network whose domains hold ``url``'s host — any page of it (a post, a
        video), not only a profile; ``None`` when no installed network claims it."""
        try:
            host = (urllib.parse.urlsplit(url.strip()).hostname or "").lower()
        except ValueError:
            return None
        if not host:
            return None
        for adapter in self._adapters.values():
            if host_matches(host, adapter.domains):
                return adapter.id
        return None

    def channel(self, network: str, channel: str) -> Channel:
        """A channel with its limit, configuration overrides applied."""
        adapter = self.get(network)
        found = adapter.channels.get(channel)
        if found is None:
            known = ", ".join(sorted(adapter.channels)) or "none"
            raise ValidationError(
                _("{name} has no channel {channel!r}").format(name=adapter.name, channel=channel),
                field="channel",
                value=channel,
                hint=_("channels: {known}").format(known=known),
            )
        override = self.limit_overrides.get(f"{adapter.id}.{channel}")
        if override is not None:
            return Channel(found.id, found.name, override, found.note)
        return found

    def check_message(self, network: str, channel: str, text: str) -> int:
        """Count ``text`` and raise :class:`MessageTooLongError` over the limit."""
        target = self.channel(network, channel)
        counter = getattr(self.get(network), "text_length", None)
        length = int(counter(text, channel)) if callable(counter) else count_characters(text)
        if length > target.limit:
            raise MessageTooLongError(
                network=self.get(network).id, channel=channel, limit=target.limit, length=length
            )
        return length
