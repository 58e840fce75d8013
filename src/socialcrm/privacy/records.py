"""The erasure journal and the erasure audit log, kept outside the backups.

* **journal** (``journal``): per erasure, its time and the digests of the
  erased records' ids and identifiers — what ``restore`` re-applies to a
  backup taken before (:mod:`~socialcrm.privacy.restoring`);
* **audit log** (``audit``): per erased record, the time, the reason
  (``erase``, ``objection``, ``expiry``, ``merge``, ``pipeline-delete``,
  ``restore``), the pipeline and a masked reference (initials only,
  :func:`socialcrm.masking.mask_name`) — proof that erasures happen, naming
  no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from socialcrm.privacy.vault import Vault

__all__ = ["AUDIT", "JOURNAL", "AuditEntry", "audit_log", "journal_entries"]

JOURNAL = "journal"
AUDIT = "audit"


@frozen
class AuditEntry:
    """One erased record, without identifying data."""

    at: datetime
    reason: str
    pipeline: str
    ref: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "reason": self.reason,
            "pipeline": self.pipeline,
            "ref": self.ref,
        }


def append(vault: Vault, name: str, records: Sequence[dict[str, Any]]) -> None:
    if records:
        vault.save(name, [*vault.load(name), *records])


def audit_log(vault: Vault) -> list[AuditEntry]:
    """The audit log, oldest first."""
    found = []
    for r in vault.load(AUDIT):
        try:
            found.append(
                AuditEntry(
                    datetime.fromisoformat(r["at"]),
                    str(r["reason"]),
                    str(r["pipeline"]),
                    str(r["ref"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(found, key=lambda e: e.at)


def journal_entries(vault: Vault, *, since: datetime | None = None) -> list[dict[str, Any]]:
    """Journal entries (``at``, ``reason``, ``ids``, ``identifiers``) from ``since`` on."""
    found = []
    for r in vault.load(JOURNAL):
        try:
            at = datetime.fromisoformat(r["at"])
        except (KeyError, TypeError, ValueError):
            continue
        if since is None or at >= since:
            found.append(r)
    return found
