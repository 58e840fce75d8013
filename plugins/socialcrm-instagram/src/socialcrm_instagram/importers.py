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
from socialcrm.io.csvsafe import read_head
from socialcrm.io.formats import Importer, ImportItem, ProspectRecord, RowProblem
from socialcrm.io.jsonio import load_json
from socialcrm.io.jsonstream import array_elements
from socialcrm.networks import NetworkRegistry

__all__ = ["RelationsImporter", "create_importers"]

_OPENINGS = {
    part: re.compile(rb'\s*\{\s*"relationships_' + part.encode() + rb'"\s*:\s*\[')
    for part in ("followers", "following")
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
        self.description = f"Instagram {part} JSON (usernames, dates)"
        self.archive_paths = (
            ("followers_and_following/followers_*.json", "followers_and_following/followers.json")
            if part == "followers"
            else ("followers_and_following/following.json",)
        )
        self.archive_order = 10

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if self.part == "following":
            return text.startswith(b"{") and b'"relationships_following"' in text[:200]
        if text.startswith(b"{"):
            return b'"relationships_followers"' in text[:200]
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
            found = doc.get(f"relationships_{self.part}")
            if isinstance(found, list):
                return found
        raise ImportFormatError(f"not an Instagram {self.part} file", path=str(path))

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
                yield RowProblem(row, "unexpected entry")
                continue
            ref = href or (f"instagram:{username}" if username else "")
            if not ref:
                yield RowProblem(row, "entry without a username or link", "href")
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
                custom={f"instagram_{self.part}_since": since} if since else {},
                network="instagram",
            )


def create_importers() -> list[Importer]:
    """The readers of Instagram's followers and following lists."""
    return [
        RelationsImporter("followers"),
        RelationsImporter("following"),
    ]
