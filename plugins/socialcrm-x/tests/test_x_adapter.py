"""X (Twitter) URL forms, canonical identities and refusals (no network access)."""

from __future__ import annotations

import pytest
from socialcrm_x.adapter import XAdapter, create_adapter

from socialcrm.testing.networks import NetworkAdapterContract


class TestX(NetworkAdapterContract):
    accepted = (
        ("https://x.com/jdupont", "x:jdupont"),
        ("https://twitter.com/JDupont", "x:jdupont"),
        ("http://www.twitter.com/JDupont/", "x:jdupont"),
        ("https://mobile.twitter.com/jdupont?lang=fr", "x:jdupont"),
        ("x.com/jdupont/media", "x:jdupont"),
        ("https://x.com/a", "x:a"),
        ("https://x.com/abcdefghij_1234", "x:abcdefghij_1234"),
        ("@JDupont", "x:jdupont"),
        ("jdupont", "x:jdupont"),
        ("https://twitter.com/intent/user?user_id=783214", "x:id:783214"),
        ("https://x.com/intent/follow?screen_name=JDupont", "x:jdupont"),
        ("https://x.com/i/user/00783214", "x:id:783214"),
        ("id:783214", "x:id:783214"),
    )
    rejected = (
        ("https://x.com/jdupont/status/123", "a post, not a profile"),
        ("https://x.com/home", "own pages"),
        ("https://x.com/explore", "own pages"),
        ("https://x.com/abcdefghij_12345", "1 to 15"),
        ("https://x.com/jean.dupont", "1 to 15"),
        ("https://x.com/", "expected x.com/<handle>"),
        ("https://twitter.com/intent/user", "user_id="),
        ("https://twitter.com/intent/user?user_id=12a", "digits"),
        ("https://twitter.com/intent/user?user_id=1&user_id=2", "conflicting"),
        ("id:0", "cannot be 0"),
        ("@", "1 to 15"),
        ("https://t.co/abc", "not on x.com, twitter.com"),
        ("https://x.com.evil.example/jdupont", "not on x.com"),
        ("https://jdupont@x.com/jdupont", "user information"),
    )

    @pytest.fixture
    def adapter(self) -> XAdapter:
        return create_adapter()


def test_id_and_handle_are_distinct_identities() -> None:
    adapter = create_adapter()
    by_id = adapter.parse("https://twitter.com/intent/user?user_id=42")
    assert by_id.url == "https://x.com/intent/user?user_id=42"
    assert by_id.key != adapter.parse("@jdupont").key


def test_post_limit_and_dm_limit() -> None:
    channels = create_adapter().channels
    assert (channels["post"].limit, channels["dm"].limit) == (280, 10000)
