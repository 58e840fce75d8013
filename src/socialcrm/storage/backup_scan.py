"""Which backups of a store directory still hold a person (for the privacy access export).

A backup is a ``.tar.gz`` of the store's files (:mod:`socialcrm.storage.archives`);
each member is read one at a time and searched, as bytes, for the person's
prospect ids, e-mails, identity keys and profile URLs (lower-cased; every
encoding the store writes is UTF-8 JSON).  A false "holds" is possible (an
e-mail that is a substring of another one), a false "does not hold" is not.
Only file names and dates are reported: nothing of a backup's content.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from attrs import frozen

from socialcrm.errors import SocialCRMError
from socialcrm.storage.archives import archive_members
from socialcrm.storage.backups import list_backups
from socialcrm.value import Value

__all__ = ["BackupHit", "BackupScan", "backups_holding"]


@frozen(repr=False, eq=False)
class BackupHit(Value):
    """A backup file holding the person."""

    file: str
    kind: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "created_at": self.created_at.isoformat()}


@frozen(repr=False, eq=False)
class BackupScan(Value):
    """The backups holding the person, and those that could not be read."""

    holding: list[BackupHit]
    unreadable: list[str]
    scanned: int


def backups_holding(store: Path, needles: Iterable[str]) -> BackupScan:
    """The backups under ``store`` whose files contain one of ``needles`` (case-insensitive)."""
    wanted = [n.lower().encode("utf-8") for n in needles if n]
    holding: list[BackupHit] = []
    unreadable: list[str] = []
    backups = list_backups(store)
    for info in backups:
        try:
            with info.path.open("rb") as fh:
                found = any(
                    any(n in raw.lower() for n in wanted)
                    for _name, raw in archive_members(info.path, fh)
                )
        except (OSError, SocialCRMError):
            unreadable.append(info.path.name)
            continue
        if found:
            holding.append(BackupHit(info.path.name, info.kind, info.created_at))
    return BackupScan(holding, unreadable, len(backups))
