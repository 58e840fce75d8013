"""X (formerly Twitter) profile URLs, message channels and the seller-profile checklist.

Canonical identity: the handle in lower case (handles are compared
case-insensitively), URL ``https://x.com/<handle>``.  A numeric account id
(which survives handle changes) is keyed ``id:<digits>``, URL
``https://x.com/intent/user?user_id=<digits>``.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from attrs import frozen

from socialcrm.i18n import N_, translator
from socialcrm.networks import (
    ID_PREFIX,
    BaseNetworkAdapter,
    Channel,
    ChecklistItem,
    ExportColumn,
    account_id,
    match_handle,
    path_segments,
    profile_segment,
    query_value,
)

# reasons a URL is refused, in the rep's language (its own catalogue)
_ = translator("socialcrm_x", Path(__file__).with_name("locale"))
__all__ = ["CHANNELS", "CHECKLIST", "XAdapter", "create_adapter"]

_HANDLE = re.compile(r"^[a-z0-9_]{1,15}$")
_RULE = "an X handle has 1 to 15 letters, digits or underscores"
# First path segments that are X's own pages, never accounts.
_RESERVED = frozenset(
    {
        "home", "explore", "notifications", "messages", "search", "settings", "i", "intent",
        "compose", "login", "logout", "signup", "tos", "privacy", "hashtag", "share", "jobs",
        "account", "download", "lists", "communities", "premium", "who_to_follow", "help",
        "about", "rules", "following", "followers",
    }
)  # fmt: skip
_TABS = frozenset(
    {"with_replies", "media", "likes", "highlights", "articles", "followers", "following",
     "verified_followers", "superfollows"}
)  # fmt: skip

CHANNELS = (
    Channel("post", "Post (reply or mention)", 280, "25,000 for Premium subscribers"),
    Channel("dm", "Direct message", 10000),
)

CHECKLIST = (
    ChecklistItem(
        "photo",
        N_("A clear photo of your face"),
        N_(
            "On a fast-scrolling feed, a face is what makes a reply or a DM recognisable "
            "as coming from a person."
        ),
    ),
    ChecklistItem(
        "header",
        N_("A header image stating your offer"),
        N_(
            "The header is seen by everyone who opens your profile from a reply: it says "
            "what you do before they read anything."
        ),
    ),
    ChecklistItem(
        "bio",
        N_("A bio saying whom you help and how"),
        N_(
            "160 characters decide whether a prospect follows you back; name the problem "
            "you solve, not only your title."
        ),
    ),
    ChecklistItem(
        "link",
        N_("A website or booking link in the profile"),
        N_(
            "It is the only clickable link of the profile: send it where a prospect can "
            "learn more or contact you."
        ),
    ),
    ChecklistItem(
        "pinned",
        N_("A pinned post proving your expertise"),
        N_(
            "The pinned post is the first content a visitor sees: a case study or a "
            "thread of advice builds trust at once."
        ),
    ),
    ChecklistItem(
        "dms_open",
        N_("Direct messages open to people you do not follow"),
        N_("A prospect warmed up by your posts must be able to answer you privately."),
    ),
    ChecklistItem(
        "activity",
        N_("Regular posts and replies in your niche"),
        N_(
            "An account that posts gets seen in your prospects' feeds: that is the notoriety stage."
        ),
    ),
)


@frozen(kw_only=True)
class XAdapter(BaseNetworkAdapter):
    """X's rules: ``x.com`` or ``twitter.com``, ``/<handle>``, ``@handle`` and numeric ids."""

    def text_length(self, text: str, channel: str) -> int:
        """X's weighted count (twitter-text v3 rules, through ``twitter-text-parser``):
        CJK and most emoji count 2, every URL 23, whatever its length."""
        from twitter_text import parse_tweet  # a small pure-Python library, on first use

        return int(parse_tweet(text).weightedLength)

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = path_segments(parts)
        lowered = [s.lower() for s in segments]
        if lowered[:2] in (["intent", "user"], ["intent", "follow"]) and len(segments) == 2:
            user_id = query_value(parts, "user_id")
            if user_id is not None:
                return account_id(user_id)
            screen_name = query_value(parts, "screen_name")
            if screen_name is not None:
                return self.handle_from_text(screen_name)
            raise ValueError(_("an intent URL needs user_id=<digits> or screen_name=<handle>"))
        if lowered[:2] == ["i", "user"] and len(segments) == 3:
            return account_id(segments[2])
        if len(segments) >= 2 and lowered[1] == "status":
            raise ValueError(_("a post, not a profile (use x.com/<handle>)"))
        account = profile_segment(segments, _TABS)
        if account is None:
            raise ValueError(_("not an X profile URL (expected x.com/<handle>)"))
        return self.handle_from_text(account)

    def handle_from_text(self, text: str) -> str:
        if text.lower().startswith(ID_PREFIX):
            return account_id(text[len(ID_PREFIX) :])
        return match_handle(text, _HANDLE, _RULE, reserved=_RESERVED)

    def profile_url(self, handle: str) -> str:
        if handle.startswith(ID_PREFIX):
            return "https://x.com/intent/user?user_id=" + handle[len(ID_PREFIX) :]
        return "https://x.com/" + handle


def create_adapter() -> XAdapter:
    """A fresh X adapter with the default limits and checklist."""
    return XAdapter(
        id="x",
        name="X (Twitter)",
        domains=("x.com", "twitter.com"),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="@jdupont",
        export_order=20,
        export_columns={
            "hubspot": ExportColumn("Twitter Username", value="handle", standard=True),
            "twenty": ExportColumn("X / Link URL", standard=True),
        },
        vcard_type="twitter",  # Apple's name for the service
        vcard_service="X",
        aliases=("twitter",),
    )
