"""Stage 3: warmth weighs engagement by kind and recency (frozen clock)."""

from __future__ import annotations

import pytest

from socialcrm import CRM
from socialcrm.errors import ValidationError
from socialcrm.playbook.warmth import WarmthConfig, config_of, for_prospect, warmth
from socialcrm.testing import FrozenClock


def test_a_signal_halves_every_half_life(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    crm.log_interaction(p.id, "comment", url="https://testnet.example/posts/1")
    now = for_prospect(crm, p.id)
    assert now.value == 3 and now.level == "warm"
    (signal,) = now.signals
    assert (signal.kind, signal.network, signal.url) == (
        "comment",
        "testnet",
        "https://testnet.example/posts/1",
    )
    assert for_prospect(crm, p.id, clock.now.replace(day=16)).value == 1.5  # 14 days later
    clock.advance(days=28)
    later = for_prospect(crm, p.id)
    assert later.value == 0.75 and later.level == "cold"
    assert later.last_signal == clock.now.replace(day=2)


def test_kinds_weigh_differently_and_replies_count(crm: CRM) -> None:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    crm.log_interaction(p.id, "view")
    crm.log_interaction(p.id, "share")
    crm.log_message(p.id, "Thanks for sharing!", received=True)
    w = for_prospect(crm, p.id)
    assert [s.kind for s in w.signals] == ["view", "share", "reply"]
    assert w.value == 8.5 and w.level == "hot"


def test_future_signals_are_ignored(crm: CRM, clock: FrozenClock) -> None:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    crm.log_interaction(p.id, "like")
    events = crm.history(p.id)
    assert warmth(events, clock.now.replace(day=1)).value == 0


def test_pipeline_overrides_the_formula(crm: CRM) -> None:
    crm.update_pipeline_settings(
        {"warmth": {"half_life_days": 7, "weights": {"like": 10}, "levels": {"hot": 10}}}
    )
    config = config_of(crm.pipeline)
    assert config.half_life_days == 7 and config.weights["like"] == 10
    assert config.weights["comment"] == 3  # defaults kept
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"])
    crm.log_interaction(p.id, "like")
    assert for_prospect(crm, p.id).level == "hot"


@pytest.mark.parametrize(
    "bad",
    [{"half_life_days": 0}, {"weights": {"like": -1}}, {"levels": "hot"}, "x"],
)
def test_invalid_settings_are_refused(crm: CRM, bad: object) -> None:
    crm.update_pipeline_settings({"warmth": bad})
    with pytest.raises(ValidationError):
        config_of(crm.pipeline)


def test_levels() -> None:
    config = WarmthConfig()
    assert [config.level(v) for v in (0, 1.99, 2, 5.9, 6)] == [
        "cold",
        "cold",
        "warm",
        "warm",
        "hot",
    ]
