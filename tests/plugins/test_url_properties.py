"""Property tests of profile-URL canonicalisation for each of the five networks.

For every generated valid account and URL spelling: the identity has the
expected canonical handle, and parsing its canonical URL or its key gives the
same identity (idempotence).  Hostile variants of those URLs are rejected, and
arbitrary text never raises anything but InvalidURLError.
"""

from __future__ import annotations

import unicodedata
import urllib.parse
from collections.abc import Callable

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, assume, given, settings

from socialcrm.errors import InvalidURLError
from socialcrm.hooks import Hooks
from socialcrm.models import Identity
from socialcrm.networks import NetworkRegistry
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing.networks import hostile_variants

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def registry() -> NetworkRegistry:
    return Hooks(get_plugin_manager(block=["mastodon"])).networks


def _valid(parse: Callable[[str], Identity], text: str) -> Identity | None:
    try:
        return parse(text)
    except InvalidURLError:
        return None


def check_round_trip(registry: NetworkRegistry, text: str, network: str, handle: str) -> None:
    identity = registry.parse(text)
    assert (identity.network, identity.handle) == (network, handle), text
    assert identity.url.startswith("https://") and identity.url.isascii()
    assert registry.parse(identity.url) == identity
    assert registry.parse(identity.key) == identity
    assert registry.get(network).parse(identity.url) == identity


schemes = st.sampled_from(["https://", "http://", "", "HTTPS://"])
slash = st.sampled_from(["", "/"])
queries = st.sampled_from(["", "?utm_source=share", "?hl=fr&x=1"])

# -- LinkedIn -------------------------------------------------------------------------

slug_chars = st.characters(categories=("Ll", "Lu", "Lo", "Nd"), exclude_characters="_")
slugs = st.text(alphabet=slug_chars | st.just("-"), min_size=3, max_size=40).filter(
    lambda s: s[0] != "-"
)


@SETTINGS
@given(
    slug=slugs,
    scheme=schemes,
    sub=st.sampled_from(["", "www.", "fr.", "de.", "m."]),
    end=slash,
    query=st.sampled_from(["", "?trk=public_profile", "?originalSubdomain=fr"]),
    encode=st.booleans(),
)
def test_linkedin_in_urls(
    registry: NetworkRegistry, slug: str, scheme: str, sub: str, end: str, query: str, encode: bool
) -> None:
    expected = unicodedata.normalize("NFC", unicodedata.normalize("NFC", slug).casefold())
    assume(expected[0].isalnum() and all(c.isalnum() or c == "-" for c in expected))
    path = urllib.parse.quote(slug) if encode else slug
    check_round_trip(
        registry, f"{scheme}{sub}linkedin.com/in/{path}{end}{query}", "linkedin", expected
    )


@SETTINGS
@given(
    name=st.from_regex(r"[a-z][a-z\-]{2,20}", fullmatch=True),
    parts=st.tuples(*[st.from_regex(r"[0-9a-f]{1,3}", fullmatch=True)] * 3),
)
def test_linkedin_pub_urls(registry: NetworkRegistry, name: str, parts: tuple[str, ...]) -> None:
    a, b, c = parts
    expected = f"{name}-{c.zfill(3)}{b.zfill(2)}{'' if a == '0' else a}"
    check_round_trip(
        registry, f"https://www.linkedin.com/pub/{name}/{a}/{b}/{c}", "linkedin", expected
    )


# -- X ---------------------------------------------------------------------------------

x_handles = st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True)


@SETTINGS
@given(
    handle=x_handles,
    host=st.sampled_from(["x.com", "www.x.com", "twitter.com", "mobile.twitter.com"]),
    scheme=schemes,
    end=slash,
    query=queries,
)
def test_x_profile_urls(
    registry: NetworkRegistry, handle: str, host: str, scheme: str, end: str, query: str
) -> None:
    assume(_valid(registry.get("x").parse, handle) is not None)  # not a reserved page
    check_round_trip(registry, f"{scheme}{host}/{handle}{end}{query}", "x", handle.lower())
    check_round_trip(registry, f"x:@{handle}", "x", handle.lower())


@SETTINGS
@given(user_id=st.integers(1, 2**63 - 1), zeros=st.sampled_from(["", "0", "00"]))
def test_x_account_ids(registry: NetworkRegistry, user_id: int, zeros: str) -> None:
    url = f"https://twitter.com/intent/user?user_id={zeros}{user_id}"
    check_round_trip(registry, url, "x", f"id:{user_id}")
    check_round_trip(registry, f"x.com/i/user/{user_id}", "x", f"id:{user_id}")


# -- Instagram -------------------------------------------------------------------------

ig_users = st.from_regex(r"[A-Za-z0-9._]{1,30}", fullmatch=True).filter(lambda u: u.strip("."))


@SETTINGS
@given(
    user=ig_users,
    sub=st.sampled_from(["", "www.", "m."]),
    app=st.sampled_from(["", "_u/"]),
    scheme=schemes,
    end=slash,
    query=queries,
)
def test_instagram_profile_urls(
    registry: NetworkRegistry, user: str, sub: str, app: str, scheme: str, end: str, query: str
) -> None:
    assume(_valid(registry.get("instagram").parse, user) is not None)  # not a reserved page
    url = f"{scheme}{sub}instagram.com/{app}{user}{end}{query}"
    check_round_trip(registry, url, "instagram", user.lower())


# -- Facebook --------------------------------------------------------------------------

fb_users = st.from_regex(r"[A-Za-z][A-Za-z0-9.]{4,55}", fullmatch=True)


