"""YouTube channel URLs, message channels and the seller-profile checklist.

Canonical identity: the @handle without its ``@``, NFC and case-folded
(handles are case-insensitive and may use many scripts), URL
``https://www.youtube.com/@<handle>``; or a channel id keyed ``id:UC…``
(case-sensitive), URL ``https://www.youtube.com/channel/UC…``.
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
    match_handle,
    path_segments,
    profile_segment,
)

# reasons a URL is refused, in the rep's language (its own catalogue)
_ = translator("socialcrm_youtube", Path(__file__).with_name("locale"))
__all__ = ["CHANNELS", "CHECKLIST", "YouTubeAdapter", "create_adapter"]

_HANDLE = re.compile(r"^[^\W_][\w.\-·]{2,29}$")
_RULE = "a YouTube handle has 3 to 30 letters, digits, periods, hyphens or underscores"
_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_\-]{22}$")
_TABS = frozenset(
    {"featured", "videos", "shorts", "streams", "playlists", "community", "posts", "about",
     "podcasts", "releases", "courses", "store", "channels", "live", "search"}
)  # fmt: skip
_NOT_CHANNELS = {
    "watch": N_("a video, not a channel"),
    "shorts": N_("a short video, not a channel"),
    "playlist": N_("a playlist, not a channel"),
    "results": N_("a search, not a channel"),
    "feed": N_("a feed page, not a channel"),
    "live": N_("a live video, not a channel"),
    "post": N_("a post, not a channel"),
}
"""Why a YouTube page that is not a channel is refused: one whole message per kind."""

CHANNELS = (
    Channel("comment", "Comment", 10000),
    Channel("live_chat", "Live chat message", 200),
)

CHECKLIST = (
    ChecklistItem(
        "picture",
        N_("A channel picture (your face or logo)"),
        N_(
            "It appears next to every comment you write on a prospect's video: it must "
            "be recognisable."
        ),
    ),
    ChecklistItem(
        "banner",
        N_("A banner stating what the channel teaches and for whom"),
        N_("Visitors decide to subscribe from the banner and the first videos."),
    ),
    ChecklistItem(
        "description",
        N_("A channel description with your offer and keywords"),
        N_("It is what search engines and visitors read to understand your expertise."),
    ),
    ChecklistItem(
        "links",
        N_("Links to your website and a contact e-mail for business enquiries"),
        N_("A prospect convinced by a video needs a way to reach you outside YouTube."),
    ),
    ChecklistItem(
        "trailer",
        N_("A channel trailer or featured video"),
        N_(
            "Non-subscribers see it first: a short proof of expertise that starts the relationship."
        ),
    ),
    ChecklistItem(
        "playlists",
        N_("Playlists organised around your clients' problems"),
        N_("They guide a prospect from one answer to the next and keep them watching."),
    ),
    ChecklistItem(
        "handle",
        N_("A short @handle matching your name or brand"),
        N_("The handle is how people mention and find you; it should be easy to say."),
    ),
)


@frozen(kw_only=True)
class YouTubeAdapter(BaseNetworkAdapter):
    """YouTube's rules: ``/@handle`` and ``/channel/UC<22 characters>``."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = path_segments(parts)
        first = segments[0].lower() if segments else ""
        if first.startswith("@"):
            account = profile_segment(segments, _TABS)
            if account is not None:
                return self.handle_from_text(account)
        elif first == "channel" and len(segments) >= 2:
            account = profile_segment(segments[1:], _TABS)
            if account is not None and _CHANNEL_ID.match(account):
                return ID_PREFIX + account
            raise ValueError(_("a channel id is UC followed by 22 letters, digits, _ or -"))
        elif first in _NOT_CHANNELS:
            raise ValueError(_(_NOT_CHANNELS[first]))
        raise ValueError(
            _(
                "not a channel URL; open the channel and copy its youtube.com/@handle "
                "or youtube.com/channel/UC… address"
            )
        )

    def handle_from_text(self, text: str) -> str:
        if text.startswith(ID_PREFIX) or _CHANNEL_ID.match(text):
            channel = text.removeprefix(ID_PREFIX)
            if not _CHANNEL_ID.match(channel):
                raise ValueError(_("a channel id is UC followed by 22 letters, digits, _ or -"))
            return ID_PREFIX + channel
        return match_handle(text, _HANDLE, _RULE)

    def profile_url(self, handle: str) -> str:
        if handle.startswith(ID_PREFIX):
            return "https://www.youtube.com/channel/" + handle[len(ID_PREFIX) :]
        return "https://www.youtube.com/@" + urllib.parse.quote(handle)


def create_adapter() -> YouTubeAdapter:
    """A fresh YouTube adapter with the default limits and checklist."""
    return YouTubeAdapter(
        id="youtube",
        name="YouTube",
        domains=("youtube.com",),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="@jeandupont",
        export_order=50,
        # No HubSpot or Twenty column: neither has this field built in, and their
        # import files have never had one (a column would change the files' layout).
        export_columns={"hubspot": None, "twenty": None},
    )
