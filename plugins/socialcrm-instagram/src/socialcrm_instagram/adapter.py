"""Instagram profile URLs, message channels and the seller-profile checklist.

Canonical identity: the username in lower case (Instagram usernames are
case-insensitive), URL ``https://www.instagram.com/<username>``.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

from attrs import frozen

from socialcrm.i18n import N_, translator
from socialcrm.networks import (
    BaseNetworkAdapter,
    Channel,
    ChecklistItem,
    match_handle,
    path_segments,
    profile_segment,
)

# reasons a URL is refused, in the rep's language (its own catalogue)
_ = translator("socialcrm_instagram", Path(__file__).with_name("locale"))
__all__ = ["CHANNELS", "CHECKLIST", "InstagramAdapter", "create_adapter"]

# 1–30 letters, digits, periods and underscores; "." and ".." alone would be
# path traversal, so at least one character must not be a period.
_USERNAME = re.compile(r"^(?!\.+$)[a-z0-9._]{1,30}$")
_RULE = "an Instagram username has 1 to 30 letters, digits, periods or underscores"
_RESERVED = frozenset(
    {
        "p", "reel", "reels", "explore", "accounts", "direct", "stories", "tv", "about",
        "legal", "developer", "web", "api", "graphql", "challenge", "emails", "session",
        "privacy", "terms", "directory", "_n", "_u", "s", "ar", "static",
    }
)  # fmt: skip
_TABS = frozenset({"reels", "tagged", "saved", "followers", "following", "guides", "feed"})

CHANNELS = (
    Channel("dm", "Direct message", 1000),
    Channel("comment", "Comment", 2200, "same limit as captions"),
)

CHECKLIST = (
    ChecklistItem(
        "photo",
        N_("A profile photo that reads well in a small circle"),
        N_(
            "It is shown tiny next to every comment and story: a close-up face or a clear "
            "logo is recognised at a glance."
        ),
    ),
    ChecklistItem(
        "professional_account",
        N_("A professional (business or creator) account"),
        N_(
            "It adds contact buttons, a category under your name and statistics on who "
            "engages with you."
        ),
    ),
    ChecklistItem(
        "bio",
        N_("A bio saying whom you help, with a call to action"),
        N_("Visitors decide in seconds whether to follow; 150 characters must say why."),
    ),
    ChecklistItem(
        "link",
        N_("A link in bio to your offer or booking page"),
        N_("It is the way out of Instagram towards a conversation or a sale."),
    ),
    ChecklistItem(
        "highlights",
        N_("Story highlights with testimonials and offers"),
        N_("Highlights stay on the profile: they are the proof a prospect browses before writing."),
    ),
    ChecklistItem(
        "grid",
        N_("Recent posts showing your expertise"),
        N_("The first nine posts are your portfolio; a prospect judges your work from them."),
    ),
    ChecklistItem(
        "contact",
        N_("Contact options (e-mail, phone) enabled"),
        N_("A prospect ready to buy should not have to send a DM to find how to reach you."),
    ),
)


@frozen(kw_only=True)
class InstagramAdapter(BaseNetworkAdapter):
    """Instagram's rules: ``/<username>`` and ``/_u/<username>`` (app links)."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = path_segments(parts)
        if segments and segments[0].lower() == "_u":
            segments = segments[1:]
        account = profile_segment(segments, _TABS)
        if account is None:
            raise ValueError(_("not an Instagram profile URL (expected instagram.com/<username>)"))
        return self.handle_from_text(account)

    def handle_from_text(self, text: str) -> str:
        return match_handle(text, _USERNAME, _RULE, reserved=_RESERVED)

    def profile_url(self, handle: str) -> str:
        return "https://www.instagram.com/" + handle


def create_adapter() -> InstagramAdapter:
    """A fresh Instagram adapter with the default limits and checklist."""
    return InstagramAdapter(
        id="instagram",
        name="Instagram",
        domains=("instagram.com",),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="@jean.dupont",
        export_order=40,
        # No HubSpot or Twenty column: neither has this field built in, and their
        # import files have never had one (a column would change the files' layout).
        export_columns={"hubspot": None, "twenty": None},
    )
