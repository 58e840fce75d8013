"""The demo's results history (called by :func:`socialcrm.demo.build_demo`).

Half a year of posts on LinkedIn (weekly) and Facebook (every other week),
the community's size at the end of each month, and a few goals — so every
report of a fresh demo shows something.  Numbers follow fixed formulas (no
randomness): the same demo every time, relative to its ``now``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["add_results"]

#: (network, days between posts, base views, followers six months ago, monthly growth)
CHANNELS = (("linkedin", 7, 700, 310, 0.08), ("facebook", 14, 400, 150, 0.05))


class SettableClock(Protocol):
    now: datetime


def _month_ends(now: datetime, months: int) -> list[date]:
    ends, day = [], now.date().replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def add_results(crm: CRM, clock: SettableClock, now: datetime) -> None:
    """Posts, audience sizes and goals as of ``now`` (networks the demo lacks are skipped)."""
    from socialcrm.playbook.posts import log_post
    from socialcrm.reports.audience import log_audience
    from socialcrm.reports.goals import set_goal

    known = [c for c in CHANNELS if c[0] in crm.networks]
    for network, every, base, _, _ in known:
        for i, days in enumerate(range(180, 30, -every)):
            views = base + 25 * i + (180 if i % 3 == 0 else 0)
            share = (0.025, 0.061, 0.043, 0.032)[i % 4]  # some posts under the 4 % line
            clock.now = now - timedelta(days=days, hours=-9)
            log_post(crm, network, views=views, reactions=round(views * share))
    clock.now = now - timedelta(days=1)
    for network, _, _, start, growth in known:
        for month, end in enumerate(_month_ends(now, 6)):
            log_audience(crm, network, round(start * (1 + growth) ** month), end)
    clock.now = now - timedelta(days=20)
    set_goal(crm, "posts", 2, per="week")
    set_goal(crm, "first_contacts", 6, per="month")
    set_goal(crm, "wins", 1, per="month")
    if known and known[0][0] == "linkedin":
        set_goal(crm, "followers", 1200, by=(now + timedelta(days=200)).date(), network="linkedin")
    clock.now = now
