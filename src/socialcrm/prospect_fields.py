"""The keyword arguments of :meth:`CRM.build_prospect`/``add`` and ``edit``, as types.

``**fields: Unpack[ProspectFields]`` lets a type checker check each keyword a
caller passes.  The facade imports this module only for type checking (building
these classes costs a few ms at run time); import it yourself to annotate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict

from socialcrm.models import LawfulBasis, ProspectKind, Source

__all__ = ["EditFields", "ProspectFields"]


class ProspectFields(TypedDict, total=False):
    """The fields of a new prospect besides its name (:meth:`CRM.build_prospect`)."""

    urls: Iterable[str]
    emails: Iterable[str]
    phones: Iterable[str]
    first_name: str | None
    last_name: str | None
    title: str | None
    company: str | None
    sector: str | None
    company_size: int | None
    location: str | None
    tags: Iterable[str]
    notes: str
    custom: Mapping[str, str] | None
    owner: str | None
    source: Source | str | None
    lawful_basis: LawfulBasis | str
    kind: ProspectKind | str
    created_at: datetime | None


class EditFields(TypedDict, total=False):
    """What an edit changes (:meth:`CRM.edit`): fields set, list items added or removed."""

    set_fields: Mapping[str, Any] | None
    add_urls: Iterable[str]
    rm_urls: Iterable[str]
    add_emails: Iterable[str]
    rm_emails: Iterable[str]
    add_phones: Iterable[str]
    rm_phones: Iterable[str]
    add_tags: Iterable[str]
    rm_tags: Iterable[str]
    set_custom: Mapping[str, str] | None
    unset_custom: Iterable[str]
