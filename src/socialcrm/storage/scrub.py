"""Rewrite a store's backups without some prospects (erasure reaching the backups).

A generic storage operation: the caller (``socialcrm.privacy``) names prospect
ids; each backup or pre-restore/pre-migrate archive whose bytes mention one is
restored into a private temporary store (mode 0700, inside ``backups/``), the
prospects and their events are deleted there, and a fresh archive of the same
kind replaces the old one under its old name (so dates and order stay).  An
archive that cannot be rewritten (damaged, unreadable) is deleted instead:
"rewrite or drop".  A rewritten archive holds only the files its manifest
lists: stale or unlisted files a safety copy took along are dropped too.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from socialcrm.errors import SocialCRMError
from socialcrm.i18n import text as _
from socialcrm.repository import Repository
from socialcrm.storage.archives import archive_members
from socialcrm.storage.backups import BackupInfo, _store_lock, backup_dir, list_backups, make_backup
from socialcrm.storage.backups import restore as restore_backup
from socialcrm.storage.locking import OnWait

__all__ = ["Opener", "rewrite_backups"]

#: Opens the store restored from an archive (the directory store's repository).
Opener = Callable[[Path], Repository]
#: Also drop the prospects holding these e-mails and identity keys (``network:handle``).
Match = tuple[list[str], list[str]]


def _mentions(info: BackupInfo, needles: list[bytes], folded: list[bytes]) -> bool:
    """Whether any member of the archive holds one of ``needles`` (an unreadable
    archive counts as holding them: it is dropped)."""
    try:
        with info.path.open("rb") as fh:
            for _name, raw in archive_members(info.path, fh):
                if any(n in raw for n in needles):
                    return True
                if folded and any(n in raw.lower() for n in folded):
                    return True
    except (OSError, SocialCRMError):
        return True
    return False


def _holding(repository: Repository, emails: list[str], keys: list[str]) -> set[str]:
    """Ids of the prospects of ``repository`` holding one of ``emails`` or identity ``keys``."""
    found: set[str] = set()
    for pipeline in repository.list_pipelines():
        for email in emails:
            found.update(p.id for p in repository.find_by_email(pipeline.name, email))
        for key in keys:
            owner = repository.find_by_identity(pipeline.name, key)
            if owner is not None:
                found.add(owner.id)
    return found


def _rewrite(
    store: Path, info: BackupInfo, prospect_ids: list[str], opener: Opener, match: Match
) -> bool:
    """Rewrite one archive without ``prospect_ids``; ``False`` if it had to be dropped."""
    work = Path(tempfile.mkdtemp(prefix=".scrub-", dir=backup_dir(store)))
    try:
        scratch = work / "store"
        try:
            restore_backup(scratch, info.path, keep=1)
            repository = opener(scratch)
            with repository.transaction():
                for pid in sorted({*prospect_ids, *_holding(repository, *match)}):
                    repository.delete(pid)
            repository.close()
            fresh = make_backup(scratch, 1, kind=info.kind)
        except SocialCRMError:
            with contextlib.suppress(OSError):
                info.path.unlink()
            return False
        fresh.replace(info.path)
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def rewrite_backups(
    path: str | Path,
    prospect_ids: Iterable[str],
    opener: Opener,
    *,
    emails: Iterable[str] = (),
    identity_keys: Iterable[str] = (),
    lock_timeout: float | None = None,
    on_wait: OnWait | None = None,
) -> tuple[int, int]:
    """Rewrite every backup of the store at ``path`` that mentions one of
    ``prospect_ids`` — or a prospect holding one of ``emails`` or
    ``identity_keys`` — without them (see the module documentation); ``opener``
    opens a restored archive's store as a repository.

    Holds the store's lock meanwhile (no backup or restore runs alongside).
    Returns ``(rewritten, dropped)``.
    """
    store = Path(path)
    wanted = sorted(set(prospect_ids))
    match: Match = (sorted(set(emails)), sorted(set(identity_keys)))
    if not (wanted or match[0] or match[1]) or not backup_dir(store).is_dir():
        return 0, 0
    needles = [pid.encode("ascii") for pid in wanted]
    folded = [v.casefold().encode("utf-8") for v in [*match[0], *match[1]]]
    rewritten = dropped = 0
    with _store_lock(store, False, _("rewrite its backups"), (lock_timeout, on_wait)):
        for info in list_backups(store):
            if not _mentions(info, needles, folded):
                continue
            if _rewrite(store, info, wanted, opener, match):
                rewritten += 1
            else:
                dropped += 1
    return rewritten, dropped
