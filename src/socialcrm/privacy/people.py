"""Which stored records are one person: the same e-mail or network identity, any pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socialcrm.models import Prospect

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["person_records", "records_of"]


def person_records(crm: CRM, prospect: Prospect) -> list[Prospect]:
    """``prospect`` and the records of the same person in every pipeline: those
    sharing an e-mail address or a network identity with it."""
    found = {prospect.id: prospect}
    repository = crm.repository
    for pipeline in repository.list_pipelines():
        for email in prospect.emails:
            for other in repository.find_by_email(pipeline.name, email):
                found.setdefault(other.id, other)
        for identity in prospect.identities:
            owner = repository.find_by_identity(pipeline.name, identity.key)
            if owner is not None:
                found.setdefault(owner.id, owner)
    return list(found.values())


def records_of(crm: CRM, identifiers: Sequence[str]) -> list[Prospect]:
    """Stored records holding any of the normalised ``identifiers``, in every pipeline."""
    repository = crm.repository
    found: dict[str, Prospect] = {}
    for pipeline in repository.list_pipelines():
        for identifier in identifiers:
            kind, _sep, value = identifier.partition(":")
            if kind == "email":
                for p in repository.find_by_email(pipeline.name, value):
                    found.setdefault(p.id, p)
            elif kind == "handle":
                owner = repository.find_by_identity(pipeline.name, value)
                if owner is not None:
                    found.setdefault(owner.id, owner)
    return list(found.values())
