"""A store's own channel limits: overrides of the network plugins' message lengths.

Kept in the store's meta (``channel_limits``: ``{"network.channel": limit}``)
and applied to the CRM's network registry the first time it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.repository import Repository

if TYPE_CHECKING:
    from socialcrm.networks import NetworkRegistry

__all__ = ["CHANNEL_LIMITS_KEY", "apply_stored", "set_limit"]

CHANNEL_LIMITS_KEY = "channel_limits"


def apply_stored(repository: Repository, registry: NetworkRegistry) -> None:
    """Apply the store's overrides to ``registry``."""
    overrides = repository.get_meta(CHANNEL_LIMITS_KEY) or {}
    registry.limit_overrides.update({str(k): int(v) for k, v in overrides.items()})


def set_limit(
    repository: Repository, registry: NetworkRegistry, network: str, channel: str, limit: int | None
) -> None:
    """Override (or with ``None`` restore) a channel's length limit in this store."""
    registry.channel(network, channel)  # validates both names
    with repository.transaction():
        overrides = dict(repository.get_meta(CHANNEL_LIMITS_KEY) or {})
        key = f"{network}.{channel}"
        if limit is None:
            overrides.pop(key, None)
            registry.limit_overrides.pop(key, None)
        else:
            if limit <= 0:
                raise ValidationError(_("a limit must be positive"), field="limit", value=limit)
            overrides[key] = limit
            registry.limit_overrides[key] = limit
        repository.set_meta(CHANNEL_LIMITS_KEY, overrides or None)
