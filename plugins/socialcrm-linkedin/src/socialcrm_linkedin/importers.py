"""Importers for LinkedIn's "Get a copy of your data" files.

* ``Connections.csv`` — people (``linkedin-connections``).  The header row is
  found by content (a ``Notes:`` preamble may precede it); older exports have
  no ``URL`` column; a spreadsheet round-trip adds a BOM, CRLF and lines of
  bare commas.  ``Connected On`` (``08 Jul 2025``) is kept as the custom field
  ``linkedin_connected_on`` in ISO form (``2025-07-08``).
* ``messages.csv`` — messages attached to known prospects
  (``linkedin-messages``).  Columns are mapped by name (older files lack the
  draft columns).  Drafts are skipped.  **Who is the rep**: the profile taking
  part in every conversation of the file, when there is exactly one (with a
  single conversation, nobody can tell).  A message whose sender is a known
  prospect is *received* from them; any other message is *sent* by the rep to
  each known prospect among its recipients (group threads list several
  recipient URLs in one cell), except a message from a third party when the
  rep is known (skipped).
* ``Invitations.csv`` — connection invitations (``linkedin-invitations``):
  an outgoing invitation's note is a message sent on the ``connection_note``
  channel (without a note: an ``invitation_sent`` signal); an incoming one is
  a message received (or, without a note, a ``follow`` signal).  A person
  invited or inviting who is not a prospect yet (a pending invitation)
  becomes one, named from the ``From``/``To`` column.

Every file is read as a stream through :mod:`socialcrm.io.csvsafe` (field size
limit, invalid UTF-8 and binary files give an error naming the row).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from socialcrm.dates import parse_date
from socialcrm.errors import SocialCRMError
from socialcrm.i18n import N_, translator
from socialcrm.io.csvsafe import head_rows, header_key, read_csv_dicts
from socialcrm.io.formats import (
    ActivityRecord,
    Importer,
    ImportItem,
    OwnerRecord,
    ProspectRecord,
    RowProblem,
    SkippedRow,
)
from socialcrm.names import full_name
from socialcrm.networks import NetworkRegistry

# why a row is invalid, in the rep's language (the plugin's own catalogue); why a row
# is skipped stays English, marked N_(): it is the kind the import report groups by
_ = translator("socialcrm_linkedin", Path(__file__).with_name("locale"))

__all__ = [
    "ConnectionsImporter",
    "InvitationsImporter",
    "MessagesImporter",
    "ProfileImporter",
    "create_importers",
    "parse_linkedin_date",
]

_MONTHS = {
    m: n
    for n, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
#: Recipient URLs read from one message's cell (a group thread); the engine refuses
#: a message naming more than its own cap.
MAX_RECIPIENTS = 250
#: People of one conversation (or common to all so far) considered for the rep.
MAX_PEOPLE = 10_000
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -](\d{4})")


def parse_linkedin_date(text: str) -> date | None:
    """``08 Jul 2025``, ``8-Jul-25`` (after Excel), ISO, localised month names… → a
    date (:func:`socialcrm.dates.parse_date`); ``None`` if unreadable."""
    return parse_date(text)


def parse_linkedin_time(text: str) -> datetime | None:
    """``2025-06-12 15:02:44 UTC``, ISO, or ``7/8/25, 3:02 PM`` → an aware UTC datetime."""
    text = text.strip()
    if not text:
        return None
    cleaned = text.removesuffix(" UTC").removesuffix("Z").strip()
    value: datetime | None
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        value = None
        for pattern in ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y %I:%M %p"):
            try:
                value = datetime.strptime(cleaned, pattern)
                break
            except ValueError:
                continue
        if value is None:
            day = parse_linkedin_date(cleaned)
            if day is None:
                return None
            value = datetime(day.year, day.month, day.day)
    assert value is not None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _head_rows(head: bytes, limit: int = 12) -> list[list[str]]:
    """The head's first rows, split by its own delimiter (``;`` after Excel in France)."""
    return head_rows(head, limit)


def _keys(cells: list[str]) -> set[str]:
    return {header_key(c) for c in cells}


class _Columns:
    """Looks cells up by loose column name; the header is resolved once per file."""

    def __init__(self) -> None:
        self.names: dict[str, str] | None = None

    def __call__(self, row: dict[str, str], *names: str) -> str:
        """The first of ``names`` present in ``row`` (compared loosely), stripped."""
        if self.names is None:
            self.names = {}
            for header in row:
                self.names.setdefault(header_key(header), header)
        for name in names:
            column = self.names.get(name)
            if column is not None:
                return row[column].strip()
        return ""


