"""Mastodon profile URLs on known instances.

Mastodon is federated: an account is ``user@instance`` and any server may host
one.  A profile URL is only accepted on an instance the rep trusts (a default
list plus ``SOCIALCRM_MASTODON_INSTANCES``): socialcrm never follows or stores
a link to an arbitrary host.

Canonical identity: ``user@instance`` in lower case, URL
``https://<instance>/@<user>``.

Exports and address books: nothing to write for the defaults — socialcrm
derives them from the id and name (a ``mastodon`` CSV column, ``Mastodon
URL`` in HubSpot, ``Mastodon / Link URL`` in Twenty, vCard service
``mastodon`` / ``Mastodon``).  The adapter only adds ``fediverse`` as another
name, so a ``Fediverse`` spreadsheet column or vCard service means Mastodon.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

from attrs import frozen

from socialcrm.networks import (
    BaseNetworkAdapter,
    Channel,
    ChecklistItem,
    host_matches,
    match_handle,
    path_segments,
    profile_segment,
)

__all__ = ["DEFAULT_INSTANCES", "MastodonAdapter", "create_adapter"]

DEFAULT_INSTANCES = (
    "mastodon.social",
    "mastodon.online",
    "mas.to",
    "mstdn.social",
    "fosstodon.org",
    "hachyderm.io",
    "infosec.exchange",
)

_USER = re.compile(r"^[a-z0-9_]{1,30}$")
_INSTANCE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_RULE = "a Mastodon account is user@instance (user: 1 to 30 letters, digits or _)"
_TABS = frozenset({"with_replies", "media", "following", "followers"})

CHANNELS = (
    Channel("post", "Public post or reply", 500, "500 on most instances; admins may raise it"),
    Channel("dm", "Private mention", 500, "a post with 'mentioned people only' visibility"),
)

CHECKLIST = (
    ChecklistItem(
        "avatar",
        "An avatar showing your face or logo",
        "Boosts and replies show it next to your words: people answer a recognisable face.",
    ),
    ChecklistItem(
        "bio",
        "A bio saying whom you help, with hashtags of your field",
        "Mastodon search leans on bios and hashtags: it is how prospects find you.",
    ),
    ChecklistItem(
        "verified_link",
        "A verified link to your website (rel=me)",
        "The green check proves the site is yours: trust without a blue badge.",
    ),
    ChecklistItem(
        "pinned",
        "Pinned posts showing your expertise",
        "Visitors read pinned posts first; they are your portfolio.",
    ),
)


def _instance(value: str) -> str:
    instance = value.strip().lower().rstrip(".")
    if not _INSTANCE.match(instance):
        raise ValueError(f"{value!r} is not an instance host name")
    return instance


@frozen(kw_only=True)
class MastodonAdapter(BaseNetworkAdapter):
    """Mastodon's rules: ``/@user``, ``/users/user``, ``/@user@other.instance``, ``@user@host``."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        host = (parts.hostname or "").rstrip(".")
        instance = next(d for d in self.domains if host_matches(host, (d,)))
        segments = path_segments(parts)
        if len(segments) >= 2 and segments[0].lower() == "users":
            segments = ["@" + segments[1], *segments[2:]]
        account = profile_segment(segments, _TABS)
        if account is None or not account.startswith("@"):
            raise ValueError("not a profile URL (expected https://<instance>/@user)")
        user, _, remote = account[1:].partition("@")
        return self.handle_from_text(f"{user}@{remote or instance}")

    def handle_from_text(self, text: str) -> str:
        user, sep, instance = text.removeprefix("@").partition("@")
        if not sep:
            raise ValueError(_RULE)
        instance = _instance(instance)
        if instance not in self.domains:
            raise ValueError(
                f"unknown instance {instance!r}; add it to SOCIALCRM_MASTODON_INSTANCES"
            )
        return f"{match_handle(user, _USER, _RULE)}@{instance}"

    def profile_url(self, handle: str) -> str:
        user, _, instance = handle.partition("@")
        return f"https://{instance}/@{user}"


def create_adapter(extra_instances: Iterable[str] = ()) -> MastodonAdapter:
    """An adapter trusting the default instances plus ``extra_instances``.

    Raises :class:`ValueError` for an extra instance that is not a host name.
    """
    instances = dict.fromkeys([*DEFAULT_INSTANCES, *(_instance(i) for i in extra_instances)])
    return MastodonAdapter(
        id="mastodon",
        name="Mastodon",
        domains=tuple(instances),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="@ana@mastodon.social",
        aliases=("fediverse",),
    )
