"""After a restore: erase again what was erased after the backup was taken.

The erasure journal (:mod:`~socialcrm.privacy.records`) and the suppression
list live outside the backups, so a restored backup cannot bring them back:
every restored record whose id digest is in a journal entry dated from the
backup on, or who holds a suppressed identifier, goes through the wipe path
again (reason ``restore``), backups included.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from socialcrm.privacy import identifiers as ids
from socialcrm.privacy.erasure import Wiped, wipe
from socialcrm.privacy.records import journal_entries
from socialcrm.privacy.suppression import Suppression
from socialcrm.repository import Query

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["reapply_erasures"]


def reapply_erasures(crm: CRM, since: datetime | None = None) -> Wiped:
    """Wipe the restored records erased after ``since`` (every journal entry when
    ``None``) or suppressed; returns what was wiped (usually nothing)."""
    supp = Suppression(crm.repository)
    key = supp.key()
    if key is None:  # nothing was ever erased or suppressed here
        return Wiped(0, [], 0, 0, 0, "restore")
    erased_ids = {d for entry in journal_entries(supp.vault, since=since) for d in entry["ids"]}
    found = []
    for pipeline in crm.repository.list_pipelines():
        for p in crm.repository.query(Query(pipeline=pipeline.name)):
            if ids.prospect_id_digest(key, p.id) in erased_ids or supp.holds(p):
                found.append(p)
    return wipe(crm, found, "restore", suppress=False)
