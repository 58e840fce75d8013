"""Stage 1's exit rule: the rep's recorded own profile must pass each network's checklist.

Kept apart from :mod:`socialcrm.playbook.seller_profile` (which records and
reports the profile against the network adapters) because this rule runs on
every ``show`` and ``move``: it reads only the pipeline's settings, where
``record`` copied each network's checklist, and needs neither the adapters nor
the report classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from socialcrm.i18n import join_list
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline, Prospect, nfc
from socialcrm.playbook import SELLER_PROFILE_KEY
from socialcrm.rules import Problem

__all__ = ["NO", "YES", "is_satisfied", "problems_for", "stored_profiles"]

YES = frozenset({"yes", "y", "true", "ok", "done", "1"})
NO = frozenset({"no", "n", "false", "missing", "0", ""})


def is_satisfied(value: str | None) -> bool:
    """``yes`` or any descriptive value (e.g. the headline text) satisfies an item."""
    return value is not None and nfc(value).casefold() not in NO


def stored_profiles(pipeline: Pipeline) -> dict[str, Any]:
    """``{network: entry}`` as recorded in ``pipeline``'s settings (a copy)."""
    data = pipeline.settings.get(SELLER_PROFILE_KEY) or {}
    return dict(data) if isinstance(data, Mapping) else {}


def problems_for(prospect: Prospect, pipeline: Pipeline) -> list[Problem]:
    """Networks of ``prospect`` where the rep's recorded profile fails its checklist."""
    stored = stored_profiles(pipeline)
    found: list[Problem] = []
    for identity in prospect.identities:
        entry = stored.get(identity.network)
        if not isinstance(entry, Mapping) or not entry.get("items"):
            continue
        values = entry["items"]
        missing = [
            c
            for c in entry.get("checklist") or []
            if isinstance(c, Mapping) and not is_satisfied(values.get(c.get("id")))
        ]
        if not missing:
            continue
        name = entry.get("name") or identity.network
        # a plugin's label and reason are its own marked messages (its gettext domain)
        if len(missing) <= 2:  # short enough to say why each one matters
            listed = join_list(f"{_label(c)} — {_(str(c.get('why', '')))}" for c in missing)
        else:
            listed = join_list(_label(c) for c in missing)
        found.append(
            Problem(
                "profile.seller-checklist",
                _("your own {name} profile fails its checklist ({count} missing): {listed}").format(
                    name=name, count=len(missing), listed=listed
                ),
                _(
                    "complete your {name} profile ('socialcrm profile check "
                    "--network {network}' says why each item matters), then "
                    "record it: 'socialcrm profile set {network} "
                ).format(name=name, network=identity.network)
                + " ".join(f"{c.get('id')}=yes" for c in missing)
                + "'",
            )
        )
    return found


def _label(item: Mapping[str, Any]) -> str:
    """A checklist item's label in the rep's language (its id if it has none)."""
    label = item.get("label")
    return _(label) if isinstance(label, str) and label else str(item.get("id"))
