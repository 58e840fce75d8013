"""Stage 3, notoriety: the rep's own posts and their engagement rate.

Publishing is how a seller becomes known before contacting anyone.  The rep
logs each post's views and reactions; the engagement rate is reactions ÷
views, flagged when below the pipeline's target (``settings["post_target"]``,
a fraction, default 0.04 = 4 %).

Posts belong to the rep, not to an offer, so they are kept in the store's
meta (``posts``: a list of plain dicts), shared by every pipeline.  Logging a
post whose URL is already known updates its counts instead of adding a twin
(views keep growing after publication).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline, nfc
from socialcrm.playbook import POST_TARGET_KEY, POSTS_META_KEY
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "DEFAULT_TARGET",
    "Post",
    "Summary",
    "list_posts",
    "log_post",
    "parse_rate",
    "set_target",
    "summary",
    "target_of",
]

DEFAULT_TARGET = 0.04


@frozen
class Post:
    """One of the rep's posts: where, when, how many saw it and reacted."""

    id: str
    network: str
    at: datetime
    views: int
    reactions: int
    url: str | None = None

    @property
    def rate(self) -> float | None:
        """Reactions ÷ views; ``None`` before anyone saw it."""
        return self.reactions / self.views if self.views else None

    def below(self, target: float) -> bool:
        return self.rate is not None and self.rate < target

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "network": self.network,
            "at": self.at.isoformat(),
            "views": self.views,
            "reactions": self.reactions,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Post:
        return cls(
            id=str(data["id"]),
            network=str(data["network"]),
            at=datetime.fromisoformat(str(data["at"])),
            views=int(data["views"]),
            reactions=int(data["reactions"]),
            url=data.get("url"),
        )


def parse_rate(text: str | float) -> float:
    """Read ``"4%"``, ``"4 %"`` or ``0.04`` as the fraction 0.04."""
    raw = str(text).strip()
    try:
        value = float(raw.rstrip("%").strip()) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ValidationError(
            _("invalid rate {text!r}").format(text=text),
            field="target",
            value=text,
            hint=_("e.g. 4% or 0.04"),
        ) from None
    if not 0 < value <= 1:
        raise ValidationError(
            _("a target rate is between 0 and 100 %, got {text!r}").format(text=text),
            field="target",
            value=text,
        )
    return value


def target_of(pipeline: Pipeline) -> float:
    """The pipeline's engagement-rate target (fraction)."""
    value = pipeline.settings.get(POST_TARGET_KEY)
    return float(value) if isinstance(value, int | float) and value > 0 else DEFAULT_TARGET


def set_target(crm: CRM, target: float | str | None) -> float:
    """Set (or with ``None`` reset) the current pipeline's target; return it."""
    value = None if target is None else parse_rate(target)
    pipeline = crm.update_pipeline_settings({POST_TARGET_KEY: value})
    return target_of(pipeline)


def list_posts(crm: CRM, network: str | None = None) -> list[Post]:
    """The rep's posts, oldest first (optionally on one network)."""
    raw = crm.repository.get_meta(POSTS_META_KEY) or []
    try:
        posts = [Post.from_dict(d) for d in raw]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ValidationError(
            _("the store's list of posts is damaged ({exc!r})").format(exc=exc),
            field=POSTS_META_KEY,
        ) from None
    if network:
        posts = [p for p in posts if p.network == network.strip().lower()]
    return sorted(posts, key=lambda p: (p.at, p.id))


def _check_url(url: str) -> str:
    check(url, "url")
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValidationError(
            _("invalid post URL {url!r}").format(url=url),
            field="url",
            value=url,
            hint=_("an http(s) link"),
        )
    return url.strip()


def log_post(
    crm: CRM,
    network: str,
    *,
    views: int,
    reactions: int,
    url: str | None = None,
    at: datetime | None = None,
) -> Post:
    """Record a post, or update the counts of the post already logged with ``url``."""
    adapter = crm.networks.get(network)  # a known network, with a helpful error
    for name, value in (("views", views), ("reactions", reactions)):
        if value < 0:
            raise ValidationError(
                _("{name} must be >= 0").format(name=name), field=name, value=value
            )
    if reactions > views:
        raise ValidationError(
            _("{reactions} reactions for {views} views").format(reactions=reactions, views=views),
            field="reactions",
            value=reactions,
            hint=_("reactions come from people who saw the post: check the numbers"),
        )
    clean_url = _check_url(url) if url and nfc(url) else None
    with crm.repository.transaction():
        posts = list_posts(crm)
        existing = next(
            (p for p in posts if clean_url and p.url == clean_url and p.network == adapter.id),
            None,
        )
        if existing is not None:
            post = evolve(existing, views=views, reactions=reactions)
            posts = [post if p.id == existing.id else p for p in posts]
        else:
            when = at or crm.now()
            post = Post(crm.recording.new_id(when), adapter.id, when, views, reactions, clean_url)
            posts.append(post)
        crm.repository.set_meta(POSTS_META_KEY, [p.to_dict() for p in posts])
    return post


@frozen
class Summary:
    """Totals over a set of posts, against the target."""

    posts: int
    views: int
    reactions: int
    target: float

    @property
    def rate(self) -> float | None:
        return self.reactions / self.views if self.views else None

    @property
    def below_target(self) -> bool:
        return self.rate is not None and self.rate < self.target


def summary(crm: CRM, network: str | None = None) -> Summary:
    """Overall engagement rate (total reactions ÷ total views) against the target."""
    posts = list_posts(crm, network)
    return Summary(
        len(posts),
        sum(p.views for p in posts),
        sum(p.reactions for p in posts),
        target_of(crm.pipeline),
    )