class ConnectionsImporter:
    """LinkedIn ``Connections.csv``."""

    name = "linkedin-connections"
    description = N_("LinkedIn Connections.csv (data export)")
    archive_paths = ("connections.csv",)
    archive_order = 10

    @staticmethod
    def is_header(cells: list[str]) -> bool:
        return {"first name", "last name", "connected on"} <= _keys(cells)

    def sniff(self, path: Path, head: bytes) -> bool:
        return any(self.is_header(cells) for cells in _head_rows(head))

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        rows = read_csv_dicts(
            path, self.is_header, expected="First Name,Last Name,URL,Email Address,Company,…"
        )
        _cell = _Columns()
        for line, row in rows:
            if row is None:
                yield SkippedRow(line, N_("blank line"))
                continue
            first = _cell(row, "first name")
            last = _cell(row, "last name")
            name = full_name(first, last)
            if not name:
                yield SkippedRow(line, N_("no name (a hidden or deleted member)"))
                continue
            custom: dict[str, str] = {}
            connected = _cell(row, "connected on")
            if connected:
                day = parse_linkedin_date(connected)
                if day is None:  # never stored unread: the row is listed, to be corrected
                    yield RowProblem(
                        line,
                        _("unreadable date {date!r} in the Connected On column").format(
                            date=connected
                        ),
                        "Connected On",
                    )
                    continue
                custom["linkedin_connected_on"] = day.isoformat()
            url = _cell(row, "url", "profile url")
            email = _cell(row, "email address", "email")
            yield ProspectRecord(
                row=line,
                name=name,
                first_name=first or None,
                last_name=last or None,
                emails=[email] if email else [],
                urls=[url] if url else [],
                company=_cell(row, "company") or None,
                title=_cell(row, "position") or None,
                custom=custom,
                network="linkedin",
            )


def _split_urls(cell: str) -> list[str]:
    return [u.strip() for u in cell.split(",") if u.strip()]


def _key(url: str, networks: NetworkRegistry) -> str:
    try:
        return networks.parse(url).key
    except SocialCRMError:
        return url.strip()


class MessagesImporter:
    """LinkedIn ``messages.csv``."""

    name = "linkedin-messages"
    description = N_("LinkedIn messages.csv (data export): messages of known prospects")
    archive_paths = ("messages.csv",)
    archive_order = 40

    @staticmethod
    def is_header(cells: list[str]) -> bool:
        return {"conversation id", "from", "content", "date"} <= _keys(cells)

    def sniff(self, path: Path, head: bytes) -> bool:
        return any(self.is_header(cells) for cells in _head_rows(head))

    def _rows(self, path: Path) -> Iterator[tuple[int, dict[str, str] | None]]:
        return read_csv_dicts(
            path, self.is_header, expected="CONVERSATION ID,FROM,SENDER PROFILE URL,…,CONTENT"
        )

    def find_rep(self, path: Path, networks: NetworkRegistry) -> str | None:
        """The one profile present in every conversation (first pass over the file).

        Read conversation by conversation as the export lists them (rows of one
        conversation together): the profiles of each are intersected with those
        of the ones before, so memory holds one conversation's people, not the
        whole file's (at most :data:`MAX_PEOPLE` of them: past that, no rep).
        """
        common: set[str] | None = None
        current: str | None = None
        people: set[str] = set()
        conversations = 0
        _cell = _Columns()
        for _line, row in self._rows(path):
            if row is None:
                continue
            conversation = _cell(row, "conversation id")
            if conversation != current:
                if current is not None:
                    common = people if common is None else common & people
                current, people = conversation, set()
                conversations += 1
            urls = [_cell(row, "sender profile url")]
            urls += _split_urls(_cell(row, "recipient profile urls"))[:MAX_RECIPIENTS]
            people.update(
                key
                for key in (_key(u, networks) for u in urls if u)
                if common is None or key in common
            )
            if len(people) > MAX_PEOPLE:
                return None
        if current is not None:
            common = people if common is None else common & people
        if conversations < 2 or common is None:
            return None
        return next(iter(common)) if len(common) == 1 else None

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        rep = self.find_rep(path, networks)
        _cell = _Columns()
        for line, row in self._rows(path):
            if row is None:
                yield SkippedRow(line, N_("blank line"))
                continue
            draft = _cell(row, "is message draft").lower() in {"yes", "true", "1"}
            if draft or _cell(row, "folder").upper() == "DRAFT":
                yield SkippedRow(line, N_("draft"))
                continue
            text = _cell(row, "content")
            attachments = _cell(row, "attachments")
            if not text and attachments:
                text = f"(attachment: {attachments})"
            if not text:
                yield SkippedRow(line, N_("empty message"))
                continue
            sender = _cell(row, "sender profile url") or None
            if sender is None:
                yield SkippedRow(line, N_("no sender profile URL (a hidden or deleted member)"))
                continue
            recipients = _split_urls(_cell(row, "recipient profile urls"))
            from_rep = None if rep is None else _key(sender, networks) == rep
            names = {sender: _cell(row, "from")}
            to = [n.strip() for n in _cell(row, "to").split(",")]
            if len(to) == len(recipients):  # names with commas cannot be told apart
                names.update(zip(recipients, to, strict=True))
            yield ActivityRecord(
                row=line,
                urls=[u for u in (sender, *recipients) if u],
                kind="message",
                text=text,
                at=parse_linkedin_time(_cell(row, "date")),
                network="linkedin",
                channel="message",
                sender=sender,
                recipients=recipients,
                from_rep=from_rep,
                names={u: n for u, n in names.items() if n},
            )


