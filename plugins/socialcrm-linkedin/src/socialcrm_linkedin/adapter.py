"""LinkedIn profile URLs, message channels and the seller-profile checklist.

Canonical identity: the public profile slug, percent-decoded, NFC and
case-folded (``éric-dupont``); canonical URL
``https://www.linkedin.com/in/<slug>`` (non-ASCII percent-encoded, no trailing
slash, no query).  A company page is an organisation's identity: handle
``company/<slug>`` (``linkedin:company/acme``), URL
``https://www.linkedin.com/company/<slug>``; :meth:`LinkedInAdapter.is_organisation`
tells the core so (its prospect is an organisation, never split into names).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path

from attrs import frozen

from socialcrm.i18n import N_, translator
from socialcrm.networks import (
    BaseNetworkAdapter,
    Channel,
    ChecklistItem,
    ExportColumn,
    path_segments,
)

# reasons a URL is refused, in the rep's language (its own catalogue)
_ = translator("socialcrm_linkedin", Path(__file__).with_name("locale"))
__all__ = ["CHANNELS", "CHECKLIST", "LinkedInAdapter", "create_adapter"]

# 3–100 characters (LinkedIn's rule for custom URLs): letters of any script,
# digits and hyphens; generated slugs also end in a hyphen and a hex suffix.
_SLUG = re.compile(r"^[^\W_][\w\-]{2,99}$")
#: The handle prefix of a company page.
COMPANY = "company/"
_HEX = re.compile(r"^[0-9a-f]{1,3}$")
# Path prefixes of mobile or e-mail links that precede /in/<slug>.
_PREFIXES = {"m", "mwlite", "comm"}
_NOT_PEOPLE = {
    "school": N_("a LinkedIn school page, not a person's profile"),
    "showcase": N_("a LinkedIn showcase page, not a person's profile"),
    "groups": N_("a LinkedIn group, not a person's profile"),
    "posts": N_("a LinkedIn post, not a person's profile"),
    "pulse": N_("a LinkedIn article, not a person's profile"),
    "feed": N_("a LinkedIn feed page, not a person's profile"),
    "jobs": N_("a LinkedIn job page, not a person's profile"),
    "events": N_("a LinkedIn event, not a person's profile"),
    "newsletters": N_("a LinkedIn newsletter, not a person's profile"),
    "learning": N_("a LinkedIn Learning page, not a person's profile"),
    "sales": N_("a Sales Navigator page, not a person's profile"),
}
"""Why a LinkedIn page that is not a person is refused: one whole message per kind
(French agrees the article with the noun: « une page d'école », « un groupe »)."""

CHANNELS = (
    Channel(
        "connection_note",
        "Connection request note",
        300,
        "300 with Premium; free accounts get 200 (and a few personalised notes a month)",
    ),
    Channel("message", "Message (1st-degree connection)", 8000),
    Channel("inmail_subject", "InMail subject", 200),
    Channel(
        "inmail_body",
        "InMail body",
        1900,
        "LinkedIn documents 1,900 to 2,000 depending on the product; 1,900 is the safe value",
    ),
    Channel("comment", "Comment on a post", 1250),
)

CHECKLIST = (
    ChecklistItem(
        "photo",
        N_("A recent, professional profile photo"),
        N_(
            "Profiles with a photo get far more views and accepted invitations: people "
            "check who is writing to them before they answer."
        ),
    ),
    ChecklistItem(
        "banner",
        N_("A banner that says what you do for whom"),
        N_(
            "The banner is the largest visual on the profile; it can carry your offer or a "
            "proof (logo, figure) before anyone scrolls."
        ),
    ),
    ChecklistItem(
        "headline",
        N_("A headline naming the problem you solve, not only your job title"),
        N_(
            "The headline follows you in every comment, invitation and search result; it "
            "is what makes a prospect click."
        ),
    ),
    ChecklistItem(
        "about",
        N_("An 'About' section written for your buyers"),
        N_(
            "It turns a visit into a conversation: who you help, how, with which results, "
            "and how to reach you."
        ),
    ),
    ChecklistItem(
        "contact",
        N_("Contact details (e-mail, phone, website) visible to connections"),
        N_("A prospect who is ready should not have to search for a way to reach you."),
    ),
    ChecklistItem(
        "featured",
        N_("A 'Featured' section with proof of expertise"),
        N_(
            "Case studies, articles or talks pinned at the top are the proof that makes "
            "your messages credible."
        ),
    ),
    ChecklistItem(
        "experience",
        N_("Current position linked to your company page"),
        N_("The company logo and page link show the prospect a real business stands behind you."),
    ),
    ChecklistItem(
        "recommendations",
        N_("Recommendations from clients"),
        N_(
            "Third-party words weigh more than your own; they answer objections before "
            "they are raised."
        ),
    ),
    ChecklistItem(
        "custom_url",
        N_("A custom profile URL (linkedin.com/in/your-name)"),
        N_("A clean URL is easier to share on a card, in a signature or an e-mail."),
    ),
    ChecklistItem(
        "activity",
        N_("Recent activity (posts or comments in the last weeks)"),
        N_("An active profile shows you are reachable and feeds the notoriety stage."),
    ),
)


@frozen(kw_only=True)
class LinkedInAdapter(BaseNetworkAdapter):
    """LinkedIn's rules: ``/in/<slug>``, legacy ``/pub/`` paths, ``/company/<slug>`` pages
    (organisations); school and showcase pages, posts and the like refused."""

    def looks_like_url(self, text: str) -> bool:
        """``company/acme`` is a company page's handle, not a URL."""
        return text[: len(COMPANY)].casefold() != COMPANY and super().looks_like_url(text)

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = path_segments(parts)
        while segments and segments[0].lower() in _PREFIXES:
            segments = segments[1:]
        kind = segments[0].lower() if segments else ""
        if kind == "in" and len(segments) >= 2:
            return self.handle_from_text(segments[1])
        if kind == "pub" and len(segments) >= 2 and segments[1].lower() != "dir":
            return self.handle_from_text(_pub_slug(segments[1:]))
        if kind == "company" and len(segments) >= 2:
            return COMPANY + self.handle_from_text(segments[1])  # /about/, /posts/… dropped
        if kind in _NOT_PEOPLE:
            raise ValueError(_(_NOT_PEOPLE[kind]))
        raise ValueError(_("not a LinkedIn profile URL (expected linkedin.com/in/<name>)"))

    def handle_from_text(self, text: str) -> str:
        if text[: len(COMPANY)].casefold() == COMPANY:  # linkedin:company/acme
            return COMPANY + self.handle_from_text(text[len(COMPANY) :])
        slug = urllib.parse.unquote(text, errors="strict") if "%" in text else text
        slug = unicodedata.normalize("NFC", slug.casefold())
        if not _SLUG.match(slug):
            raise ValueError(_("a LinkedIn profile name has 3 to 100 letters, digits or hyphens"))
        return slug

    def profile_url(self, handle: str) -> str:
        if handle.startswith(COMPANY):
            slug = handle[len(COMPANY) :]
            return "https://www.linkedin.com/company/" + urllib.parse.quote(slug, safe="-")
        return "https://www.linkedin.com/in/" + urllib.parse.quote(handle, safe="-")

    def is_organisation(self, handle: str) -> bool:
        """A company page (``company/<slug>``) is an organisation, not a person."""
        return handle.startswith(COMPANY)


def _pub_slug(segments: list[str]) -> str:
    """The ``/in/`` slug of a legacy ``/pub/<name>/<a>/<b>/<c>`` URL.

    LinkedIn redirects such URLs to ``/in/<name>-<c><b><a>`` with ``c``
    zero-padded to 3, ``b`` to 2, and ``a`` dropped when it is ``0``.  A
    ``/pub/<name>`` URL without the three parts is the slug itself.
    """
    name, *rest = segments
    if len(rest) >= 3 and all(_HEX.match(part.lower()) for part in rest[:3]):
        a, b, c = (part.lower() for part in rest[:3])
        return f"{name}-{c.zfill(3)}{b.zfill(2)}{'' if a == '0' else a}"
    return name


def create_adapter() -> LinkedInAdapter:
    """A fresh LinkedIn adapter with the default limits and checklist."""
    return LinkedInAdapter(
        id="linkedin",
        name="LinkedIn",
        domains=("linkedin.com",),
        channels=CHANNELS,
        checklist=CHECKLIST,
        handle_example="jean-dupont",
        export_order=10,
        export_columns={
            "hubspot": ExportColumn("LinkedIn URL"),  # a custom property in most portals
            "twenty": ExportColumn("Linkedin / Link URL", standard=True),
        },
    )
