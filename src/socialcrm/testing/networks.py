"""The NetworkAdapter contract: one test-suite every network plugin should pass.

Subclass :class:`NetworkAdapterContract` in your plugin's tests, provide an
``adapter`` fixture and two tables of examples; the contract checks the
adapter's shape, your examples, canonical round trips and the URL safety rules
(other schemes, user-info, look-alike hosts, whitespace and control
characters, non-default ports) against your adapter's own domains::

    from socialcrm.testing.networks import NetworkAdapterContract

    class TestMastodon(NetworkAdapterContract):
        accepted = [("https://mastodon.social/@Ana", "mastodon:ana@mastodon.social")]
        rejected = [("https://mastodon.social/about", "not a profile")]

        @pytest.fixture
        def adapter(self):
            return create_adapter()

It also checks the adapter's export declarations (columns, vCard service
names, aliases: :mod:`socialcrm.interchange`): that an export can write
them, and that no installed network already claims one of its column
headers or names (:func:`network_clashes`) — on a clash the first network in
column order keeps the name and the other silently goes without it.

The hypothesis strategies (:func:`hostile_variants`) are public so a plugin's
own property tests can reuse them.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any, ClassVar

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from socialcrm.errors import InvalidURLError
from socialcrm.interchange import (
    MAX_NAME,
    Clash,
    check_declarations,
    export_columns,
    name_index,
    network_names,
    vcard_service,
    vcard_type,
)
from socialcrm.networks import NetworkAdapter, NetworkRegistry, count_characters
from socialcrm.text import is_safe

__all__ = [
    "HOSTILE_CHARACTERS",
    "NetworkAdapterContract",
    "hostile_examples",
    "hostile_variants",
    "network_clashes",
    "url_variants",
]

HOSTILE_CHARACTERS = (
    " \t\n\r\x0b\x0c\x00\x1b\x7f\x85\xa0\u1680\u2000\u2028\u2029\u200b\u200d\u200e\u202e"
    "\u2066\ufeff\u3000"
)
"""Whitespace, control and format characters that must never be accepted in a URL."""

# Adapters are immutable, so sharing the fixture between hypothesis examples is safe,
# and the contract methods are meant to run for several subclasses (one per network).
_FIXTURE_OK = [HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]

_SCHEMES = st.sampled_from(
    ["javascript", "data", "file", "ftp", "mailto", "ws", "wss", "vbscript", "chrome", "about"]
) | st.from_regex(r"[a-z][a-z0-9+.\-]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"http", "https"}
)


def url_variants(url: str) -> st.SearchStrategy[str]:
    """Harmless spellings of an https ``url``: http, no scheme, trailing slash, query, fragment."""
    parts = urllib.parse.urlsplit(url)
    query_sep = "&" if parts.query else "?"
    return st.builds(
        lambda scheme, slash, query, fragment: (
            f"{scheme}{parts.netloc}{parts.path}{slash}"
            + (f"?{parts.query}" if parts.query else "")
            + (f"{query_sep}{query}" if query else "")
            + fragment
        ),
        st.sampled_from(["https://", "http://", "", "HTTPS://"]),
        st.sampled_from(["", "/"]) if not parts.query else st.just(""),
        st.sampled_from(["", "utm_source=share", "trk=public_profile", "hl=fr"]),
        st.sampled_from(["", "#about"]),
    )


def hostile_examples(url: str, domain: str) -> list[str]:
    """Fixed hostile versions of a valid https ``url`` whose host is on ``domain``.

    User-info, look-alike hosts and host tricks (backslash, percent-escapes,
    scheme-relative URLs): every one must be rejected.
    """
    parts = urllib.parse.urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc
    return [
        f"https://user@{host}{rest}",
        f"https://user:secret@{host}{rest}",
        f"https://{host}@evil.example{rest}",
        f"https://{host}:443@evil.example{rest}",
        f"https://@{host}{rest}",
        f"https://{host}.evil.example{rest}",
        f"https://www.{domain}.evil.example{rest}",
        f"https://evil-{domain}{rest}",
        f"https://{domain.replace('.', '-')}.example{rest}",
        f"https://x{domain}{rest}",
        f"https://{domain}.{domain}.evil{rest}",
        f"https://evil.example\\{host}{rest}",
        f"https://evil.example\\@{host}{rest}",
        f"https://evil.example%2F{host}{rest}",
        f"https://{host}%2eevil.example{rest}",
        f"https://{host}%00.evil.example{rest}",
        f"//evil.example/{host}{rest}",
        f"javascript:alert(1)//{host}{rest}",
        f"javascript://{host}{rest}",
        f"data:text/html,{host}{rest}",
        f"file://{host}{rest}",
        f"ftp://{host}{rest}",
        f"https://{host}:8080{rest}",
        f"http://{host}:443{rest}",
        f"https://{host}:80{rest}",
        f"https://{host}:99999{rest}",
        f"https://[{host}]{rest}",
    ]


def hostile_variants(url: str, domain: str) -> st.SearchStrategy[str]:
    """Hostile versions of ``url``: the fixed ones, other schemes, a whitespace,
    control or format character anywhere, a non-default port.  Each must be rejected.
    """
    parts = urllib.parse.urlsplit(url)
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc
    schemes = _SCHEMES.map(lambda s: f"{s}://{host}{rest}") | _SCHEMES.map(
        lambda s: f"{s}:{host}{rest}"
    )
    whitespace = st.builds(
        lambda index, char: url[:index] + char + url[index:],
        st.integers(0, len(url)),
        st.sampled_from(HOSTILE_CHARACTERS),
    )
    ports = (
        st.integers(0, 70000).filter(lambda p: p != 443).map(lambda p: f"https://{host}:{p}{rest}")
    )
    return st.one_of(st.sampled_from(hostile_examples(url, domain)), schemes, whitespace, ports)


def network_clashes(adapters: Sequence[NetworkAdapter]) -> list[Clash]:
    """Every column header or name claimed twice among ``adapters``, or kept by a format.

    Looks at each built-in export's network columns (a header equal to the
    format's own column or to another network's), the vCard service names and
    the CSV column names (the generic importer's own names win).
    """
    from socialcrm.io.exports import NETWORK_COLUMN_FORMATS
    from socialcrm.io.generic_csv import network_headers

    clashes: list[Clash] = []
    for exporter in NETWORK_COLUMN_FORMATS:
        fixed = (*exporter.head, *exporter.tail)
        export_columns(
            adapters, exporter.name, exporter.network_column, fixed=fixed, clashes=clashes
        )
    name_index(adapters, network_names, what="vCard service", clashes=clashes)
    network_headers(adapters, clashes=clashes)
    return clashes


def _registrable(adapter: Any, url: str) -> str:
    host = urllib.parse.urlsplit(url).hostname or ""
    return str(next(d for d in adapter.domains if host == d or host.endswith("." + d)))


class NetworkAdapterContract:
    """Behaviour every :class:`~socialcrm.networks.NetworkAdapter` must have.

    ``accepted``: ``(text, expected identity key)`` pairs (URLs or bare
    handles); ``rejected``: ``(text, fragment of the error reason)`` pairs.
    """

    accepted: ClassVar[Sequence[tuple[str, str]]] = ()
    rejected: ClassVar[Sequence[tuple[str, str]]] = ()

    @pytest.fixture
    def adapter(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError("provide an 'adapter' fixture")

    def test_satisfies_protocol(self, adapter: Any) -> None:
        assert isinstance(adapter, NetworkAdapter)
        assert adapter.id == adapter.id.lower()
        assert adapter.name and adapter.domains
        NetworkRegistry([adapter])  # the registry accepts it

    def test_export_declarations_can_be_written(self, adapter: Any) -> None:
        from socialcrm.io.exports import NETWORK_COLUMN_FORMATS

        check_declarations(adapter)  # what registering the adapter checks
        for exporter in NETWORK_COLUMN_FORMATS:
            for column in export_columns([adapter], exporter.name, exporter.network_column):
                header = column.header
                assert 0 < len(header) <= MAX_NAME and is_safe(header), (exporter.name, header)
                assert header == header.strip() and not header.startswith(("=", "+", "-", "@"))
        for service in (vcard_type(adapter), vcard_service(adapter)):
            assert is_safe(service) and not set(';:,"') & set(service), service

    def test_no_clash_with_the_installed_networks(self, adapter: Any) -> None:
        from socialcrm.hooks import Hooks
        from socialcrm.plugins import get_plugin_manager

        installed = [a for a in Hooks(get_plugin_manager()).networks if a.id != adapter.id]
        clashes = network_clashes([*installed, adapter])
        mine = [str(c) for c in clashes if adapter.id in (c.kept, c.dropped)]
        assert not mine, "; ".join(mine)

    def test_channels_have_positive_limits(self, adapter: Any) -> None:
        assert adapter.channels, "a network needs at least one channel"
        for channel_id, channel in adapter.channels.items():
            assert channel.id == channel_id
            assert channel.limit > 0 and channel.name

    def test_checklist_explains_every_item(self, adapter: Any) -> None:
        ids = [item.id for item in adapter.checklist]
        assert ids and len(ids) == len(set(ids))
        for item in adapter.checklist:
            assert item.label and len(item.why) > 20, f"{item.id}: say why it matters"

    def test_limit_counts_user_perceived_characters(self, adapter: Any) -> None:
        registry = NetworkRegistry([adapter])
        channel = next(iter(adapter.channels.values()))
        if callable(getattr(adapter, "text_length", None)):  # the network's own count
            plain = "a" * channel.limit
            counted = adapter.text_length(plain, channel.id)
            assert registry.check_message(adapter.id, channel.id, plain) == counted
            return
        family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points
        assert count_characters(family * channel.limit) == channel.limit
        assert registry.check_message(adapter.id, channel.id, family * channel.limit) == (
            channel.limit
        )

    def test_accepted_examples(self, adapter: Any) -> None:
        assert self.accepted, "list some accepted URLs and handles"
        for text, key in self.accepted:
            identity = adapter.parse(text)
            assert identity.key == key, text
            assert identity.network == adapter.id

    def test_canonical_url_and_handle_round_trip(self, adapter: Any) -> None:
        registry = NetworkRegistry([adapter])
        for text, _key in self.accepted:
            identity = adapter.parse(text)
            assert identity.url.startswith("https://") and identity.url.isascii(), identity.url
            assert adapter.parse(identity.url) == identity, text
            assert adapter.parse(identity.handle) == identity, text
            assert registry.parse(identity.key) == identity, text
            assert registry.parse(identity.url) == identity, text
            assert adapter.profile_url(identity.handle) == identity.url

    def test_rejected_examples(self, adapter: Any) -> None:
        for text, reason in self.rejected:
            with pytest.raises(InvalidURLError) as info:
                adapter.parse(text)
            assert reason.lower() in info.value.reason.lower(), (text, info.value.reason)
            assert info.value.network == adapter.id

    def test_fixed_hostile_urls_rejected(self, adapter: Any) -> None:
        registry = NetworkRegistry([adapter])
        for text, _key in self.accepted:
            canonical = adapter.parse(text)
            for hostile in hostile_examples(canonical.url, _registrable(adapter, canonical.url)):
                with pytest.raises(InvalidURLError):
                    adapter.parse(hostile)
                    pytest.fail(f"accepted {hostile!r}")
                with pytest.raises(InvalidURLError):
                    registry.parse(hostile)
                    pytest.fail(f"registry accepted {hostile!r}")

    @settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
    @given(data=st.data())
    def test_hostile_urls_rejected(self, adapter: Any, data: st.DataObject) -> None:
        text, _key = data.draw(st.sampled_from(self.accepted), label="example")
        canonical = adapter.parse(text)
        registrable = _registrable(adapter, canonical.url)
        hostile = data.draw(hostile_variants(canonical.url, registrable), label="hostile")
        with pytest.raises(InvalidURLError):
            adapter.parse(hostile)
        # The registry forgives whitespace around a paste, and "x:x.com/a" is network:URL.
        if hostile == hostile.strip() and not hostile.lower().startswith(adapter.id + ":"):
            with pytest.raises(InvalidURLError):
                NetworkRegistry([adapter]).parse(hostile)

    @settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE_OK)
    @given(data=st.data())
    def test_harmless_spellings_accepted(self, adapter: Any, data: st.DataObject) -> None:
        text, _key = data.draw(st.sampled_from(self.accepted), label="example")
        canonical = adapter.parse(text)
        variant = data.draw(url_variants(canonical.url), label="variant")
        assert adapter.parse(variant) == canonical