class InvitationsImporter:
    """LinkedIn ``Invitations.csv``."""

    name = "linkedin-invitations"
    description = N_("LinkedIn Invitations.csv (data export): invitation notes of known prospects")
    archive_paths = ("invitations.csv",)
    archive_order = 30

    @staticmethod
    def is_header(cells: list[str]) -> bool:
        keys = {k.replace(" ", "") for k in _keys(cells)}
        return {"direction", "inviterprofileurl", "inviteeprofileurl"} <= keys

    def sniff(self, path: Path, head: bytes) -> bool:
        return any(self.is_header(cells) for cells in _head_rows(head))

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        rows = read_csv_dicts(
            path,
            self.is_header,
            expected="From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl",
        )
        _cell = _Columns()
        for line, row in rows:
            if row is None:
                yield SkippedRow(line, N_("blank line"))
                continue
            direction = _cell(row, "direction").upper()
            note = _cell(row, "message")
            at = parse_linkedin_time(_cell(row, "sent at"))
            if direction == "OUTGOING":
                who = _cell(row, "inviteeprofileurl", "invitee profile url")
                name = _cell(row, "to")
                kind, interaction = (
                    ("message_sent", None) if note else ("interaction", "invitation_sent")
                )
                if not note:
                    note = "you invited them to connect"
            elif direction == "INCOMING":
                who = _cell(row, "inviterprofileurl", "inviter profile url")
                name = _cell(row, "from")
                kind, interaction = (
                    ("message_received", None) if note else ("interaction", "follow")
                )
                if not note:
                    note = "invited you to connect"
            else:
                # one kind, whatever the value (the rep cannot correct LinkedIn's export)
                yield SkippedRow(line, N_("an invitation neither incoming nor outgoing"))
                continue
            if not who:
                yield SkippedRow(line, N_("no profile URL"))
                continue
            yield ActivityRecord(
                row=line,
                urls=[who],
                kind=kind,
                text=note,
                at=at,
                network="linkedin",
                channel="connection_note",
                interaction=interaction,
                names={who: name} if name else {},
            )


class ProfileImporter:
    """``Profile.csv``: the archive's owner (the rep), never a prospect."""

    name = "linkedin-profile"
    description = N_("LinkedIn Profile.csv (the archive's owner: never a prospect)")
    archive_paths = ("profile.csv",)
    archive_order = 0

    @staticmethod
    def is_header(cells: list[str]) -> bool:
        return {"first name", "last name", "headline", "geo location"} <= _keys(cells)

    def sniff(self, path: Path, head: bytes) -> bool:
        return any(self.is_header(cells) for cells in _head_rows(head))

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        rows = read_csv_dicts(path, self.is_header, expected="First Name,Last Name,…,Headline,…")
        _cell = _Columns()
        for line, row in rows:
            if row is None:
                yield SkippedRow(line, N_("blank line"))
                continue
            name = full_name(_cell(row, "first name"), _cell(row, "last name"))
            yield OwnerRecord(line, name, (), "linkedin")


def create_importers() -> list[Importer]:
    """The readers of LinkedIn's data export files (owner, connections, messages,
    invitations)."""
    return [
        ProfileImporter(),
        ConnectionsImporter(),
        MessagesImporter(),
        InvitationsImporter(),
    ]
