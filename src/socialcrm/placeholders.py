"""Records that are not a named person: placeholders and organisations.

A placeholder name stands for a prospect known only by a profile
(``x:1234567``, ``@zoe``); an organisation (a video channel, a company
page) has the ``kind`` organisation (:class:`~socialcrm.models.ProspectKind`):
neither is a contact for another CRM.

Some exports give no real name (followers known by an account id or a
username only), so the importer names the prospect after the identity.  Such a name
is replaced by a later import that knows the real one, and is not a person's
name for another CRM: HubSpot and Twenty exports leave these records out
unless asked (``--include-unnamed``).
"""

from __future__ import annotations

from socialcrm.models import Prospect

__all__ = ["is_organisation", "is_placeholder"]


def is_organisation(p: Prospect) -> bool:
    """Whether ``p`` is an organisation (a channel, a company page), not a person."""
    return p.is_organisation


def is_placeholder(p: Prospect) -> bool:
    """Whether ``p``'s name only stands for one of its identities."""
    folded = p.name.casefold()
    return any(
        folded in (i.key, f"{i.network}:{i.handle.removeprefix('id:')}", f"@{i.handle}")
        for i in p.identities
    )
