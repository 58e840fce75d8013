"""Stage 3, notoriety: how warm a prospect is, from engagement signals.

Signals are the prospect's ``interaction`` events (like, comment, share,
follow, mention, view, group, event — logged with ``engage``) and their
replies (``message_received``).  Each signal is worth a weight by kind and
fades with age, halving every ``half_life_days``:

::

    warmth = sum over signals s with s.at <= now of
             weight(s.kind) * 0.5 ** (age_in_days(s) / half_life_days)

With the defaults (half-life 14 days; view 0.5, like 1, group 1, follow 2,
event 2, comment 3, share 3, mention 3, reply 5), one comment today is worth
3, the same comment four weeks ago 0.75.  The level is ``cold`` below 2,
``warm`` from 2 and ``hot`` from 6.  A pipeline overrides any of it in
``settings["warmth"]``::

    {"half_life_days": 10, "weights": {"view": 0}, "levels": {"warm": 3, "hot": 8}}

Everything takes ``now`` explicitly, so tests run on a frozen clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Event, Interaction, MessageReceived, Pipeline
from socialcrm.playbook import WARMTH_KEY

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "DEFAULT_WEIGHTS",
    "Signal",
    "Warmth",
    "WarmthConfig",
    "config_of",
    "for_prospect",
    "signals",
    "warmth",
]

DEFAULT_WEIGHTS: dict[str, float] = {
    "view": 0.5,
    "like": 1.0,
    "group": 1.0,
    "follow": 2.0,
    "event": 2.0,
    "comment": 3.0,
    "share": 3.0,
    "mention": 3.0,
    "reply": 5.0,
}
DEFAULT_HALF_LIFE_DAYS = 14.0
DEFAULT_LEVELS: dict[str, float] = {"warm": 2.0, "hot": 6.0}


@frozen
class WarmthConfig:
    """Weights by signal kind, the half-life of a signal, the level thresholds."""

    weights: Mapping[str, float] = field(factory=lambda: dict(DEFAULT_WEIGHTS))
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    levels: Mapping[str, float] = field(factory=lambda: dict(DEFAULT_LEVELS))

    def level(self, value: float) -> str:
        if value >= self.levels["hot"]:
            return "hot"
        if value >= self.levels["warm"]:
            return "warm"
        return "cold"


def config_of(pipeline: Pipeline) -> WarmthConfig:
    """The pipeline's warmth settings merged over the defaults (validated)."""
    raw = pipeline.settings.get(WARMTH_KEY) or {}
    if not isinstance(raw, Mapping):
        raise ValidationError(_("settings 'warmth' must be an object"), field=WARMTH_KEY)
    weights = dict(DEFAULT_WEIGHTS)
    weights.update({str(k): _positive(v, f"warmth.weights.{k}") for k, v in _map(raw, "weights")})
    levels = dict(DEFAULT_LEVELS)
    levels.update({str(k): _positive(v, f"warmth.levels.{k}") for k, v in _map(raw, "levels")})
    half_life = _positive(raw.get("half_life_days", DEFAULT_HALF_LIFE_DAYS), "half_life_days")
    if half_life == 0:
        raise ValidationError(_("half_life_days must be > 0"), field="half_life_days")
    return WarmthConfig(weights, half_life, levels)


def _map(raw: Mapping[str, Any], key: str) -> list[tuple[str, Any]]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("warmth.{key} must be an object").format(key=key), field=key)
    return list(value.items())


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValidationError(
            _("{where} must be a number >= 0").format(where=where), field=where, value=value
        )
    return float(value)


@frozen
class Signal:
    """One engagement signal and what it is worth at ``now``."""

    kind: str
    at: datetime
    network: str | None
    url: str | None
    weight: float
    value: float


@frozen
class Warmth:
    """A prospect's warmth: the value, its level, and the signals behind it."""

    value: float
    level: str
    signals: tuple[Signal, ...]

    @property
    def last_signal(self) -> datetime | None:
        return max((s.at for s in self.signals), default=None)


def signals(events: Iterable[Event]) -> list[tuple[str, Event]]:
    """Engagement events with their signal kind (``reply`` for an inbound message)."""
    found: list[tuple[str, Event]] = []
    for e in events:
        if isinstance(e.payload, Interaction):
            found.append((e.payload.type, e))
        elif isinstance(e.payload, MessageReceived):
            found.append(("reply", e))
    return found


def warmth(events: Iterable[Event], now: datetime, config: WarmthConfig | None = None) -> Warmth:
    """Weigh signals by kind and recency (see the module docstring for the formula)."""
    config = config or WarmthConfig()
    out: list[Signal] = []
    for kind, e in signals(events):
        if e.at > now:  # not yet happened on this clock
            continue
        weight = config.weights.get(kind, 1.0)
        age_days = (now - e.at).total_seconds() / 86400
        value = weight * 0.5 ** (age_days / config.half_life_days)
        payload = e.payload
        out.append(
            Signal(
                kind,
                e.at,
                getattr(payload, "network", None),
                getattr(payload, "url", None),
                weight,
                value,
            )
        )
    total = round(sum(s.value for s in out), 4)
    return Warmth(total, config.level(total), tuple(out))


def for_prospect(crm: CRM, ref: str, now: datetime | None = None) -> Warmth:
    """The warmth of one prospect of the current pipeline."""
    prospect = crm.resolve(ref)
    pipeline = crm.repository.get_pipeline(prospect.pipeline) or crm.pipeline
    return warmth(crm.repository.events(prospect.id), now or crm.now(), config_of(pipeline))
