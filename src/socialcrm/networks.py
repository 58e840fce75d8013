"""Networks: the adapter contract plugins implement, and the registry the CRM uses.

Each social network (LinkedIn, X, …) is a plugin that hands a
:class:`NetworkAdapter` to the ``register_networks`` hook.  The adapter turns a
profile URL or handle into a canonical :class:`~socialcrm.models.Identity`,
knows its message channels' length limits (as data, overridable because
networks change them) and the checklist of a seller's own profile.

:func:`check_profile_url` holds the safety checks every adapter must apply
before looking at a URL's path, so no adapter can forget one.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from attrs import frozen

from socialcrm.errors import InvalidURLError, MessageTooLongError, NotFoundError, ValidationError
from socialcrm.models import Identity

__all__ = [
    "Channel",
    "ChecklistItem",
    "NetworkAdapter",
    "NetworkRegistry",
    "check_profile_url",
    "count_characters",
    "host_matches",
]


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
    """What a network plugin provides.  See ``docs/plugins.md``."""

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
        not a person's profile on this network.
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


def host_matches(host: str, domains: Sequence[str]) -> bool:
    """Whether ``host`` equals one of ``domains`` or is a subdomain of it."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def check_profile_url(
    url: str, domains: Sequence[str], *, network: str | None = None
) -> urllib.parse.SplitResult:
    """Reject hostile or foreign URLs; return the parsed URL for path parsing.

    Accepts ``http``/``https`` only, no user-info, no port other than the
    default, no whitespace or control characters, and a host on one of
    ``domains``.  A URL without scheme (``linkedin.com/in/x``) is read as https.
    """
    if not url or any(c.isspace() or unicodedata.category(c) in {"Cc", "Cf"} for c in url):
        raise InvalidURLError(url, "contains whitespace or control characters", network=network)
    candidate = url
    if "://" not in candidate and ":" not in candidate.split("/", 1)[0]:
        candidate = "https://" + candidate
    try:
        parts = urllib.parse.urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(url, f"malformed URL ({exc})", network=network) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise InvalidURLError(url, "only http and https URLs are accepted", network=network)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise InvalidURLError(url, "URLs with user information are refused", network=network)
    if port not in (None, 80, 443):
        raise InvalidURLError(url, f"unexpected port {port}", network=network)
    host = parts.hostname or ""
    if not host_matches(host, domains):
        raise InvalidURLError(url, f"host {host!r} is not on {', '.join(domains)}", network=network)
    return parts


class NetworkRegistry:
    """The adapters registered by plugins, plus configured channel limits."""

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
        """Add an adapter; the first registered for an id wins (plugins before defaults)."""
        self._adapters.setdefault(adapter.id, adapter)

    def __iter__(self) -> Iterator[NetworkAdapter]:
        return iter(sorted(self._adapters.values(), key=lambda a: a.id))

    def __len__(self) -> int:
        return len(self._adapters)

    def __contains__(self, network_id: object) -> bool:
        return network_id in self._adapters

    def get(self, network_id: str) -> NetworkAdapter:
        adapter = self._adapters.get(network_id.strip().lower())
        if adapter is None:
            known = ", ".join(sorted(self._adapters)) or "none installed"
            raise NotFoundError(network_id, what="network", hint=f"known networks: {known}")
        return adapter

    def parse(self, text: str, *, network: str | None = None) -> Identity:
        """Identity from a profile URL, ``network:handle``, or a handle with ``network``."""
        text = text.strip()
        if network is not None:
            return self.get(network).parse(text)
        head, sep, rest = text.partition(":")
        if sep and head.lower() in self._adapters and not rest.startswith("//"):
            return self._adapters[head.lower()].parse(rest)
        looks_like_url = "://" in text or ("/" in text and "." in text.split("/", 1)[0])
        if not looks_like_url:
            raise InvalidURLError(
                text,
                "not a URL; write a handle as network:handle (e.g. x:jdupont)",
            )
        candidate = text if "://" in text else "https://" + text
        try:
            host = urllib.parse.urlsplit(candidate).hostname or ""
        except ValueError:
            host = ""
        for adapter in self._adapters.values():
            if host and host_matches(host, adapter.domains):
                return adapter.parse(text)
        if not self._adapters:
            raise InvalidURLError(text, "no network plugin is installed")
        # Let one adapter's safety checks give the precise reason (scheme, user-info…).
        reason = "no installed network recognises this host"
        try:
            check_profile_url(text, ("invalid.invalid",))
        except InvalidURLError as exc:
            reason = exc.reason
        raise InvalidURLError(text, reason)

    def channel(self, network: str, channel: str) -> Channel:
        """A channel with its limit, configuration overrides applied."""
        adapter = self.get(network)
        found = adapter.channels.get(channel)
        if found is None:
            known = ", ".join(sorted(adapter.channels)) or "none"
            raise ValidationError(
                f"{adapter.name} has no channel {channel!r}",
                field="channel",
                value=channel,
                hint=f"channels: {known}",
            )
        override = self.limit_overrides.get(f"{adapter.id}.{channel}")
        if override is not None:
            return Channel(found.id, found.name, override, found.note)
        return found

    def check_message(self, network: str, channel: str, text: str) -> int:
        """Count ``text`` and raise :class:`MessageTooLongError` over the limit."""
        target = self.channel(network, channel)
        length = count_characters(text)
        if length > target.limit:
            raise MessageTooLongError(
                network=network, channel=channel, limit=target.limit, length=length
            )
        return length
