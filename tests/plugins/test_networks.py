"""The network registry, URL safety checks and channel limits (data, overridable)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given

from socialcrm import CRM, MessageTooLongError, NotFoundError, ValidationError
from socialcrm.errors import InvalidURLError
from socialcrm.hooks import Hooks
from socialcrm.networks import NetworkRegistry, check_profile_url, count_characters
from socialcrm.plugins import get_plugin_manager
from socialcrm.rules import RuleRegistry
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


@pytest.fixture
def registry() -> NetworkRegistry:
    return Hooks(get_plugin_manager()).networks


# -- check_profile_url -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/a",
        "http://linkedin.com/in/a",
        "linkedin.com/in/a",
        "//fr.linkedin.com/in/a",
        "https://WWW.LinkedIn.COM/in/a",
        "https://www.linkedin.com:443/in/a",
        "http://www.linkedin.com:80/in/a",
        "https://www.linkedin.com./in/a",
    ],
)
def test_safe_urls_pass(url: str) -> None:
    parts = check_profile_url(url, ("linkedin.com",))
    assert parts.path == "/in/a"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "only http and https"),
        ("JaVaScRiPt:alert(1)//linkedin.com/in/a", "only http and https"),
        ("data:text/html,linkedin.com/in/a", "only http and https"),
        ("ftp://linkedin.com/in/a", "only http and https"),
        ("https://a@linkedin.com/in/a", "user information"),
        ("https://linkedin.com@evil.example/in/a", "user information"),
        ("https://www.linkedin.com.evil.example/in/a", "not on linkedin.com"),
        ("https://evillinkedin.com/in/a", "not on linkedin.com"),
        ("https://linkedin.co/in/a", "not on linkedin.com"),
        ("https://evil.example\\www.linkedin.com/in/a", "backslashes"),
        ("https://www.linkedin%2ecom/in/a", "not a valid host name"),
        ("https://xn--lnkedin-9ya.com/in/a", "not on linkedin.com"),
        ("https://www.lınkedin.com/in/a", "not a valid host name"),
        ("https://[::1]/in/a", "not a valid host name"),
        ("https://www.linkedin.com:8080/in/a", "port 8080"),
        ("https://www.linkedin.com:80/in/a", "port 80"),
        ("http://www.linkedin.com:443/in/a", "port 443"),
        ("https://www.linkedin.com:99999/in/a", "malformed"),
        ("https://www.linkedin.com/in/a b", "whitespace"),
        ("https://www.linkedin.com/in/a\u200b", "control"),
        ("https://www.linkedin.com/in/\u202ea", "control"),
        ("\x00https://www.linkedin.com/in/a", "control"),
        ("", "empty"),
    ],
)
def test_hostile_urls_fail_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        check_profile_url(url, ("linkedin.com",), network="linkedin")
    assert reason in info.value.reason
    assert info.value.network == "linkedin"


# -- registry --------------------------------------------------------------------------


def test_registry_routes_urls_by_host(registry: NetworkRegistry) -> None:
    assert registry.parse("https://twitter.com/jdupont").network == "x"
    assert registry.parse("  https://www.instagram.com/jdupont\n").network == "instagram"
    assert registry.parse("jdupont", network="X").key == "x:jdupont"
    assert registry.parse("youtube:@JDupont").key == "youtube:jdupont"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@jdupont", "write a handle as network:handle"),
        ("jdupont", "write a handle as network:handle"),
        ("https://www.linkedin.com.evil.example/in/a", "no installed network recognises"),
        ("https://mastodon.invalid/@a", "no installed network recognises"),
        ("javascript:alert(1)", "only http and https"),
        ("https://u@x.com/jdupont", "user information"),
        ("https://x.com:8443/jdupont", "port 8443"),
        ("https://x.com/jd upont", "whitespace"),
    ],
)
def test_registry_explains_refusals(registry: NetworkRegistry, text: str, reason: str) -> None:
    with pytest.raises(InvalidURLError) as info:
        registry.parse(text)
    assert reason in info.value.reason


def test_unknown_network_lists_the_known_ones(registry: NetworkRegistry) -> None:
    with pytest.raises(NotFoundError) as info:
        registry.parse("jdupont", network="myspace")
    assert "linkedin" in str(info.value)


def test_empty_registry_says_no_plugin_is_installed() -> None:
    with pytest.raises(InvalidURLError, match="no network plugin is installed"):
        NetworkRegistry().parse("https://x.com/jdupont")


def test_registry_refuses_non_adapters() -> None:
    with pytest.raises(TypeError):
        NetworkRegistry().register("linkedin")  # type: ignore[arg-type]


# -- channels and limits -----------------------------------------------------------------

EXPECTED_LIMITS = {
    "linkedin.connection_note": 300,
    "linkedin.inmail_subject": 200,
    "linkedin.inmail_body": 1900,
    "linkedin.message": 8000,
    "x.post": 280,
    "x.dm": 10000,
    "instagram.dm": 1000,
    "instagram.comment": 2200,
    "facebook.messenger": 2000,
    "youtube.comment": 10000,
}


@pytest.mark.parametrize(("key", "limit"), sorted(EXPECTED_LIMITS.items()))
def test_documented_default_limits(registry: NetworkRegistry, key: str, limit: int) -> None:
    network, channel = key.split(".")
    assert registry.channel(network, channel).limit == limit
    assert key in Path(__file__).parents[2].joinpath("docs", "plugins.md").read_text("utf-8")


def test_check_message_names_the_limit(registry: NetworkRegistry) -> None:
    assert registry.check_message("x", "post", "a" * 280) == 280
    with pytest.raises(MessageTooLongError) as info:
        registry.check_message("X", "post", "a" * 281)
    assert (info.value.network, info.value.channel, info.value.limit, info.value.length) == (
        "x",
        "post",
        280,
        281,
    )
    assert "280-character limit of x post" in str(info.value)


def test_unknown_channel_lists_the_channels(registry: NetworkRegistry) -> None:
    with pytest.raises(ValidationError) as info:
        registry.channel("linkedin", "fax")
    assert "connection_note" in str(info.value)


def test_overrides_replace_default_limits() -> None:
    registry = Hooks(
        get_plugin_manager(), limit_overrides={"linkedin.connection_note": 200}
    ).networks
    assert registry.channel("linkedin", "connection_note").limit == 200
    with pytest.raises(MessageTooLongError):
        registry.check_message("linkedin", "connection_note", "é" * 201)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "store"


def test_channel_limit_override_is_persisted_in_the_store(store: Path) -> None:
    crm = CRM(
        open_repository(store), get_plugin_manager(), clock=FrozenClock(), rules=RuleRegistry()
    )
    ana = crm.add("Ana Lima", urls=["linkedin:ana-lima"])
    crm.set_channel_limit("linkedin", "connection_note", 200)
    crm.close()
    crm = CRM(
        open_repository(store), get_plugin_manager(), clock=FrozenClock(), rules=RuleRegistry()
    )
    try:
        with pytest.raises(MessageTooLongError) as info:
            crm.log_message(ana.id, "x" * 250, channel="connection_note")
        assert info.value.limit == 200
        crm.set_channel_limit("linkedin", "connection_note", None)
        crm.log_message(ana.id, "x" * 250, channel="connection_note")
        with pytest.raises(ValidationError):
            crm.set_channel_limit("linkedin", "fax", 10)
    finally:
        crm.close()


# -- counting characters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("hello", 5),
        ("e\u0301t\u0301e\u0301", 3),  # combining accents
        ("\U0001f44b\U0001f3fd", 1),  # waving hand, skin tone
        ("\U0001f1eb\U0001f1f7", 1),  # flag of France
        ("\U0001f469\u200d\U0001f4bb", 1),  # woman technologist (ZWJ sequence)
        ("王小明", 3),
        ("\r\n", 1),
    ],
)
def test_count_characters_counts_what_people_see(text: str, count: int) -> None:
    assert count_characters(text) == count


@given(st.text(max_size=50))
def test_count_characters_never_exceeds_code_points(text: str) -> None:
    import unicodedata

    assert count_characters(text) <= len(unicodedata.normalize("NFC", text))


def test_percent_encoded_linkedin_slug_round_trips(registry: NetworkRegistry) -> None:
    identity = registry.parse("https://www.linkedin.com/in/" + urllib.parse.quote("zoé-durand"))
    assert identity.handle == "zoé-durand"
