"""Content: the rep's posts (``post log``), their engagement rate against a line.

Engagement rate = reactions ÷ views (a post nobody saw has none).  A month's
rate on a network is the month's reactions ÷ its views there, compared with
that network's line: ``meta["post_targets"][network]`` if set
(``report content --target linkedin=3%``), else the pipeline's ``post
target``, else 4 %.  Best and worst: highest and lowest rate among posts
with views (the earlier post wins a tie).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from socialcrm.models import Pipeline
from socialcrm.reports.selection import Filters
from socialcrm.reports.stats import rate
from socialcrm.repository import Repository

__all__ = ["TARGETS_META_KEY", "content", "targets"]

TARGETS_META_KEY = "post_targets"


def targets(repository: Repository, pipeline: Pipeline | None) -> tuple[float, dict[str, float]]:
    """The default line and the per-network ones."""
    from socialcrm.playbook.posts import DEFAULT_TARGET, target_of

    default = target_of(pipeline) if pipeline is not None else DEFAULT_TARGET
    raw = repository.get_meta(TARGETS_META_KEY) or {}
    per = {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float) and v > 0}
    return default, per


def set_network_target(crm: Any, network: str, target: str | float | None) -> dict[str, float]:
    """Set (``None``: remove) one network's line, through the unit of work."""
    from socialcrm.playbook.posts import parse_rate

    net = crm.networks.get(network).id
    with crm.recording.transaction() as recorder:
        current = dict(recorder.repository.get_meta(TARGETS_META_KEY) or {})
        if target is None:
            current.pop(net, None)
        else:
            current[net] = parse_rate(target)
        recorder.repository.set_meta(TARGETS_META_KEY, current or None)
    return {str(k): float(v) for k, v in current.items()}


def content(repository: Repository, filters: Filters) -> dict[str, Any]:
    """Each post and each month's engagement against the network's line; best and worst."""
    from socialcrm.playbook import POSTS_META_KEY
    from socialcrm.playbook.posts import Post

    default, per = targets(repository, repository.get_pipeline(filters.pipeline))
    posts = sorted(
        (Post.from_dict(d) for d in repository.get_meta(POSTS_META_KEY) or []),
        key=lambda p: (p.at, p.id),
    )
    wanted = filters.network.strip().lower() if filters.network else None
    posts = [p for p in posts if filters.within(p.at) and (wanted is None or p.network == wanted)]
    rows: list[dict[str, Any]] = []
    months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for post in posts:
        line = per.get(post.network, default)
        r = rate(post.reactions, post.views)
        rows.append(
            {
                "id": post.id,
                "date": post.at.date().isoformat(),
                "network": post.network,
                "views": post.views,
                "reactions": post.reactions,
                "rate": r,
                "target": line,
                "below_target": r is not None and r < line,
                "url": post.url,
            }
        )
        month = months[(post.at.strftime("%Y-%m"), post.network)]
        month[0] += 1
        month[1] += post.views
        month[2] += post.reactions
    seen = [row for row in rows if row["rate"] is not None]
    best = max(seen, key=lambda r: r["rate"], default=None)
    worst = min(seen, key=lambda r: r["rate"], default=None)
    total_views = sum(p.views for p in posts)
    total_reactions = sum(p.reactions for p in posts)
    return {
        "report": "content",
        "filters": filters.to_dict(),
        "default_target": default,
        "targets": per,
        "posts": len(posts),
        "views": total_views,
        "reactions": total_reactions,
        "rate": rate(total_reactions, total_views),
        "per_post": rows,
        "per_month": [
            {
                "month": month,
                "network": net,
                "posts": n,
                "views": v,
                "reactions": r,
                "rate": rate(r, v),
                "target": per.get(net, default),
                "below_target": v > 0 and r / v < per.get(net, default),
            }
            for (month, net), (n, v, r) in sorted(months.items())
        ],
        "best": best["id"] if best else None,
        "worst": worst["id"] if worst else None,
    }
