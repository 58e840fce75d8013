"""Facebook URL forms, canonical identities and refusals (no network access)."""

from __future__ import annotations

import pytest
from socialcrm_facebook.adapter import FacebookAdapter, create_adapter

from socialcrm.testing.networks import NetworkAdapterContract

PROFILE_ID = "id:100012345678901"


class TestFacebook(NetworkAdapterContract):
    accepted = (
        ("https://www.facebook.com/jean.dupont", "facebook:jeandupont"),
        ("https://facebook.com/Jean.Dupont.55/", "facebook:jeandupont55"),
        ("http://m.facebook.com/jeandupont?ref=bookmarks", "facebook:jeandupont"),
        ("https://web.facebook.com/jeandupont/about", "facebook:jeandupont"),
        ("https://fb.com/jeandupont", "facebook:jeandupont"),
        ("https://www.facebook.com/profile.php?id=100012345678901", "facebook:id:100012345678901"),
        ("https://m.facebook.com/profile.php?id=4&sk=photos", "facebook:id:4"),
        ("https://www.facebook.com/100012345678901", "facebook:id:100012345678901"),
        ("https://www.facebook.com/people/Jean-Dupont/100012345678901/", f"facebook:{PROFILE_ID}"),
        ("jean.dupont", "facebook:jeandupont"),
        ("id:100012345678901", "facebook:id:100012345678901"),
        # older and Page usernames may be shorter than the 5 characters asked of new ones
        ("https://www.facebook.com/zuck", "facebook:zuck"),
        ("https://www.facebook.com/jean", "facebook:jean"),
        ("https://www.facebook.com/cnn", "facebook:cnn"),
    )
    rejected = (
        ("https://www.facebook.com/groups/123456", "expected facebook.com/<username>"),
        ("https://www.facebook.com/events/123456", "expected facebook.com/<username>"),
        ("https://www.facebook.com/marketplace", "own pages"),
        ("https://www.facebook.com/photo.php?fbid=1", "own pages"),
        ("https://www.facebook.com/profile.php", "id=<digits>"),
        ("https://www.facebook.com/profile.php?id=abc", "digits"),
        ("https://www.facebook.com/j", "2 to 50"),
        ("https://www.facebook.com/jean_dupont", "2 to 50"),
        ("https://www.facebook.com/" + "a" * 51, "2 to 50"),
        ("https://www.facebook.com/me", "own pages"),
        ("https://www.facebook.com/", "expected facebook.com/<username>"),
        ("https://facebook.com.evil.example/jean.dupont", "not on facebook.com"),
        ("https://www.facebook.com:8080/jean.dupont", "port 8080"),
    )

    @pytest.fixture
    def adapter(self) -> FacebookAdapter:
        return create_adapter()


def test_periods_and_case_do_not_make_another_person() -> None:
    adapter = create_adapter()
    assert adapter.parse("John.Smith55").key == adapter.parse("johnsmith55").key
    assert adapter.parse("john.smith.55").url == "https://www.facebook.com/johnsmith55"


def test_messenger_limit() -> None:
    assert create_adapter().channels["messenger"].limit == 2000
