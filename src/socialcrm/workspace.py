"""What the facade's modules need from a CRM, as a protocol (the CRM is one).

The facade (:mod:`socialcrm.crm`) delegates each concern to a module of its
own — references, building and editing prospects, stage moves, activity.
Those modules take the CRM as a :class:`Workspace` instead of importing the
facade, so the core's imports point one way: the facade down to them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from socialcrm.hooks import Hooks
    from socialcrm.models import Pipeline
    from socialcrm.networks import NetworkRegistry
    from socialcrm.recording import Recording
    from socialcrm.repository import Repository
    from socialcrm.rules import RuleRegistry

__all__ = ["Workspace"]


class Workspace(Protocol):
    """A CRM as its concern modules see it."""

    repository: Repository
    recording: Recording
    hooks: Hooks
    rules: RuleRegistry
    phone_region: str

    @property
    def actor(self) -> str | None:
        """Who makes the changes."""
        ...

    @property
    def networks(self) -> NetworkRegistry:
        """The network adapters, with the store's channel limits."""
        ...

    @property
    def pipeline_name(self) -> str:
        """The current pipeline's name."""
        ...

    @property
    def pipeline(self) -> Pipeline:
        """The current pipeline (``default`` is created on first use)."""
        ...

    def now(self) -> datetime:
        """The current time from the CRM's clock, in UTC."""
        ...
