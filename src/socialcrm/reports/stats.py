"""The few statistics every report shares, defined once (docs/reports.md)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime, timedelta

__all__ = ["DAY", "days", "median", "p90", "rate", "week_of"]

DAY = 86400.0


def median(values: Sequence[float]) -> float | None:
    """The middle value (mean of the two middle ones for an even count); ``None`` if empty."""
    return round(statistics.median(values), 2) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile by nearest rank: the ⌈0.9·n⌉-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 2)


def rate(part: int, whole: int) -> float | None:
    """``part ÷ whole`` rounded to 4 decimals; ``None`` when ``whole`` is 0."""
    return round(part / whole, 4) if whole else None


def days(delta: timedelta) -> float:
    """A duration in days (fractional)."""
    return delta.total_seconds() / DAY


def week_of(at: datetime) -> str:
    """The Monday (UTC, ``YYYY-MM-DD``) of ``at``'s week."""
    return (at.date() - timedelta(days=at.weekday())).isoformat()
