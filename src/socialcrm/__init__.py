"""socialcrm: a social-selling pipeline — profile, identify, notoriety, contact, convert.

The public API for host applications.  Importing the package imports the core
it names (models, stages, rules, the repository port, the CRM facade), and
never the CLI, Typer, Rich or a store's engine (TinyDB, SQLAlchemy): those
load when a command runs or a store is opened.

Every name used to be loaded lazily (PEP 562); measured in the same run, that
saved ``socialcrm show`` about 3 %, under the 10 % a start-up trick must save
to stay (docs/architecture.md, "Start-up tricks").  Only the names of
:mod:`socialcrm.networks` still load on first use: ``show`` and ``move`` check
the stage-1 rule from the pipeline's settings and must not load the network
layer (tests/cli/test_console_script.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

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
from socialcrm.repository import MemoryRepository, Query, Repository
from socialcrm.rules import Problem, Rule, RuleRegistry, TransitionContext, default_rules
from socialcrm.scoring import Contribution
from socialcrm.stages import Stage, Status

if TYPE_CHECKING:
    from socialcrm.networks import Channel, ChecklistItem, NetworkAdapter, NetworkRegistry

_NETWORK_NAMES = frozenset({"Channel", "ChecklistItem", "NetworkAdapter", "NetworkRegistry"})


def __getattr__(name: str) -> Any:
    """The names of :mod:`socialcrm.networks`, imported on first use (see above)."""
    if name not in _NETWORK_NAMES:
        raise AttributeError(f"module 'socialcrm' has no attribute {name!r}")
    from socialcrm import networks

    value = getattr(networks, name)
    globals()[name] = value
    return value


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
