"""Importer for Facebook's "Download your information": ``your_friends.json``.

``connections/friends/your_friends.json`` is ``{"friends_v2": [{"name",
"timestamp"}]}`` (older exports: ``"friends"``): names only, no profile URL.
Facebook writes every UTF-8 *byte* of a non-ASCII character as its own
``\\u00XX`` escape (``\\u00c3\\u00a9`` for ``é``), so once parsed each string is
mojibake; :func:`repair` re-reads it as Latin-1 bytes decoded as UTF-8 (per
string, only when that round-trip is valid) and normalises to NFC.

With no URL or e-mail, a friend is recognised on re-import by the name plus
the custom field ``facebook_friend_since`` (the friendship date, UTC ISO).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import N_, translator
from socialcrm.io.csvsafe import read_head
from socialcrm.io.formats import Importer, ImportItem, OwnerRecord, ProspectRecord, RowProblem
from socialcrm.io.jsonio import load_json
from socialcrm.io.jsonstream import array_elements
from socialcrm.networks import NetworkRegistry

# why a file or a row is refused, in the rep's language (the plugin's own catalogue)
_ = translator("socialcrm_facebook", Path(__file__).with_name("locale"))

__all__ = ["FriendsImporter", "ProfileImporter", "create_importers", "repair"]

KEYS = ("friends_v2", "friends")
_OPENING = re.compile(rb'\s*\{\s*"(?:friends_v2|friends)"\s*:\s*\[')
_CLOSING = re.compile(rb"\s*\}\s*")


def repair(text: str) -> str:
    """Undo Facebook's per-byte escaping of UTF-8 (``Ã©`` → ``é``), then NFC."""
    try:
        fixed = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        fixed = text  # already real text (or not mojibake): leave it alone
    return unicodedata.normalize("NFC", fixed)


def _since(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return None


#: The lists of people in the export: format name → (JSON keys, custom field, paths).
LISTS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "facebook-friends": (
        KEYS,
        "facebook_friend_since",
        ("friends/your_friends.json", "friends_and_followers/friends.json"),
    ),
    "facebook-sent-requests": (
        ("sent_requests_v2", "sent_requests"),
        "facebook_friend_request_sent",
        ("friends/sent_friend_requests.json", "friends_and_followers/sent_friend_requests.json"),
    ),
    "facebook-received-requests": (
        ("received_requests_v2", "received_requests"),
        "facebook_friend_request_received",
        (
            "friends/received_friend_requests.json",
            "friends_and_followers/received_friend_requests.json",
            "friends/friend_requests_received.json",
        ),
    ),
}


DESCRIPTIONS = {
    "facebook-friends": N_("Facebook your_friends.json (names, friendship dates)"),
    "facebook-sent-requests": N_("Facebook sent_friend_requests.json (names, request dates)"),
    "facebook-received-requests": N_(
        "Facebook received_friend_requests.json (names, request dates)"
    ),
}
"""Each list's description, a whole message (marked, translated through this domain)."""


class FriendsImporter:
    """Facebook ``your_friends.json`` (or, with ``kind``, the friend requests sent
    or received: people too, each with the date of the request)."""

    def __init__(self, kind: str = "facebook-friends") -> None:
        self.keys, self.custom_key, self.archive_paths = LISTS[kind]
        self.name = kind
        self.description = DESCRIPTIONS[kind]  # translated where shown (formats)
        self.archive_order = 10 if kind == "facebook-friends" else 20  # friends first
        keys = "|".join(re.escape(k) for k in self.keys)
        self._opening = re.compile(rb'\s*\{\s*"(?:' + keys.encode() + rb')"\s*:\s*\[')

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and any(f'"{k}"'.encode() in text[:200] for k in self.keys)

    def _friends(self, path: Path) -> Iterator[Any]:
        """The entries, read one at a time when the file is laid out as Facebook
        writes it (``{"friends_v2": [``…), else parsed whole (a smaller file)."""
        if self._opening.match(read_head(path).removeprefix(b"\xef\xbb\xbf")):
            for _line, entry in array_elements(path, self._opening, _CLOSING):
                yield entry
            return
        doc = load_json(path)
        friends = None
        if isinstance(doc, dict):
            friends = next((doc[k] for k in self.keys if isinstance(doc.get(k), list)), None)
        if friends is None:
            raise ImportFormatError(
                _("not a Facebook {name} file (expected {example})").format(
                    name=self.name, example=f'{{"{self.keys[0]}": [...]}}'
                ),
                path=str(path),
            )
        yield from friends

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        for row, entry in enumerate(self._friends(path), 1):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.strip():
                yield RowProblem(row, _("entry without a name"), "name")
                continue
            since = _since(entry.get("timestamp"))
            yield ProspectRecord(
                row=row,
                name=repair(name),
                custom={self.custom_key: since} if since else {},
                network="facebook",
            )


class ProfileImporter:
    """``profile_information.json``: the export's owner (the rep), never a prospect."""

    name = "facebook-profile"
    description = N_("Facebook profile_information.json (the export's owner: never a prospect)")
    archive_paths = ("profile_information/profile_information.json",)
    archive_order = 0

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"profile_v2"' in text[:200]

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        doc = load_json(path)
        profile = doc.get("profile_v2") if isinstance(doc, dict) else None
        name = profile.get("name") if isinstance(profile, dict) else None
        full = name.get("full_name") if isinstance(name, dict) else None
        if not isinstance(full, str):
            yield RowProblem(
                1, _("no full name in the profile (profile_v2.name.full_name)"), "name"
            )
            return
        yield OwnerRecord(1, repair(full), (), "facebook")


def create_importers() -> list[Importer]:
    """The readers of Facebook's owner, friends list and friend requests."""
    return [ProfileImporter(), *(FriendsImporter(kind) for kind in LISTS)]
