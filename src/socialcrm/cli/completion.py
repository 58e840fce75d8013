"""Shell completion of values: prospect references, stages, networks, pipeline names.

Typer calls these while the shell asks (``_SOCIALCRM_COMPLETE=…``), before any
command runs: the root callback has not built the run's state, so the store
and plugins are found here from what was typed so far (``--db``,
``--pipeline``), the environment and the configuration file.  A completion
never creates a store, never waits for a lock, and prints nothing: whatever
goes wrong, it offers nothing.

No ``from __future__ import annotations``: Typer reads the callbacks'
annotations (``typer.Context``, ``str``) to know what to pass them.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "MAX_CANDIDATES",
    "complete_network",
    "complete_pipeline",
    "complete_prospect",
    "complete_stage",
]

MAX_CANDIDATES = 50
"""At most this many prospects offered: a shell lists them all."""


def _root_param(ctx: typer.Context, name: str) -> Any:
    """A global option as typed so far, on the command or before it."""
    current: Any = ctx
    while current is not None:
        found = current.params.get(name)
        if found:
            return found
        current = current.parent
    return None


def _open(ctx: typer.Context) -> "CRM | None":
    """The CRM of the store the command would use, or None if there is none (yet)."""
    import os

    from socialcrm.config import value
    from socialcrm.crm import CRM
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository, resolve_store

    location = resolve_store(
        _root_param(ctx, "db") or os.environ.get("SOCIALCRM_DB") or value("store")
    )
    if isinstance(location, Path) and not location.is_dir():
        return None  # never create a store to complete a word
    pipeline = _root_param(ctx, "pipeline") or value("pipeline")
    repository = open_repository(location, lock_timeout=0.5)
    return CRM(repository, get_plugin_manager(), pipeline=pipeline or None)


def _quietly(function: Any) -> Any:
    def guarded(ctx: typer.Context, incomplete: str) -> list[Any]:
        try:
            return list(function(ctx, incomplete))
        except Exception:  # a completion offers nothing rather than a traceback
            return []

    guarded.__name__ = function.__name__
    guarded.__doc__ = function.__doc__
    return guarded


@_quietly
def complete_prospect(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """References starting with what was typed: ids (with the name), names (with the
    id), e-mails (with the name) — shells keep only values starting with the word."""
    crm = _open(ctx)
    if crm is None:
        return []
    try:
        from socialcrm.repository import Query

        found: list[tuple[str, str]] = []
        for p in crm.repository.query(Query(pipeline=crm.pipeline_name)):
            if p.id.startswith(incomplete.upper()):
                found.append((p.id, p.name))
            elif incomplete and p.name.startswith(incomplete):
                found.append((p.name, p.id))
            elif incomplete:
                found.extend((e, p.name) for e in p.emails if e.startswith(incomplete))
            if len(found) >= MAX_CANDIDATES:
                break
        return found
    finally:
        crm.close()


@_quietly
def complete_stage(ctx: typer.Context, incomplete: str) -> list[str]:
    """The stage names."""
    from socialcrm.stages import Stage

    return [s.value for s in Stage if s.value.startswith(incomplete.lower())]


@_quietly
def complete_network(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The installed networks' ids: ``(id, name)``."""
    from socialcrm.hooks import Hooks
    from socialcrm.plugins import get_plugin_manager

    registry = Hooks(get_plugin_manager()).networks
    return sorted((a.id, a.name) for a in registry if a.id.startswith(incomplete.lower()))


@_quietly
def complete_pipeline(ctx: typer.Context, incomplete: str) -> list[str]:
    """The store's pipeline names."""
    crm = _open(ctx)
    if crm is None:
        return []
    try:
        return [p.name for p in crm.pipelines() if p.name.startswith(incomplete)]
    finally:
        crm.close()
