"""How long backups live: by count **and** by age (personal data is not kept for ever).

Each new backup rotates the archives of the store: of each kind (``backup``,
``pre-migrate``, ``pre-restore``) only the ``keep`` newest stay, and any
archive older than ``max_age_days`` (default 30) goes, whatever its kind —
except the one just written.  So an erased person's data cannot outlive the
erasure by more than the age limit in any archive that escaped rewriting
(:mod:`socialcrm.storage.scrub`), and ``doctor`` states the policy.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["DEFAULT_MAX_AGE_DAYS", "expired", "rotate"]

DEFAULT_MAX_AGE_DAYS = 30


def expired(created: list[tuple[Path, datetime]], max_age_days: int, now: datetime) -> list[Path]:
    """The archives older than ``max_age_days`` at ``now``."""
    limit = now - timedelta(days=max_age_days)
    return [path for path, at in created if at < limit]


def rotate(
    archives: list[tuple[Path, str, datetime]], kind: str, keep: int, max_age_days: int, spare: Path
) -> list[Path]:
    """Of ``archives`` (path, kind, creation; oldest first) delete those over ``keep``
    of ``kind`` and those over the age limit; never ``spare`` (the backup just
    written).  Returns what was deleted."""
    same_kind = [path for path, k, _at in archives if k == kind]
    doomed = set(same_kind[:-keep])
    now = datetime.now(UTC)
    doomed |= set(expired([(path, at) for path, _k, at in archives], max_age_days, now))
    doomed.discard(spare)
    for path in sorted(doomed):
        with contextlib.suppress(OSError):
            path.unlink()
    return sorted(doomed)
