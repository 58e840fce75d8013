"""Importers for Instagram's "Download your information": followers and following.

* ``followers_1.json`` — a bare JSON array of entries
  ``{"title": "", "string_list_data": [{"href", "value", "timestamp"}]}``;
* ``following.json`` — ``{"relationships_following": [...]}``; newer exports
  put the username in ``title``, link to ``https://www.instagram.com/_u/<user>``
  and omit ``value``.

The profile link is parsed by the Instagram adapter (``_u/`` links included);
the display name is ``@<username>`` (Instagram gives no real name), a
placeholder a later import with the real name replaces.  The custom field
``instagram_follower_since`` / ``instagram_following_since`` keeps the date.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialcrm.errors import ImportFormatError, SocialCRMError
from socialcrm.i18n import N_, translator
from socialcrm.io.csvsafe import read_head
from socialcrm.io.formats import Importer, ImportItem, OwnerRecord, ProspectRecord, RowProblem
from socialcrm.io.jsonio import load_json
from socialcrm.io.jsonstream import array_elements
from socialcrm.networks import NetworkRegistry

# why a file or a row is refused, in the rep's language (the plugin's own catalogue)
_ = translator("socialcrm_instagram", Path(__file__).with_name("locale"))

__all__ = ["RelationsImporter", "create_importers"]

#: part → (JSON key, archive paths).  Follow requests are people too: pending ones
#: the rep sent, and those the rep received.
PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "followers": (
        "relationships_followers",
        ("followers_and_following/followers_*.json", "followers_and_following/followers.json"),
    ),
    "following": ("relationships_following", ("followers_and_following/following.json",)),
    "pending-requests": (
        "relationships_follow_requests_sent",
        ("followers_and_following/pending_follow_requests.json",),
    ),
    "received-requests": (
        "relationships_follow_requests_received",
        ("followers_and_following/follow_requests_you've_received.json",),
    ),
}
DESCRIPTIONS = {
    "followers": N_("Instagram followers JSON (usernames, dates)"),
    "following": N_("Instagram following JSON (usernames, dates)"),
    "pending-requests": N_("Instagram pending requests JSON (usernames, dates)"),
    "received-requests": N_("Instagram received requests JSON (usernames, dates)"),
}
"""Each part's description, a whole message (marked, translated through this domain)."""
_OPENINGS = {
    part: re.compile(rb'\s*\{\s*"' + key.encode() + rb'"\s*:\s*\[')
    for part, (key, _paths) in PARTS.items()
}
_OBJECT_END = re.compile(rb"\s*\}\s*")
_TOP = re.compile(rb"\s*\[")
_END = re.compile(rb"\s*")


def _date(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _repair(text: str) -> str:
    """Instagram escapes UTF-8 byte by byte like Facebook: undo it, then NFC."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("latin-1").decode("utf-8")
    return unicodedata.normalize("NFC", text)


class RelationsImporter:
    """``followers_1.json`` (``part="followers"``) or ``following.json``."""

    def __init__(self, part: str) -> None:
        self.part = part  # "followers" | "following"
        self.name = f"instagram-{part}"
        self.description = DESCRIPTIONS[part]  # translated where shown (formats)
        self.key, self.archive_paths = PARTS[part]
        self.archive_order = 10

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if text.startswith(b"{"):
            return f'"{self.key}"'.encode() in text[:200]
        if self.part != "followers":
            return False
        return text.startswith(b"[") and b'"string_list_data"' in text

    def _entries(self, path: Path) -> Iterator[Any]:
        """The entries, read one at a time when the file is laid out as Instagram
        writes it, else parsed whole (a smaller file)."""
        head = read_head(path).removeprefix(b"\xef\xbb\xbf")
        opening = _OPENINGS[self.part]
        for pattern, closing in ((opening, _OBJECT_END), (_TOP, _END)):
            if pattern.match(head) and (pattern is opening or self.part == "followers"):
                for _line, entry in array_elements(path, pattern, closing):
                    yield entry
                return
        yield from self._whole(path)

    def _whole(self, path: Path) -> list[Any]:
        doc = load_json(path)
        if isinstance(doc, list) and self.part == "followers":
            return doc
        if isinstance(doc, dict):
            found = doc.get(self.key)
            if isinstance(found, list):
                return found
        raise ImportFormatError(
            _("not an Instagram {part} file").format(part=self.part), path=str(path)
        )

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        for row, entry in enumerate(self._entries(path), 1):
            data = entry.get("string_list_data") if isinstance(entry, dict) else None
            item = data[0] if isinstance(data, list) and data else {}
            if not isinstance(item, dict):
                item = {}
            title = entry.get("title") if isinstance(entry, dict) else None
            username = item.get("value") or title or ""
            href = item.get("href") or ""
            if not isinstance(username, str) or not isinstance(href, str):
                yield RowProblem(row, _("unexpected entry (its username or link is not text)"))
                continue
            ref = href or (f"instagram:{username}" if username else "")
            if not ref:
                yield RowProblem(row, _("entry without a username or link"), "href")
                continue
            if not username:
                try:
                    username = networks.parse(ref, network="instagram").handle
                except SocialCRMError:
                    username = ref
            since = _date(item.get("timestamp"))
            yield ProspectRecord(
                row=row,
                name="@" + _repair(username).lstrip("@"),
                urls=[ref],
                custom={f"instagram_{self.part.replace('-', '_')}_since": since} if since else {},
                network="instagram",
            )


class PersonalInformationImporter:
    """``personal_information.json``: the export's owner (the rep), never a prospect."""

    name = "instagram-personal-information"
    description = N_("Instagram personal_information.json (the export's owner: never a prospect)")
    archive_paths = ("personal_information/personal_information.json",)
    archive_order = 0

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and b'"profile_user"' in text[:200]

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        doc = load_json(path)
        users = doc.get("profile_user") if isinstance(doc, dict) else None
        first = users[0] if isinstance(users, list) and users else None
        data = first.get("string_map_data") if isinstance(first, dict) else None
        if not isinstance(data, dict):
            yield RowProblem(1, _("no profile in the file (profile_user[0].string_map_data)"))
            return

        def value(key: str) -> str:
            found = data.get(key)
            text = found.get("value") if isinstance(found, dict) else None
            return _repair(text).strip() if isinstance(text, str) else ""

        username = value("Username").lstrip("@")
        urls = [f"https://www.instagram.com/{username}"] if username else []
        yield OwnerRecord(1, value("Name") or f"@{username}", urls, "instagram")


def create_importers() -> list[Importer]:
    """The readers of Instagram's followers and following lists."""
    return [PersonalInformationImporter(), *(RelationsImporter(part) for part in PARTS)]
