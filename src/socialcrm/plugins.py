"""The plugin manager factory: block list, entry points, built-ins, then checks.

Nothing happens at import time: plugins are discovered when
:func:`get_plugin_manager` is called.  Entry points are loaded one by one so a
plugin that fails to import is reported by name instead of stopping the others
(``pluggy``'s own loader stops at the first failure).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Iterable

import pluggy
from attrs import frozen

from socialcrm import hookspecs
from socialcrm.default_plugins import DEFAULT_PLUGINS

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "SocialPluginManager",
    "blocked_from_env",
    "get_plugin_manager",
]

ENTRY_POINT_GROUP = "socialcrm"
DISABLE_ENV = "SOCIALCRM_DISABLE_PLUGINS"


@frozen
class PluginInfo:
    """What ``socialcrm plugins`` shows about one registered plugin."""

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool


@frozen
class LoadFailure:
    """An entry point that could not be imported or registered."""

    name: str
    error: str


class SocialPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where plugins came from and what failed."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, tuple[str, str]] = {}
        self.builtin_names: set[str] = set()
        self.load_failures: list[LoadFailure] = []

    def load_entrypoints(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register every entry point of ``group`` not blocked, one at a time."""
        for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
            if self.is_blocked(ep.name) or self.has_plugin(ep.name):
                continue
            try:
                plugin = ep.load()
                self.register(plugin, name=ep.name)
            except Exception as exc:  # a broken plugin must not take the others down
                self.load_failures.append(LoadFailure(ep.name, f"{type(exc).__name__}: {exc}"))
                continue
            if ep.dist is not None:
                self.distributions[ep.name] = (ep.dist.name, ep.dist.version)

    def register_builtins(self, modules: Iterable[str] = DEFAULT_PLUGINS) -> None:
        """Register socialcrm's own default plugins (skipping blocked ones)."""
        for dotted in modules:
            name = "socialcrm." + dotted.rsplit(".", 1)[-1]
            if self.is_blocked(name) or self.has_plugin(name):
                continue
            self.register(importlib.import_module(dotted), name=name)
            self.builtin_names.add(name)

    def plugin_infos(self) -> list[PluginInfo]:
        """Registered plugins with their distribution, version and hooks, sorted by name."""
        infos = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:  # blocked
                continue
            hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or []))
            dist = self.distributions.get(name)
            infos.append(
                PluginInfo(
                    name=name,
                    distribution=dist[0] if dist else None,
                    version=dist[1] if dist else None,
                    hooks=hooks,
                    builtin=name in self.builtin_names,
                )
            )
        return sorted(infos, key=lambda i: i.name)


def blocked_from_env(environ: dict[str, str] | None = None) -> set[str]:
    """Plugin names listed (comma separated) in ``SOCIALCRM_DISABLE_PLUGINS``."""
    value = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return {name.strip() for name in value.split(",") if name.strip()}


def get_plugin_manager(
    entrypoints: bool = True,
    block: Iterable[str] = (),
    *,
    builtins: bool = True,
    plugins: Iterable[object] = (),
) -> SocialPluginManager:
    """A ready plugin manager.

    Order: block (argument and ``SOCIALCRM_DISABLE_PLUGINS``), entry points,
    explicit ``plugins`` (e.g. a host application's own), built-ins, then
    ``check_pending()`` so a misspelled hook implementation fails loudly.
    """
    pm = SocialPluginManager()
    for name in {*block, *blocked_from_env()}:
        pm.set_blocked(name)
    if entrypoints:
        pm.load_entrypoints()
    for plugin in plugins:
        pm.register(plugin)
    if builtins:
        pm.register_builtins()
    pm.check_pending()
    return pm
