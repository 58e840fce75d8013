"""Importers for the X (Twitter) archive: ``data/follower.js``, ``following.js``, DMs.

The archive's files are JavaScript: ``window.YTD.<name>.part0 = [ … ]`` around
JSON (the ``[`` may share a line with the first object).  The prefix is
checked, then the array's entries are read one at a time with socialcrm's
streaming reader (:mod:`socialcrm.io.jsonstream`), whatever the file's size.

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
from socialcrm.i18n import N_, translator
from socialcrm.io.csvsafe import check_text, read_head
from socialcrm.io.formats import (
    ActivityRecord,
    Importer,
    ImportItem,
    OwnerRecord,
    ProspectRecord,
    RowProblem,
    SkippedRow,
)
from socialcrm.io.jsonstream import array_elements
from socialcrm.networks import NetworkRegistry

# why a file or a row is refused, in the rep's language (the plugin's own catalogue); why
# a row is skipped stays English, marked N_(): it is the kind the import report groups by
_ = translator("socialcrm_x", Path(__file__).with_name("locale"))

__all__ = [
    "AccountImporter",
    "DirectMessagesImporter",
    "FollowImporter",
    "create_importers",
    "read_ytd",
]

_PREFIX = re.compile(rb"\A\s*window\.YTD\.([A-Za-z0-9_]+)\.part\d+\s*=\s*")
_ARRAY = re.compile(_PREFIX.pattern + rb"\[")
_ARRAY_END = re.compile(rb"\s*;?\s*")


def read_ytd(path: Path) -> tuple[str, Iterator[Any]]:
    """``(name, entries)`` of an archive file ``window.YTD.<name>.partN = [ … ]``.

    The entries are read one at a time (:mod:`socialcrm.io.jsonstream`): an
    archive of a large account is too big to parse whole.
    """
    head = read_head(path)
    check_text(path, head)
    found = _PREFIX.match(head.removeprefix(b"\xef\xbb\xbf"))
    if found is None:
        raise ImportFormatError(
            _("not an X archive file (expected 'window.YTD.<name>.part0 = [')"),
            path=str(path),
            row=1,
        )
    entries = array_elements(
        path, _ARRAY, _ARRAY_END, expected=_("a list after 'window.YTD.<name>.part0 ='")
    )
    return found.group(1).decode("ascii"), (entry for _line, entry in entries)


def _sniff_name(head: bytes) -> str | None:
    found = _PREFIX.match(head.removeprefix(b"\xef\xbb\xbf"))
    return found.group(1).decode("ascii") if found else None


DESCRIPTIONS = {
    "follower": N_("X archive data/follower.js (account ids)"),
    "following": N_("X archive data/following.js (account ids)"),
}
"""Each part's description, a whole message (marked, translated through this domain)."""


class FollowImporter:
    """``follower.js`` or ``following.js``."""

    def __init__(self, part: str) -> None:
        self.part = part  # "follower" | "following"
        self.name = f"x-{part}s" if part == "follower" else "x-following"
        self.description = DESCRIPTIONS[part]  # translated where shown (formats)
        self.archive_paths = (f"data/{part}.js", f"data/{part}-part*.js")
        self.archive_order = 10

    def sniff(self, path: Path, head: bytes) -> bool:
        return _sniff_name(head) == self.part

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        name, entries = read_ytd(path)
        if name != self.part:
            raise ImportFormatError(
                _("this is the archive's {name!r} file, not {part!r}").format(
                    name=name, part=self.part
                ),
                path=str(path),
            )
        for row, entry in enumerate(entries, 1):
            body = entry.get(self.part) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                yield RowProblem(row, _("entry without a {part!r} object").format(part=self.part))
                continue
            account = str(body.get("accountId") or "").strip()
            if not account.isdigit():
                yield RowProblem(
                    row,
                    _("missing or invalid accountId {account!r}").format(account=account),
                    "accountId",
                )
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
    description = N_("X archive data/direct-messages.js (messages of known prospects)")
    parts = ("direct_messages", "direct_messages_group")
    archive_paths = (
        "data/direct-messages.js",
        "data/direct-messages-part*.js",
        "data/direct-messages-group.js",
        "data/direct-messages-group-part*.js",
    )
    archive_order = 40

    def sniff(self, path: Path, head: bytes) -> bool:
        return _sniff_name(head) in self.parts

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        name, entries = read_ytd(path)
        if name not in self.parts:
            raise ImportFormatError(
                _("this is the archive's {name!r} file, not direct messages").format(name=name),
                path=str(path),
            )
        rep = self._rep(read_ytd(path)[1])  # a first pass: the rep, conversation by conversation
        conversations = (
            (e.get("dmConversation") or {}) if isinstance(e, dict) else {} for e in entries
        )
        row = 0
        for conversation in conversations:
            messages = conversation.get("messages") if isinstance(conversation, dict) else None
            if not isinstance(messages, list):
                row += 1
                yield RowProblem(row, _("conversation without messages"))
                continue
            for message in messages:
                row += 1
                create = message.get("messageCreate") if isinstance(message, dict) else None
                if not isinstance(create, dict):
                    yield SkippedRow(row, N_("not a message (conversation event)"))
                    continue
                sender = str(create.get("senderId") or "")
                recipient = str(create.get("recipientId") or "")
                text = str(create.get("text") or "")
                if not sender.isdigit():
                    yield RowProblem(row, _("message without a senderId"), "senderId")
                    continue
                if not text.strip():
                    yield SkippedRow(row, N_("empty message"))
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
    def _rep(entries: Iterator[Any]) -> str | None:
        """The account id present in every one-to-one conversation id, if unique."""
        common: set[str] | None = None
        groups = 0
        for entry in entries:
            conversation = entry.get("dmConversation") if isinstance(entry, dict) else None
            cid = (
                str(conversation.get("conversationId", ""))
                if isinstance(conversation, dict)
                else ""
            )
            if "-" not in cid:
                continue
            groups += 1
            ids = set(cid.split("-"))
            common = ids if common is None else common & ids
        if groups < 2 or not common:
            return None
        return next(iter(common)) if len(common) == 1 else None


class AccountImporter:
    """``data/account.js``: the archive's owner (the rep), never a prospect."""

    name = "x-account"
    description = N_("X archive data/account.js (the archive's owner: never a prospect)")
    archive_paths = ("data/account.js",)
    archive_order = 0

    def sniff(self, path: Path, head: bytes) -> bool:
        return _sniff_name(head) == "account"

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        name, entries = read_ytd(path)
        if name != "account":
            raise ImportFormatError(
                _("this is the archive's {name!r} file, not 'account'").format(name=name),
                path=str(path),
            )
        for row, entry in enumerate(entries, 1):
            body = entry.get("account") if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                yield RowProblem(row, _("entry without an 'account' object"))
                continue
            account = str(body.get("accountId") or "").strip()
            username = str(body.get("username") or "").strip()
            urls = [f"x:id:{account}"] if account.isdigit() else []
            urls += [f"https://x.com/{username}"] if username else []
            display = str(body.get("accountDisplayName") or "").strip()
            yield OwnerRecord(row, display or (f"@{username}" if username else ""), urls, "x")


def create_importers() -> list[Importer]:
    """The readers of the X archive (owner, followers, following, direct messages)."""
    return [
        AccountImporter(),
        FollowImporter("follower"),
        FollowImporter("following"),
        DirectMessagesImporter(),
    ]
