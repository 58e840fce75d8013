"""Stage 1, profile: the state of the rep's *own* profile on each network.

A prospect judges the seller by their profile before answering, so the method
starts there.  Each network plugin lists what a good profile has (its
``checklist``: photo, headline, contact details, proof of expertise…); the rep
records here which items their own profile has, and the built-in plugin
:mod:`socialcrm.default_plugins.playbook` refuses to move a prospect out of
``profile`` on a network where that record fails the checklist (the rule itself,
``problems_for``, lives in :mod:`socialcrm.playbook.seller_profile_rule` and is
re-exported here).

Where it is stored: the current pipeline's ``settings["seller_profile"]``, as
``{network: {"items": {item: value}, "checklist": [...], "name": ..., "at": ...}}``.
Pipeline settings (not store meta) because a pipeline is an offer — the
headline and proof of expertise are tuned to it — and because the
``check_transition`` hook sees the pipeline, not the store.  The checklist is
copied next to the values at each ``record``/``check``, so the rule explains
missing items with the network's own words without needing the adapter.

A network the rep never recorded is *unchecked*, not failing: ``profile
check`` lists it as to do, and moves are not refused for it.  Once the rep
records one item, every item of the checklist counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import nfc
from socialcrm.networks import ChecklistItem, NetworkAdapter
from socialcrm.playbook import SELLER_PROFILE_KEY
from socialcrm.playbook.seller_profile_rule import (
    NO,
    YES,
    is_satisfied,
    problems_for,
    stored_profiles,
)

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "ItemState",
    "ProfileReport",
    "check",
    "is_satisfied",
    "parse_assignment",
    "problems_for",
    "record",
]


def _normalise(value: str) -> str:
    text = nfc(value)
    if text.casefold() in YES:
        return "yes"
    if text.casefold() in NO:
        return "no"
    return text


def parse_assignment(text: str) -> tuple[str, str]:
    """Read ``ITEM=yes|no|VALUE``."""
    item, sep, value = text.partition("=")
    if not sep or not item.strip():
        raise ValidationError(
            _("expected ITEM=yes|no|VALUE, got {text!r}").format(text=text),
            field="item",
            value=text,
            hint=_("e.g. photo=yes or headline='I help SaaS teams…'"),
        )
    return item.strip().lower(), value


@frozen
class ItemState:
    """One checklist item and what the rep recorded for it."""

    item: ChecklistItem
    value: str | None

    @property
    def ok(self) -> bool:
        return is_satisfied(self.value)


@frozen
class ProfileReport:
    """The rep's own profile on one network against the network's checklist."""

    network: str
    name: str
    items: tuple[ItemState, ...]
    recorded: bool

    @property
    def missing(self) -> list[ItemState]:
        return [s for s in self.items if not s.ok]

    @property
    def ok(self) -> bool:
        """Complete: recorded and nothing missing."""
        return self.recorded and not self.missing


def _snapshot(adapter: NetworkAdapter) -> list[dict[str, str]]:
    return [{"id": c.id, "label": c.label, "why": c.why} for c in adapter.checklist]


def _report(adapter: NetworkAdapter, entry: Mapping[str, Any] | None) -> ProfileReport:
    values = dict((entry or {}).get("items") or {})
    states = tuple(ItemState(c, values.get(c.id)) for c in adapter.checklist)
    return ProfileReport(adapter.id, adapter.name, states, recorded=bool(values))


def check(crm: CRM, network: str | None = None) -> list[ProfileReport]:
    """The rep's profile on ``network`` (or every installed network) vs the checklist."""
    stored = stored_profiles(crm.pipeline)
    adapters = [crm.networks.get(network)] if network else list(crm.networks)
    return [_report(a, stored.get(a.id)) for a in adapters]


def record(crm: CRM, network: str, values: Mapping[str, str] | Iterable[str]) -> ProfileReport:
    """Record items of the rep's own profile (``{"photo": "yes"}`` or ``["photo=yes"]``)."""
    adapter = crm.networks.get(network)
    pairs = (
        list(values.items())
        if isinstance(values, Mapping)
        else [parse_assignment(v) for v in values]
    )
    if not pairs:
        raise ValidationError(
            _("nothing to record"), field="item", hint=_("give ITEM=yes|no|VALUE")
        )
    known = {c.id for c in adapter.checklist}
    for item, _value in pairs:
        if item not in known:
            raise ValidationError(
                _("{name} has no profile checklist item {item!r}").format(
                    name=adapter.name, item=item
                ),
                field="item",
                value=item,
                hint=_("items: ") + (", ".join(sorted(known)) or _("none")),
            )
    with crm.repository.transaction():
        stored = stored_profiles(crm.pipeline)
        entry = dict(stored.get(adapter.id) or {})
        items = dict(entry.get("items") or {})
        items.update({item: _normalise(value) for item, value in pairs})
        stored[adapter.id] = {
            "name": adapter.name,
            "items": items,
            "checklist": _snapshot(adapter),
            "at": crm.now().isoformat(),
        }
        crm.update_pipeline_settings({SELLER_PROFILE_KEY: stored})
    return _report(adapter, stored[adapter.id])