@SETTINGS
@given(
    user=fb_users,
    host=st.sampled_from(["facebook.com", "www.facebook.com", "m.facebook.com", "fb.com"]),
    scheme=schemes,
    end=slash,
)
def test_facebook_usernames(
    registry: NetworkRegistry, user: str, host: str, scheme: str, end: str
) -> None:
    expected = user.lower().replace(".", "")
    assume(5 <= len(expected) <= 50 and not user.lower().endswith(".php"))
    assume(_valid(registry.get("facebook").parse, user) is not None)  # not a reserved page
    check_round_trip(registry, f"{scheme}{host}/{user}{end}", "facebook", expected)


@SETTINGS
@given(profile_id=st.integers(1, 10**20 - 1), form=st.integers(0, 2))
def test_facebook_profile_ids(registry: NetworkRegistry, profile_id: int, form: int) -> None:
    url = [
        f"https://www.facebook.com/profile.php?id={profile_id}",
        f"https://m.facebook.com/{profile_id}",
        f"https://www.facebook.com/people/Jean-Dupont/{profile_id}/",
    ][form]
    check_round_trip(registry, url, "facebook", f"id:{profile_id}")


# -- YouTube ---------------------------------------------------------------------------

yt_chars = st.characters(categories=("Ll", "Lu", "Lo", "Nd"))
yt_handles = st.builds(
    lambda first, rest: first + rest,
    yt_chars,
    st.text(alphabet=yt_chars | st.sampled_from("._-"), min_size=2, max_size=29),
)
channel_ids = st.from_regex(r"UC[A-Za-z0-9_\-]{22}", fullmatch=True)


@SETTINGS
@given(
    handle=yt_handles,
    sub=st.sampled_from(["", "www.", "m."]),
    scheme=schemes,
    tab=st.sampled_from(["", "/", "/videos", "/about/"]),
)
def test_youtube_handles(
    registry: NetworkRegistry, handle: str, sub: str, scheme: str, tab: str
) -> None:
    expected = unicodedata.normalize("NFC", unicodedata.normalize("NFC", handle).casefold())
    assume(3 <= len(expected) <= 30 and expected[0].isalnum())
    assume(all(c.isalnum() or c in "._-" for c in expected))
    url = f"{scheme}{sub}youtube.com/@{urllib.parse.quote(handle)}{tab}"
    check_round_trip(registry, url, "youtube", expected)


@SETTINGS
@given(channel=channel_ids, scheme=schemes, end=slash)
def test_youtube_channel_ids(
    registry: NetworkRegistry, channel: str, scheme: str, end: str
) -> None:
    check_round_trip(
        registry, f"{scheme}youtube.com/channel/{channel}{end}", "youtube", f"id:{channel}"
    )
    check_round_trip(registry, f"youtube:{channel}", "youtube", f"id:{channel}")


# -- hostile URLs and arbitrary text ------------------------------------------------------

valid_urls = st.one_of(
    x_handles.map(lambda h: f"https://x.com/{h}"),
    ig_users.map(lambda u: f"https://www.instagram.com/{u}"),
    fb_users.map(lambda u: f"https://www.facebook.com/{u}"),
    channel_ids.map(lambda c: f"https://www.youtube.com/channel/{c}"),
    st.from_regex(r"[a-z][a-z0-9\-]{2,30}", fullmatch=True).map(
        lambda s: f"https://www.linkedin.com/in/{s}"
    ),
)


@SETTINGS
@given(data=st.data())
def test_hostile_variants_of_valid_urls_are_rejected(
    registry: NetworkRegistry, data: st.DataObject
) -> None:
    url = data.draw(valid_urls, label="url")
    identity = _valid(registry.parse, url)
    assume(identity is not None)
    assert identity is not None
    domain = next(
        d for d in registry.get(identity.network).domains if url.split("/")[2].endswith(d)
    )
    hostile = data.draw(hostile_variants(url, domain), label="hostile")
    assume(hostile == hostile.strip())  # the registry forgives whitespace around a paste
    assume(not hostile.lower().startswith(f"{identity.network}:"))  # network:URL is legitimate
    with pytest.raises(InvalidURLError):
        registry.parse(hostile)
    with pytest.raises(InvalidURLError):
        registry.get(identity.network).parse(hostile.strip())


url_like = st.builds(
    lambda scheme, host, path: f"{scheme}{host}/{path}",
    st.sampled_from(["https://", "http://", "", "javascript:", "//", "HTTP://"]),
    st.sampled_from(
        [
            "linkedin.com",
            "www.linkedin.com",
            "x.com",
            "twitter.com",
            "instagram.com",
            "m.facebook.com",
            "youtube.com",
            "fr.linkedin.com",
            "linkedin.com.evil.example",
        ]
    ),
    st.text(max_size=40),
)


@SETTINGS
@given(text=st.text(max_size=60) | url_like)
def test_arbitrary_text_is_rejected_cleanly_or_canonicalised(
    registry: NetworkRegistry, text: str
) -> None:
    identity = _valid(registry.parse, text)
    if identity is not None:
        assert registry.parse(identity.url) == identity
        assert registry.parse(identity.key) == identity
        assert identity.url.isascii()


@SETTINGS
@given(
    network=st.sampled_from(["linkedin", "facebook", "instagram", "x", "youtube"]),
    text=st.text(max_size=40),
)
def test_arbitrary_handles_are_rejected_cleanly_or_canonicalised(
    registry: NetworkRegistry, network: str, text: str
) -> None:
    identity = _valid(registry.get(network).parse, text)
    if identity is not None:
        assert registry.get(network).parse(identity.handle) == identity
        assert registry.parse(identity.url) == identity
