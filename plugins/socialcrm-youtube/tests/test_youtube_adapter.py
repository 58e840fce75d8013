"""YouTube URL forms, canonical identities and refusals (no network access)."""

from __future__ import annotations

import pytest
from socialcrm_youtube.adapter import YouTubeAdapter, create_adapter

from socialcrm.testing.networks import NetworkAdapterContract

CHANNEL = "UCX6OQ3DkcsbYNE6H8uQQuVA"


class TestYouTube(NetworkAdapterContract):
    accepted = (
        ("https://www.youtube.com/@JeanDupont", "youtube:jeandupont"),
        ("http://youtube.com/@jeandupont/videos", "youtube:jeandupont"),
        ("https://m.youtube.com/@jean.dupont-42?si=abc", "youtube:jean.dupont-42"),
        ("https://www.youtube.com/@%E7%8E%8B%E5%B0%8F%E6%98%8E", "youtube:王小明"),
        ("https://www.youtube.com/@Caf%C3%A9", "youtube:café"),
        (f"https://www.youtube.com/channel/{CHANNEL}", f"youtube:id:{CHANNEL}"),
        (f"youtube.com/channel/{CHANNEL}/about", f"youtube:id:{CHANNEL}"),
        ("@JeanDupont", "youtube:jeandupont"),
        ("jeandupont", "youtube:jeandupont"),
        (CHANNEL, f"youtube:id:{CHANNEL}"),
        (f"id:{CHANNEL}", f"youtube:id:{CHANNEL}"),
    )
    rejected = (
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "a video, not a channel"),
        ("https://www.youtube.com/shorts/abc", "a short video"),
        ("https://www.youtube.com/playlist?list=PL1", "a playlist"),
        ("https://www.youtube.com/user/jeandupont", "copy its youtube.com/@handle"),
        ("https://www.youtube.com/c/JeanDupont", "copy its youtube.com/@handle"),
        ("https://www.youtube.com/channel/UC123", "UC followed by 22"),
        (f"https://www.youtube.com/channel/uc{CHANNEL[2:]}", "UC followed by 22"),
        ("https://www.youtube.com/@ab", "3 to 30"),
        ("https://www.youtube.com/@" + "a" * 31, "3 to 30"),
        ("https://youtu.be/dQw4w9WgXcQ", "not on youtube.com"),
        ("https://www.youtube.com.evil.example/@jeandupont", "not on youtube.com"),
        ("id:UC123", "UC followed by 22"),
    )

    @pytest.fixture
    def adapter(self) -> YouTubeAdapter:
        return create_adapter()


def test_channel_id_keeps_its_case() -> None:
    identity = create_adapter().parse(f"https://www.youtube.com/channel/{CHANNEL}")
    assert identity.url == f"https://www.youtube.com/channel/{CHANNEL}"


def test_comment_limit() -> None:
    assert create_adapter().channels["comment"].limit == 10000
