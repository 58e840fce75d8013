"""Importers for the X (Twitter) archive: ``data/follower.js``, ``following.js``, DMs.

The archive's files are JavaScript: ``window.YTD.<name>.part0 = [ … ]`` around
JSON (the ``[`` may share a line with the first object).  The prefix is
checked and removed, the rest parsed as JSON with socialcrm's safe reader.

* followers / following (``x-followers``, ``x-following``) give only a
  numeric ``accountId`` and a ``userLink``
  (``https://twitter.com/intent/user?user_id=<id>``): no handle, no name.
  The identity is the account id (``x:id:<id>``, parsed by the X adapter) and
  the display name is ``x:<id>`` — a placeholder that a later import carrying
  the real name (a vCard, a CSV with the X profile) replaces.  The custom
  field ``x_follower`` or ``x_following`` says which list the person came from.
* direct messages (``x-direct-messages``): one-to-one conversations are
  ``<id>-<id>``; the rep is the account present in every conversation (when
  there are at least two).  A message from a known prospect is received;
  a message from the rep is sent to its recipient.  Group conversations
  (``direct-messages-group.js``) have no recipient: only messages from known
  prospects are attached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialcrm.errors import ImportFormatError
from socialcrm.io.formats import ActivityRecord, ImportItem, ProspectRecord, RowProblem, SkippedRow
from socialcrm.io.jsonio import parse_json, read_json_bytes
from socialcrm.networks import NetworkRegistry

__all__ = ["DirectMessagesImporter", "FollowImporter", "load_ytd"]

_PREFIX = re.compile(rb"\A\s*window\.YTD\.([A-Za-z0-9_]+)\.part\d+\s*=\s*")


def load_ytd(path: Path) -> tuple[str, Any]:
    """``(name, data)`` of an archive file ``window.YTD.<name>.partN = <json>``."""
    raw = read_json_bytes(path)  # size, encoding and binary checks, BOM dropped
    found = _PREFIX.match(raw)
    if found is None:
        raise ImportFormatError(
            "not an X archive file (expected 'window.YTD.<name>.part0 = [')",
            path=str(path),
            row=1,
        )
    body = raw[found.end() :].rstrip().removesuffix(b";")
    # Keep line numbers of JSON errors true to the file.
    padding = b"\n" * raw[: found.end()].count(b"\n")
    data = parse_json(path, padding + body)
    if not isinstance(data, list):
        raise ImportFormatError("expected a list after '='", path=str(path))
    return found.group(1).decode("ascii"), data


def _sniff_name(head: bytes) -> str | None:
    found = _PREFIX.match(head.removeprefix(b"\xef\xbb\xbf"))
    return found.group(1).decode("ascii") if found else None


class FollowImporter:
    """``follower.js`` or ``following.js``."""

    def __init__(self, part: str) -> None:
        self.part = part  # "follower" | "following"
        self.name = f"x-{part}s" if part == "follower" else "x-following"
        self.description = f"X archive data/{part}.js (account ids)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _sniff_name(head) == self.part

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        name, entries = load_ytd(path)
        if name != self.part:
            raise ImportFormatError(
                f"this is the archive's {name!r} file, not {self.part!r}", path=str(path)
            )
        for row, entry in enumerate(entries, 1):
            body = entry.get(self.part) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                yield RowProblem(row, f"entry without a {self.part!r} object")
                continue
            account = str(body.get("accountId") or "").strip()
            if not account.isdigit():
                yield RowProblem(row, f"missing or invalid accountId {account!r}", "accountId")
                continue
            link = body.get("userLink")
            yield ProspectRecord(
                row=row,
                name=f"x:{account}",
                urls=[link if isinstance(link, str) and link else f"x:id:{account}"],
                custom={f"x_{self.part}": "yes"},
                network="x",
            )


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class DirectMessagesImporter:
    """``direct-messages.js`` and ``direct-messages-group.js``."""

    name = "x-direct-messages"
    description = "X archive data/direct-messages.js (messages of known prospects)"
    parts = ("direct_messages", "direct_messages_group")

    def sniff(self, path: Path, head: bytes) -> bool:
        return _sniff_name(head) in self.parts

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        name, entries = load_ytd(path)
        if name not in self.parts:
            raise ImportFormatError(
                f"this is the archive's {name!r} file, not direct messages", path=str(path)
            )
        conversations = [
            (e.get("dmConversation") or {}) if isinstance(e, dict) else {} for e in entries
        ]
        rep = self._rep(conversations)
        row = 0
        for conversation in conversations:
            messages = conversation.get("messages") if isinstance(conversation, dict) else None
            if not isinstance(messages, list):
                row += 1
                yield RowProblem(row, "conversation without messages")
                continue
            for message in messages:
                row += 1
                create = message.get("messageCreate") if isinstance(message, dict) else None
                if not isinstance(create, dict):
                    yield SkippedRow(row, "not a message (conversation event)")
                    continue
                sender = str(create.get("senderId") or "")
                recipient = str(create.get("recipientId") or "")
                text = str(create.get("text") or "")
                if not sender.isdigit():
                    yield RowProblem(row, "message without a senderId", "senderId")
                    continue
                if not text.strip():
                    yield SkippedRow(row, "empty message")
                    continue
                yield ActivityRecord(
                    row=row,
                    urls=[f"x:id:{sender}"] + ([f"x:id:{recipient}"] if recipient else []),
                    kind="message",
                    text=text,
                    at=_time(create.get("createdAt")),
                    network="x",
                    channel="dm",
                    sender=f"x:id:{sender}",
                    recipients=[f"x:id:{recipient}"] if recipient.isdigit() else [],
                    from_rep=None if rep is None else sender == rep,
                )

    @staticmethod
    def _rep(conversations: list[Any]) -> str | None:
        """The account id present in every one-to-one conversation id, if unique."""
        groups = [
            set(str(c.get("conversationId", "")).split("-"))
            for c in conversations
            if isinstance(c, dict) and "-" in str(c.get("conversationId", ""))
        ]
        if len(groups) < 2:
            return None
        common = set.intersection(*groups)
        return next(iter(common)) if len(common) == 1 else None
