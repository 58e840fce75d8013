"""The playbook part of the demo pipeline (called by :func:`socialcrm.demo.build_demo`).

Gives the demo's default pipeline what a rep who follows the method has set
up: their own LinkedIn profile checked, a few posts with their engagement, an
ideal customer profile (prospects not yet past identify are scored against
it; later ones keep their manual qualification), templates and a follow-up
sequence in which the contacted prospects who have not replied are enrolled —
so ``socialcrm today`` shows overdue steps next to replies and late prospects.
Everything goes through the playbook's functions with the demo's moving clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from socialcrm.models import EventKind
from socialcrm.stages import Stage

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["DEMO_ICP", "add_playbook"]

DEMO_ICP = """
threshold = 40
description = "Revenue leaders of small and mid-size online businesses"

[[criteria]]
field = "title"
weight = 30
values = ["head of sales", "vp revenue", "cro", "sales director", "sales manager",
          "founder", "ceo", "coo", "managing director"]

[[criteria]]
field = "sector"
weight = 20
values = ["saas", "fintech", "e-commerce", "logistics", "agency"]

[[criteria]]
field = "company_size"
weight = 15
ranges = ["5-250"]

[[criteria]]
field = "network"
weight = 10
values = ["linkedin"]
"""

TEMPLATES = {
    "nudge": "{first_name}, did my note reach you? Happy to share how others in your shoes "
    "handled it.",
    "last-note": "{first_name}, I'll leave it here. If it comes back on the table at "
    "{company}, I'm one message away.",
}


class SettableClock(Protocol):
    """The demo's clock: callers move it by assigning ``now``."""

    now: datetime


def add_playbook(crm: CRM, clock: SettableClock, now: datetime) -> None:
    """Set up the playbook of ``crm``'s pipeline as of ``now`` (needs LinkedIn for most)."""
    from socialcrm.playbook import ICP_KEY
    from socialcrm.playbook.icp import ICP, assess_many
    from socialcrm.playbook.posts import log_post
    from socialcrm.playbook.seller_profile import record
    from socialcrm.playbook.sequences import define, enroll
    from socialcrm.playbook.templates import set_template

    has_linkedin = "linkedin" in crm.networks
    if has_linkedin:
        clock.now = now - timedelta(days=30)
        adapter = crm.networks.get("linkedin")
        record(crm, "linkedin", {item.id: "yes" for item in adapter.checklist})
        for days, views, reactions in ((24, 1800, 95), (15, 950, 21), (6, 2400, 130)):
            clock.now = now - timedelta(days=days)
            log_post(crm, "linkedin", views=views, reactions=reactions)
        clock.now = now - timedelta(days=29)
        for name, text in TEMPLATES.items():
            set_template(crm, name, text)
        define(
            crm,
            "follow-up",
            ["3:linkedin.message:nudge", "7:linkedin.message:last-note"],
            description="two nudges after the opener, then let go",
        )
        for p in crm.query(stage=Stage.CONTACT, status="open", sort="created_at"):
            events = crm.repository.events(p.id)
            if p.identity("linkedin") is None or any(
                e.kind is EventKind.MESSAGE_RECEIVED for e in events
            ):
                continue  # never follow up someone who replied
            sent = [e.at for e in events if e.kind is EventKind.MESSAGE_SENT]
            at = min((sent[-1] if sent else now) + timedelta(minutes=5), now - timedelta(days=5))
            clock.now = max(at, p.created_at + timedelta(minutes=5))  # so a step is overdue
            enroll(crm, p.id, "follow-up")
    # The ICP was written recently: prospects not yet past identify are scored
    # against it; those further on keep the qualification the rep gave by hand.
    clock.now = now - timedelta(days=1)
    crm.update_pipeline_settings({ICP_KEY: ICP.from_toml(DEMO_ICP, source="demo ICP").to_dict()})
    early = [p for p in crm.query(status="open") if p.stage <= Stage.IDENTIFY]
    assess_many(crm, early)  # plugins are told once it is written
    clock.now = now
