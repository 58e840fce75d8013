"""Facebook profile URLs, message channels and the seller-profile checklist.

Canonical identity: the username in lower case without periods (Facebook
ignores both: ``John.Smith55`` is ``johnsmith55``), URL
``https://www.facebook.com/<username>``; or a numeric profile id keyed
``id:<digits>``, URL ``https://www.facebook.com/profile.php?id=<digits>``.
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
    account_id,
    match_handle,
    path_segments,
    profile_segment,
    query_value,
)

# reasons a URL is refused, in the rep's language (its own catalogue)
_ = translator("socialcrm_facebook", Path(__file__).with_name("locale"))
__all__ = ["CHANNELS", "CHECKLIST", "FacebookAdapter", "create_adapter"]

# Once periods are dropped: 2 to 50 letters or digits, at least one letter
# (all digits is a numeric profile id).  Facebook's help centre asks at least 5
# characters of a *new* username, but older and Page usernames are shorter and
# still work (facebook.com/zuck, facebook.com/nike): refusing them would refuse
# real profiles.  One character is refused: no such profile is known, and
# Facebook's one-letter paths are its own (/l, /p).
_USERNAME = re.compile(r"^(?=.*[a-z])[a-z0-9]{2,50}$")
_RULE = "a Facebook username has 2 to 50 letters or digits (periods are ignored)"
_RESERVED = frozenset(
    {
        "groups", "pages", "events", "watch", "marketplace", "gaming", "help", "settings",
        "privacy", "policies", "business", "messages", "notifications", "friends", "search",
        "sharer", "share", "hashtag", "photo", "photos", "reel", "reels", "stories", "login",
        "dialog", "plugins", "legal", "terms", "fundraisers", "bookmarks", "saved",
        "memories", "live", "media", "people", "public", "directory", "places", "jobs",
        "careers", "about", "ads", "pg", "p", "l", "home", "profile", "story", "permalink",
        "video", "videos", "watchparty", "instantgames", "donate", "latest", "feeds",
        "me",
    }
)  # fmt: skip
_TABS = frozenset(
    {"about", "friends", "photos", "videos", "posts", "reels", "followers", "following",
     "mentions", "likes", "events", "reviews", "map", "music", "sports"}
)  # fmt: skip

CHANNELS = (
    Channel(
        "messenger",
        "Messenger message",
        2000,
        "the Messenger Platform's limit; the Messenger app accepts longer texts",
    ),
    Channel("comment", "Comment", 8000),
)

CHECKLIST = (
    ChecklistItem(
        "photo",
        N_("A recognisable profile photo"),
        N_(
            "Friend requests and Messenger messages from a face get answered; from a "
            "blank silhouette they look like spam."
        ),
    ),
    ChecklistItem(
        "cover",
        N_("A cover photo presenting your activity"),
        N_(
            "It is the banner of your profile: it tells a visitor what you do before they "
            "read a word."
        ),
    ),
    ChecklistItem(
        "intro",
        N_("An intro (bio) saying whom you help"),
        N_(
            "The intro appears on the profile and in previews: it turns a curious visitor "
            "into a prospect."
        ),
    ),
    ChecklistItem(
        "work",
        N_("Current work linked to your company's Facebook page"),
        N_("The page link shows a real business and lets prospects see its reviews."),
    ),
    ChecklistItem(
        "contact",
        N_("Public contact details (website, e-mail, phone)"),
        N_("A prospect ready to talk should find how to reach you without asking."),
    ),
    ChecklistItem(
        "featured",
        N_("Featured posts or photos with client results"),
        N_("Featured items are the proof of expertise shown at the top of the profile."),
    ),
    ChecklistItem(
        "public_posts",
        N_("Some public posts about your field"),
        N_("Private profiles give nothing to react to: public posts feed the notoriety stage."),
    ),
)


@frozen(kw_only=True)
class FacebookAdapter(BaseNetworkAdapter):
    """Facebook's rules: ``/<username>``, ``/profile.php?id=<digits>``, ``/people/<n>/<id>``."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = path_segments(parts)
        lowered = [s.lower() for s in segments]
        if lowered == ["profile.php"]:
            user_id = query_value(parts, "id")
            if user_id is None:
                raise ValueError(_("profile.php needs id=<digits>"))
            return account_id(user_id)
        if len(segments) in (3, 4) and lowered[0] == "people":
            return account_id(segments[2])
        account = profile_segment(segments, _TABS)
        if account is None:
            raise ValueError(_("not a Facebook profile URL (expected facebook.com/<username>)"))
        return self.handle_from_text(account)

    def handle_from_text(self, text: str) -> str:
        raw = text.removeprefix("@").casefold()
        if raw.startswith(ID_PREFIX):
            return account_id(raw[len(ID_PREFIX) :])
        if raw.isdigit():
            return account_id(raw)
        if raw in _RESERVED or raw.endswith(".php"):
            raise ValueError(
                _("{raw!r} is one of Facebook's own pages, not a profile").format(raw=raw)
            )
        return match_handle(raw.replace(".", ""), _USERNAME, _RULE)

    def profile_url(self, handle: str) -> str:
        if handle.startswith(ID_PREFIX):
            return "https://www.facebook.com/profile.php?id=" + handle[len(ID_PREFIX) :]
        return "https://www.facebook.com/" + handle


def create_adapter() -> FacebookAdapter:
    """A fresh Facebook adapter with the default limits and checklist."""
    return FacebookAdapter(
        id="facebook",
        name="Facebook",
        domains=("facebook.com", "fb.com"),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="jean.dupont",
        export_order=30,
        # No HubSpot or Twenty column: neither has this field built in, and their
        # import files have never had one (a column would change the files' layout).
        export_columns={"hubspot": None, "twenty": None},
    )
