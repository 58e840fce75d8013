"""Built-in plugin: the suppression list guards every prospect the unit of work writes.

``check_admission`` refuses (:class:`~socialcrm.errors.SuppressedError`) a
prospect holding an identifier on the store's suppression list
(:mod:`socialcrm.privacy.suppression`).  A store that never suppressed anyone
costs one look-up of its key.
"""

from __future__ import annotations

from socialcrm.hookspecs import hookimpl
from socialcrm.models import Prospect
from socialcrm.repository import Repository


@hookimpl(trylast=True)
def check_admission(prospect: Prospect, repository: Repository) -> None:
    """Refuse a suppressed person (naming no one)."""
    from socialcrm.privacy.suppression import Suppression

    Suppression(repository).check(prospect)
