"""socialcrm: a social-selling pipeline — profile, identify, notoriety, contact, convert.

The public API for host applications.  Names are loaded lazily (PEP 562): importing
the package costs almost nothing, and never loads the CLI, Typer, Rich or the
TinyDB store; ``from socialcrm import CRM`` loads only the core it needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from socialcrm.crm import CRM, DEFAULT_PIPELINE, INTERACTION_TYPES, Board
    from socialcrm.errors import (
        AmbiguousReferenceError,
        DuplicateIdentityError,
        ImportFormatError,
        InvalidTransitionError,
        InvalidURLError,
        LimitExceededError,
        MessageTooLongError,
        NotFoundError,
        PluginError,
        SchemaVersionError,
        SocialCRMError,
        StoreCorruptError,
        StoreError,
        StoreLockedError,
        TransitionRefusedError,
        ValidationError,
    )
    from socialcrm.hooks import PluginFailure
    from socialcrm.hookspecs import hookimpl
    from socialcrm.models import (
        Assessment,
        Event,
        EventKind,
        Identity,
        LawfulBasis,
        Pipeline,
        PointOfInterest,
        Prospect,
        Source,
    )
    from socialcrm.networks import Channel, ChecklistItem, NetworkAdapter, NetworkRegistry
    from socialcrm.repository import MemoryRepository, Query, Repository
    from socialcrm.rules import Problem, Rule, RuleRegistry, TransitionContext, default_rules
    from socialcrm.scoring import Contribution
    from socialcrm.stages import Stage, Status

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "CRM": "socialcrm.crm",
    "DEFAULT_PIPELINE": "socialcrm.crm",
    "INTERACTION_TYPES": "socialcrm.crm",
    "Board": "socialcrm.crm",
    "AmbiguousReferenceError": "socialcrm.errors",
    "DuplicateIdentityError": "socialcrm.errors",
    "ImportFormatError": "socialcrm.errors",
    "InvalidTransitionError": "socialcrm.errors",
    "InvalidURLError": "socialcrm.errors",
    "LimitExceededError": "socialcrm.errors",
    "MessageTooLongError": "socialcrm.errors",
    "NotFoundError": "socialcrm.errors",
    "PluginError": "socialcrm.errors",
    "SchemaVersionError": "socialcrm.errors",
    "SocialCRMError": "socialcrm.errors",
    "StoreCorruptError": "socialcrm.errors",
    "StoreError": "socialcrm.errors",
    "StoreLockedError": "socialcrm.errors",
    "TransitionRefusedError": "socialcrm.errors",
    "ValidationError": "socialcrm.errors",
    "PluginFailure": "socialcrm.hooks",
    "hookimpl": "socialcrm.hookspecs",
    "Assessment": "socialcrm.models",
    "Event": "socialcrm.models",
    "EventKind": "socialcrm.models",
    "Identity": "socialcrm.models",
    "LawfulBasis": "socialcrm.models",
    "Pipeline": "socialcrm.models",
    "PointOfInterest": "socialcrm.models",
    "Prospect": "socialcrm.models",
    "Source": "socialcrm.models",
    "Channel": "socialcrm.networks",
    "ChecklistItem": "socialcrm.networks",
    "NetworkAdapter": "socialcrm.networks",
    "NetworkRegistry": "socialcrm.networks",
    "MemoryRepository": "socialcrm.repository",
    "Query": "socialcrm.repository",
    "Repository": "socialcrm.repository",
    "Problem": "socialcrm.rules",
    "Rule": "socialcrm.rules",
    "RuleRegistry": "socialcrm.rules",
    "TransitionContext": "socialcrm.rules",
    "default_rules": "socialcrm.rules",
    "Contribution": "socialcrm.scoring",
    "Stage": "socialcrm.stages",
    "Status": "socialcrm.stages",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use (keeps ``import socialcrm`` cheap)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'socialcrm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CRM",
    "DEFAULT_PIPELINE",
    "INTERACTION_TYPES",
    "AmbiguousReferenceError",
    "Assessment",
    "Board",
    "Channel",
    "ChecklistItem",
    "Contribution",
    "DuplicateIdentityError",
    "Event",
    "EventKind",
    "Identity",
    "ImportFormatError",
    "InvalidTransitionError",
    "InvalidURLError",
    "LawfulBasis",
    "LimitExceededError",
    "MemoryRepository",
    "MessageTooLongError",
    "NetworkAdapter",
    "NetworkRegistry",
    "NotFoundError",
    "Pipeline",
    "PluginError",
    "PluginFailure",
    "PointOfInterest",
    "Problem",
    "Prospect",
    "Query",
    "Repository",
    "Rule",
    "RuleRegistry",
    "SchemaVersionError",
    "SocialCRMError",
    "Source",
    "Stage",
    "Status",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "TransitionContext",
    "TransitionRefusedError",
    "ValidationError",
    "__version__",
    "default_rules",
    "hookimpl",
]
