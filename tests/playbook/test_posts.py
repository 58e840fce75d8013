"""Stage 3: the rep's own posts and their engagement rate against the target."""

from __future__ import annotations

import pytest

from socialcrm import CRM
from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.playbook.posts import (
    DEFAULT_TARGET,
    list_posts,
    log_post,
    parse_rate,
    set_target,
    summary,
    target_of,
)
from socialcrm.testing import FrozenClock


def test_rate_is_reactions_over_views_against_four_percent(crm: CRM) -> None:
    good = log_post(crm, "testnet", views=1000, reactions=50, url="https://testnet.example/p/1")
    weak = log_post(crm, "testnet", views=1000, reactions=20)
    assert target_of(crm.pipeline) == DEFAULT_TARGET == 0.04
    assert good.rate == 0.05 and not good.below(0.04)
    assert weak.rate == 0.02 and weak.below(0.04)
    total = summary(crm)
    assert (total.posts, total.views, total.reactions, total.rate) == (2, 2000, 70, 0.035)
    assert total.below_target


def test_target_is_configurable(crm: CRM) -> None:
    assert set_target(crm, "2%") == 0.02
    assert crm.pipeline.settings["post_target"] == 0.02
    assert not summary(crm).below_target
    assert set_target(crm, None) == 0.04


@pytest.mark.parametrize("bad", ["0", "150%", "abc", "-1"])
def test_bad_targets(bad: str) -> None:
    with pytest.raises(ValidationError):
        parse_rate(bad)


def test_same_url_updates_counts(crm: CRM, clock: FrozenClock) -> None:
    first = log_post(crm, "testnet", views=100, reactions=3, url="https://testnet.example/p/1")
    clock.advance(days=2)
    again = log_post(crm, "testnet", views=900, reactions=45, url="https://testnet.example/p/1")
    assert again.id == first.id and again.at == first.at
    assert [(p.views, p.reactions) for p in list_posts(crm)] == [(900, 45)]


def test_post_without_views_has_no_rate(crm: CRM) -> None:
    post = log_post(crm, "testnet", views=0, reactions=0)
    assert post.rate is None and not post.below(0.04)
    assert summary(crm).rate is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"views": -1, "reactions": 0}, "views must be >= 0"),
        ({"views": 10, "reactions": 11}, "11 reactions for 10 views"),
        ({"views": 10, "reactions": 1, "url": "javascript:alert(1)"}, "invalid post URL"),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_written(
    crm: CRM, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        log_post(crm, "testnet", **kwargs)  # type: ignore[arg-type]
    assert list_posts(crm) == []


def test_unknown_network(crm: CRM) -> None:
    with pytest.raises(NotFoundError, match="network"):
        log_post(crm, "myspace", views=1, reactions=0)


def test_posts_persist_in_store_meta(disk_crm: CRM) -> None:
    log_post(disk_crm, "testnet", views=10, reactions=1)
    assert len(disk_crm.repository.get_meta("posts")) == 1
    assert list_posts(disk_crm, "TESTNET")[0].views == 10
    assert list_posts(disk_crm, "other") == []


def test_damaged_posts_are_reported(crm: CRM) -> None:
    crm.repository.set_meta("posts", [{"id": "x"}])
    with pytest.raises(ValidationError, match="list of posts is damaged"):
        list_posts(crm)
