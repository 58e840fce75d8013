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
from socialcrm.io.csvsafe import read_head
from socialcrm.io.formats import Importer, ImportItem, ProspectRecord, RowProblem
from socialcrm.io.jsonio import load_json
from socialcrm.io.jsonstream import array_elements
from socialcrm.networks import NetworkRegistry

__all__ = ["FriendsImporter", "create_importers", "repair"]

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


class FriendsImporter:
    """Facebook ``your_friends.json``."""

    name = "facebook-friends"
    description = "Facebook your_friends.json (names, friendship dates)"
    archive_paths = ("friends/your_friends.json", "friends_and_followers/friends.json")
    archive_order = 10

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and any(f'"{k}"'.encode() in text[:200] for k in KEYS)

    def _friends(self, path: Path) -> Iterator[Any]:
        """The friends, read one at a time when the file is laid out as Facebook
        writes it (``{"friends_v2": [``…), else parsed whole (a smaller file)."""
        if _OPENING.match(read_head(path).removeprefix(b"\xef\xbb\xbf")):
            for _line, entry in array_elements(path, _OPENING, _CLOSING):
                yield entry
            return
        doc = load_json(path)
        friends = None
        if isinstance(doc, dict):
            friends = next((doc[k] for k in KEYS if isinstance(doc.get(k), list)), None)
        if friends is None:
            raise ImportFormatError(
                'not a Facebook friends file (expected {"friends_v2": [...]})', path=str(path)
            )
        yield from friends

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        for row, entry in enumerate(self._friends(path), 1):
            name = entry.get("name") if isinstance(entry, dict) else None
            if not isinstance(name, str) or not name.strip():
                yield RowProblem(row, "friend without a name", "name")
                continue
            since = _since(entry.get("timestamp"))
            yield ProspectRecord(
                row=row,
                name=repair(name),
                custom={"facebook_friend_since": since} if since else {},
                network="facebook",
            )


def create_importers() -> list[Importer]:
    """The reader of Facebook's friends list."""
    return [
        FriendsImporter(),
    ]
