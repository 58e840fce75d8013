"""The suppression list ("liste repoussoir"): keyed digests of people who must not come back.

On an erasure or an objection, each normalised identifier of the person
(:mod:`~socialcrm.privacy.identifiers`) is added as ``HMAC-SHA256(key, id)``
with the day it was added and why — never a name.  ``add``, ``edit``,
``merge`` (through the ``check_admission`` hook of the unit of work), every
importer and ``restore`` refuse or skip a person holding one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from socialcrm.errors import SuppressedError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Prospect
from socialcrm.privacy import identifiers as ids
from socialcrm.privacy.vault import Vault
from socialcrm.repository import Repository

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["SUPPRESSED", "Suppression", "require_identifiers", "suppress", "unsuppress"]

SUPPRESSED = "suppressed"


class Suppression:
    """The suppression list of one store, read once (a transaction's worth)."""

    def __init__(self, repository: Repository) -> None:
        self.vault = Vault(repository)
        self._key: bytes | None = None
        self._records: list[dict[str, str]] | None = None

    def key(self, *, create: bool = False) -> bytes | None:
        if self._key is None:
            self._key = self.vault.key(create=create)
        return self._key

    def records(self) -> list[dict[str, str]]:
        if self._records is None:
            self._records = self.vault.load(SUPPRESSED) if self.key() is not None else []
        return self._records

    def digests(self) -> set[str]:
        return {r["digest"] for r in self.records() if isinstance(r.get("digest"), str)}

    def __len__(self) -> int:
        return len(self.digests())

    def matching(self, identifiers: Iterable[str]) -> list[str]:
        """The kinds (``email``, ``url``…) of ``identifiers`` that are suppressed."""
        key = self.key()
        if key is None:
            return []
        held = self.digests()
        if not held:
            return []
        return sorted({ids.kind_of(i) for i in identifiers if ids.digest(key, i) in held})

    def holds(self, prospect: Prospect) -> bool:
        return bool(self.matching(ids.of_prospect(prospect)))

    def check(self, prospect: Prospect) -> None:
        """Raise :class:`SuppressedError` (naming no one) if ``prospect`` is suppressed.

        A store that never suppressed anyone answers from its key alone (every
        write checks).
        """
        if not self.digests():  # no key, or an empty list
            return
        kinds = self.matching(ids.of_prospect(prospect))
        if kinds:
            raise SuppressedError(kinds)

    def add(self, identifiers: Iterable[str], *, reason: str, at: datetime) -> int:
        """Suppress ``identifiers``; returns how many were not already."""
        key = self.key(create=True)
        assert key is not None
        held = self.digests()
        day = at.date().isoformat()
        new = [d for d in ids.digests(key, identifiers) if d not in held]
        if new:
            added = [{"digest": d, "since": day, "reason": reason} for d in new]
            records = [*self.records(), *added]
            self.vault.save(SUPPRESSED, records)
            self._records = records
        return len(new)

    def remove(self, identifiers: Iterable[str]) -> int:
        """Lift the suppression of exactly ``identifiers``; returns how many were held."""
        key = self.key()
        if key is None:
            return 0
        gone = set(ids.digests(key, identifiers))
        records = [r for r in self.records() if r.get("digest") not in gone]
        removed = len(self.records()) - len(records)
        if removed:
            self.vault.save(SUPPRESSED, records)
            self._records = records
        return removed


def require_identifiers(identifiers: list[str]) -> list[str]:
    if not identifiers:
        raise ValidationError(
            _("name at least one identifier"), hint=_("--email, --url, --handle or --phone")
        )
    return identifiers


def suppress(crm: CRM, identifiers: list[str]) -> int:
    """Suppress typed identifiers of someone who objected before ever being stored.

    Refused (:class:`ValidationError`) when a stored record holds one: that person
    must be erased (``privacy object REF``), not merely blocked.  Returns how
    many identifiers were not already suppressed.
    """
    from socialcrm.privacy.people import records_of

    require_identifiers(identifiers)
    with crm.recording.transaction():
        if records_of(crm, identifiers):
            raise ValidationError(
                _("a stored prospect holds this identifier"),
                hint=_("run 'socialcrm privacy object REF' to erase and suppress them"),
            )
        return Suppression(crm.repository).add(identifiers, reason="objection", at=crm.now())


def unsuppress(crm: CRM, identifiers: list[str]) -> int:
    """Lift the suppression of exactly ``identifiers`` (the person came back); returns
    how many were suppressed."""
    require_identifiers(identifiers)
    with crm.recording.transaction():
        return Suppression(crm.repository).remove(identifiers)
