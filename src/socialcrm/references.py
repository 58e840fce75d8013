"""Finding one prospect from what a rep types: an id, an e-mail, a profile, a name.

A reference is an id or unique id prefix, an e-mail, a profile URL,
``network:handle`` (parsed by the network adapters), or an exact display
name, always within one pipeline.  No match raises
:class:`~socialcrm.errors.NotFoundError`; several raise
:class:`~socialcrm.errors.AmbiguousReferenceError` listing them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialcrm.errors import (
    AmbiguousReferenceError,
    InvalidURLError,
    NotFoundError,
    ValidationError,
)
from socialcrm.i18n import text as _
from socialcrm.models import Prospect, nfc
from socialcrm.repository import Query

if TYPE_CHECKING:
    from socialcrm.workspace import Workspace

__all__ = ["resolve"]


def _named(crm: Workspace, ref: str) -> list[Prospect]:
    """Prospects of the current pipeline whose display name is ``ref`` (no case)."""
    folded = ref.casefold()
    return [
        p
        for p in crm.repository.query(Query(pipeline=crm.pipeline_name, text=ref))
        if p.name.casefold() == folded
    ]


def resolve(crm: Workspace, ref: str) -> Prospect:
    """The one prospect of the current pipeline that ``ref`` names.

    The network adapters are asked only for a URL or ``network:handle`` (an id
    or a name never loads the network plugins).
    """
    ref = nfc(ref)
    if not ref:
        raise ValidationError(_("empty prospect reference"), field="ref")
    repository, pipeline = crm.repository, crm.pipeline_name
    candidates: list[Prospect] = []
    head = ref.split(":", 1)[0].lower()
    handle_ref = ":" in ref and head in crm.networks  # x:@jdupont is not an e-mail
    if "@" in ref and not ref.startswith("@") and "/" not in ref and not handle_ref:
        candidates = repository.find_by_email(pipeline, ref)
    elif "://" in ref or "/" in ref or handle_ref:
        try:
            identity = crm.networks.parse(ref)
        except InvalidURLError:
            identity = None
            if not handle_ref:
                raise NotFoundError(
                    ref, hint=_("not a recognised profile URL or network:handle")
                ) from None
        found = repository.find_by_identity(pipeline, identity.key) if identity else None
        candidates = [found] if found else []
        if not candidates and handle_ref:  # a name shown in lists: x:1234567, youtube:UC…
            candidates = _named(crm, ref)
    else:
        if ref.isalnum() and ref.isascii():
            candidates = repository.find_by_id_prefix(pipeline, ref.upper())
        if not candidates:
            candidates = _named(crm, ref)
    if not candidates:
        raise NotFoundError(ref, hint=_("in pipeline {pipeline!r}").format(pipeline=pipeline))
    if len(candidates) > 1:
        exact = [p for p in candidates if p.id == ref.upper()]
        if len(exact) == 1:
            return exact[0]
        raise AmbiguousReferenceError(ref, [(p.id, p.name) for p in candidates])
    return candidates[0]
