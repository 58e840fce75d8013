"""Importer for Google Takeout's YouTube ``subscriptions.csv``.

The file is ``Channel Id,Channel Url,Channel Title`` — but Takeout translates
the header into the account's language (``ID des chaînes,URL des chaînes,
Titres des chaînes``…), so columns are recognised by *content*: the column of
``UC…`` channel ids, the column of ``http(s)://…youtube.com/…`` URLs, and the
remaining one is the title.  The header row is the first row that is not
data.  The identity is the channel (``youtube:id:UC…``, via the adapter).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import N_, translator
from socialcrm.io.csvsafe import head_rows, read_csv
from socialcrm.io.formats import Importer, ImportItem, ProspectRecord, RowProblem, SkippedRow
from socialcrm.networks import NetworkRegistry

# why a file or a row is refused, in the rep's language (the plugin's own catalogue); why
# a row is skipped stays English, marked N_(): it is the kind the import report groups by
_ = translator("socialcrm_youtube", Path(__file__).with_name("locale"))

__all__ = ["SubscriptionsImporter", "create_importers", "guess_columns"]

_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
_URL = re.compile(r"https?://(www\.|m\.)?youtube\.com/\S+", re.IGNORECASE)


def guess_columns(cells: list[str]) -> tuple[int, int | None, int | None] | None:
    """``(id, url, title)`` column indexes from one data row, or ``None``."""
    ids = [i for i, c in enumerate(cells) if _CHANNEL_ID.fullmatch(c.strip())]
    if not ids:
        return None
    urls = [i for i, c in enumerate(cells) if _URL.fullmatch(c.strip())]
    rest = [i for i in range(len(cells)) if i not in ids[:1] and i not in urls[:1]]
    return ids[0], (urls[0] if urls else None), (rest[0] if rest else None)


class SubscriptionsImporter:
    """YouTube ``subscriptions.csv`` (any Takeout language)."""

    name = "youtube-subscriptions"
    description = N_("YouTube subscriptions.csv (Google Takeout, any language)")
    #: Takeout translates folder and file names: "YouTube and YouTube Music/
    #: subscriptions/subscriptions.csv", "YouTube et YouTube Music/abonnements/…"
    archive_paths = ("youtube*/*/*.csv",)
    archive_order = 10

    def sniff(self, path: Path, head: bytes) -> bool:
        rows = [r for r in head_rows(head) if any(c.strip() for c in r)][:3]
        if len(rows) < 2:
            return False
        data = [r for r in rows[1:] if len(r) == 3]  # at least one row of channel data
        return (
            len(rows[0]) == 3
            and guess_columns(rows[0]) is None
            and bool(data)
            and all(guess_columns(r) is not None for r in data)
        )

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        columns: tuple[int, int | None, int | None] | None = None
        header_seen = False
        for line, cells in read_csv(path):
            if not any(c.strip() for c in cells):
                if header_seen:
                    yield SkippedRow(line, N_("blank line"))
                continue
            guess = guess_columns(cells)
            if guess is None:
                if not header_seen:
                    header_seen = True  # the (translated) header row
                    continue
                yield RowProblem(line, _("no channel id (UC…) in this row"), "channel id")
                continue
            if not header_seen:
                raise ImportFormatError(
                    _("no header row before the channels"), path=str(path), row=line
                )
            columns = columns or guess
            id_col, _url_col, title_col = columns
            if id_col >= len(cells) or not _CHANNEL_ID.fullmatch(cells[id_col].strip()):
                yield RowProblem(line, _("no channel id (UC…) in the id column"), "channel id")
                continue
            channel = cells[id_col].strip()
            title = (
                cells[title_col].strip() if title_col is not None and title_col < len(cells) else ""
            )
            yield ProspectRecord(
                row=line,
                name=title or f"youtube:{channel}",
                urls=[f"youtube:id:{channel}"],
                network="youtube",
                organisation=True,  # a channel: its title is never split into names
            )
        if not header_seen:
            raise ImportFormatError(_("empty subscriptions file"), path=str(path))


def create_importers() -> list[Importer]:
    """The reader of YouTube's subscriptions.csv."""
    return [
        SubscriptionsImporter(),
    ]
