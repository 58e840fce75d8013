"""Instagram URL forms, canonical identities and refusals (no network access)."""

from __future__ import annotations

import pytest
from socialcrm_instagram.adapter import InstagramAdapter, create_adapter

from socialcrm.testing.networks import NetworkAdapterContract


class TestInstagram(NetworkAdapterContract):
    accepted = (
        ("https://www.instagram.com/jean.dupont", "instagram:jean.dupont"),
        ("https://instagram.com/Jean.Dupont/", "instagram:jean.dupont"),
        ("http://m.instagram.com/jean_dupont?igsh=abc", "instagram:jean_dupont"),
        ("https://www.instagram.com/_u/jean.dupont", "instagram:jean.dupont"),
        ("instagram.com/jean.dupont/reels/", "instagram:jean.dupont"),
        ("https://www.instagram.com/_underscore_", "instagram:_underscore_"),
        ("https://www.instagram.com/" + "a" * 30, "instagram:" + "a" * 30),
        ("@Jean.Dupont", "instagram:jean.dupont"),
        ("j", "instagram:j"),
    )
    rejected = (
        ("https://www.instagram.com/p/C0abc123/", "expected instagram.com/<username>"),
        ("https://www.instagram.com/explore", "own pages"),
        ("https://www.instagram.com/" + "a" * 31, "1 to 30"),
        ("https://www.instagram.com/jean-dupont", "1 to 30"),
        ("https://www.instagram.com/..", "1 to 30"),
        ("https://www.instagram.com/", "expected instagram.com/<username>"),
        ("https://www.instagram.com/jean.dupont/p/abc", "expected instagram.com/<username>"),
        ("https://instagr.am/jean.dupont", "not on instagram.com"),
        ("https://www.instagram.com:444/jean.dupont", "port 444"),
        ("jean dupont", "whitespace"),
    )

    @pytest.fixture
    def adapter(self) -> InstagramAdapter:
        return create_adapter()


def test_dm_and_comment_limits() -> None:
    channels = create_adapter().channels
    assert (channels["dm"].limit, channels["comment"].limit) == (1000, 2200)
