"""socialcrm: a social-selling pipeline — profile, identify, notoriety, contact, convert.

The public API for host applications.  Importing it loads only the core
(attrs, cattrs, pluggy): never the CLI, Typer, Rich or the TinyDB store.
"""

from socialcrm.crm import CRM, DEFAULT_PIPELINE, INTERACTION_TYPES, Board
from socialcrm.errors import (
    AmbiguousReferenceError,
    DuplicateIdentityError,
    ImportFormatError,
    InvalidTransitionError,
    InvalidURLError,
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
