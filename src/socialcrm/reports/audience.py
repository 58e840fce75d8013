"""Community: the size of the rep's (or company's) audience per network, over time.

``audience log NETWORK FOLLOWERS [--date]`` keeps one measure per network and
day in the store's meta (``audience``), shared by every pipeline; logging the
same day again replaces it.  A month's size is its last measure; its growth
rate is (size − previous month's size) ÷ previous month's size, where the
previous month is the calendar month before, and only if it has a measure.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.limits import MAX_AUDIENCE_MEASURES
from socialcrm.reports.selection import Filters, day_start
from socialcrm.reports.stats import rate
from socialcrm.repository import Repository

__all__ = ["AUDIENCE_META_KEY", "Measure", "audience", "log_audience", "measures"]

AUDIENCE_META_KEY = "audience"


@frozen
class Measure:
    network: str
    day: date
    followers: int

    def to_dict(self) -> dict[str, Any]:
        return {"network": self.network, "date": self.day.isoformat(), "followers": self.followers}


def measures(repository: Repository, network: str | None = None) -> list[Measure]:
    """Every measure, by network then day."""
    raw = repository.get_meta(AUDIENCE_META_KEY) or []
    try:
        found = [
            Measure(str(d["network"]), date.fromisoformat(str(d["date"])), int(d["followers"]))
            for d in raw
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            _("the store's audience sizes are damaged ({exc!r})").format(exc=exc),
            field=AUDIENCE_META_KEY,
        ) from None
    if network:
        found = [m for m in found if m.network == network.strip().lower()]
    return sorted(found, key=lambda m: (m.network, m.day))


def log_audience(crm: Any, network: str, followers: int, day: date | None = None) -> Measure:
    """Record ``network``'s audience size on ``day`` (today by default), in one unit of work."""
    net = crm.networks.get(network).id  # a known network, or a helpful error
    if followers < 0:
        raise ValidationError(_("followers must be >= 0"), field="followers", value=followers)
    when = day or crm.now().date()
    if when > crm.now().date():
        raise ValidationError(
            _("{date} is in the future").format(date=when.isoformat()),
            field="date",
            value=when.isoformat(),
        )
    measure = Measure(net, when, followers)
    with crm.recording.transaction() as recorder:
        kept = [m for m in measures(recorder.repository) if (m.network, m.day) != (net, when)]
        if len(kept) >= MAX_AUDIENCE_MEASURES:
            raise ValidationError(
                _("at most {limit} audience measures").format(limit=MAX_AUDIENCE_MEASURES),
                field="audience",
            )
        recorder.repository.set_meta(
            AUDIENCE_META_KEY, [m.to_dict() for m in sorted([*kept, measure], key=_order)]
        )
    return measure


def _order(m: Measure) -> tuple[str, date]:
    return (m.network, m.day)


def _previous(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def audience(repository: Repository, filters: Filters) -> dict[str, Any]:
    """Size per network (latest measure in the period) and each month's growth rate."""
    networks: dict[str, dict[str, Measure]] = {}
    for m in measures(repository, filters.network):
        if filters.within(day_start(m.day)):
            networks.setdefault(m.network, {})[m.day.strftime("%Y-%m")] = m  # last wins
    rows = []
    for net, months in sorted(networks.items()):
        series = []
        for month, m in sorted(months.items()):
            before = months.get(_previous(month))
            growth = rate(m.followers - before.followers, before.followers) if before else None
            series.append({"month": month, "followers": m.followers, "growth": growth})
        latest = months[max(months)]
        rows.append(
            {
                "network": net,
                "followers": latest.followers,
                "date": latest.day.isoformat(),
                "months": series,
            }
        )
    return {"report": "audience", "filters": filters.to_dict(), "networks": rows}
