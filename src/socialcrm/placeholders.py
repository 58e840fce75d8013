"""Placeholder names: a prospect known only by a profile (``x:1234567``, ``@zoe``).

Some exports give no real name (X followers: an account id; Instagram: a
username), so the importer names the prospect after the identity.  Such a name
is replaced by a later import that knows the real one, and is not a person's
name for another CRM: HubSpot and Twenty exports leave these records out
unless asked (``--include-unnamed``).
"""

from __future__ import annotations

from socialcrm.models import Prospect

__all__ = ["is_placeholder"]


def is_placeholder(p: Prospect) -> bool:
    """Whether ``p``'s name only stands for one of its identities."""
    folded = p.name.casefold()
    return any(
        folded in (i.key, f"{i.network}:{i.handle.removeprefix('id:')}", f"@{i.handle}")
        for i in p.identities
    )
