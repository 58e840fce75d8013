"""The plugin manager factory: block list, entry points, built-ins, then checks.

Nothing happens at import time: plugins are discovered when
:func:`get_plugin_manager` is called.  Entry points are loaded one by one so a
plugin that fails to import is recorded (:attr:`SocialPluginManager.load_failures`)
instead of stopping the others (``pluggy``'s own loader stops at the first
failure).  A plugin whose hook implementations do not match the hook
specifications (a misspelled hook or argument) is a programming error: it
raises :class:`~socialcrm.errors.PluginError` naming the plugin and the hook.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Literal, cast

import pluggy
from attrs import frozen

from socialcrm import entrypoint_cache, hookspecs
from socialcrm.entrypoint_cache import EntryPointRecord
from socialcrm.errors import PluginError
from socialcrm.i18n import text as _
from socialcrm.value import Value

__all__ = [
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "LoadFailure",
    "PluginInfo",
    "SocialPluginManager",
    "blocked_from_env",
    "get_plugin_manager",
]

ENTRY_POINT_GROUP = "socialcrm"
DISABLE_ENV = "SOCIALCRM_DISABLE_PLUGINS"

#: socialcrm's built-in plugins (:mod:`socialcrm.default_plugins`), registered last.
#: Named, not imported: they plug features into the core, which never imports them.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "socialcrm.default_plugins.playbook",
    "socialcrm.default_plugins.formats",
    "socialcrm.default_plugins.privacy",
)

PluginStatus = Literal["active", "disabled", "failed"]


@frozen(repr=False, eq=False)
class PluginInfo(Value):
    """What ``socialcrm plugins`` shows about one plugin.

    ``status`` is ``active`` (registered), ``disabled`` (blocked by name) or
    ``failed`` (its entry point could not be loaded; ``error`` says why).
    """

    name: str
    distribution: str | None
    version: str | None
    hooks: tuple[str, ...]
    builtin: bool
    status: PluginStatus = "active"
    error: str | None = None


@frozen(repr=False, eq=False)
class LoadFailure(Value):
    """An entry point that could not be imported or registered."""

    name: str
    error: str
    distribution: str | None = None
    version: str | None = None


def _socialcrm_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version  # only for listings

    try:
        return version("socialcrm")
    except PackageNotFoundError:  # running from a source tree
        return None


class SocialPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where plugins came from and what failed."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self.distributions: dict[str, tuple[str, str]] = {}
        self.builtin_names: set[str] = set()
        self.load_failures: list[LoadFailure] = []
        self.disabled: dict[str, tuple[str, str] | None] = {}

    def block(self, names: Iterable[str]) -> None:
        """Never register plugins with these names (entry-point or distribution names).

        Distribution names are compared in their normalised form, so
        ``socialcrm_linkedin`` and ``Socialcrm-LinkedIn`` block ``socialcrm-linkedin``.
        """
        for name in names:
            self.set_blocked(name)
            self.set_blocked(_normalise(name))

    def _entry_point_blocked(self, ep: EntryPointRecord) -> bool:
        names = [ep.name]
        if ep.distribution is not None:
            names.append(_normalise(ep.distribution))
        return any(self.is_blocked(n) for n in names)

    def load_entrypoints(self, group: str = ENTRY_POINT_GROUP) -> None:
        """Register every entry point of ``group`` not blocked, one at a time.

        An entry point that fails to import, or whose name is already taken,
        is recorded in :attr:`load_failures`; the others still load.  A plugin
        that imports but does not match the hook specifications raises
        :class:`PluginError` (see :meth:`register_checked`).

        The entry points come from :func:`socialcrm.entrypoint_cache.entry_points`:
        a scan, or its cached result while the environment is unchanged (the
        same records either way, so the same plugins, failures and listings).
        """
        seen: set[tuple[str, str]] = set()
        for ep in sorted(entrypoint_cache.entry_points(group), key=lambda e: e.name):
            if (ep.name, ep.value) in seen:  # the same distribution found twice on sys.path
                continue
            seen.add((ep.name, ep.value))
            # a version is None only when METADATA lacks it, as importlib.metadata reports it
            dist = (ep.distribution, cast(str, ep.version)) if ep.distribution is not None else None
            if self._entry_point_blocked(ep):
                self.disabled[ep.name] = dist
                continue
            if self.has_plugin(ep.name):
                taken_by = self.distributions.get(ep.name, ("?", ""))[0]
                message = _("name already used by {distribution}").format(distribution=taken_by)
                self._failed(ep.name, message, dist)
                continue
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the others down
                self._failed(ep.name, f"{type(exc).__name__}: {exc}", dist)
                continue
            self.register_checked(plugin, name=ep.name)
            if dist is not None:
                self.distributions[ep.name] = dist

    def _failed(self, name: str, error: str, dist: tuple[str, str] | None) -> None:
        import logging  # only when a plugin fails

        from socialcrm.text import escape  # a log line must not carry terminal controls

        logging.getLogger("socialcrm.plugins").warning(
            "plugin %r could not be loaded: %s", name, escape(error)
        )
        self.load_failures.append(
            LoadFailure(name, error, dist[0] if dist else None, dist[1] if dist else None)
        )

    def register_checked(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin``, turning pluggy's validation error into :class:`PluginError`.

        An object without a name (an instance of a plugin class) is named
        after its class, so failures read ``plugin 'AcmeSync' failed…``.
        """
        if name is None and not hasattr(plugin, "__name__"):
            candidate = type(plugin).__qualname__.rsplit(".", 1)[-1]
            name = candidate if not self.has_plugin(candidate) else None
        try:
            return self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            plugin_name = name or self.get_canonical_name(plugin)
            detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise PluginError(plugin_name, _hook_in_message(detail), detail) from exc

    def register_builtins(self, modules: Iterable[str] = DEFAULT_PLUGINS) -> None:
        """Register socialcrm's own default plugins (skipping blocked ones)."""
        for dotted in modules:
            name = "socialcrm." + dotted.rsplit(".", 1)[-1]
            if self.is_blocked(name):
                self.disabled[name] = None
                continue
            if self.has_plugin(name):
                continue
            self.register_checked(importlib.import_module(dotted), name=name)
            self.builtin_names.add(name)

    def check_implementations(self) -> None:
        """Fail loudly on a hook implementation that matches no specification.

        Raises :class:`PluginError` naming the plugin, the unknown hook and the
        closest known hook name (the likely spelling).
        """
        known = sorted(n for n, c in vars(self.hook).items() if c.has_spec())
        for hook_name, caller in sorted(vars(self.hook).items()):
            if caller.has_spec():
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                import difflib  # only to word the error

                close = difflib.get_close_matches(hook_name, known, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise PluginError(
                    impl.plugin_name,
                    hook_name,
                    f"unknown hook {hook_name!r}{hint} (known hooks: {', '.join(known)})",
                )
        self.check_pending()  # pluggy's own check, in case its rules grow

    def plugin_infos(self) -> list[PluginInfo]:
        """Every plugin (active, disabled, failed) with its distribution and hooks, by name."""
        version = _socialcrm_version()
        infos = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:  # a blocked name
                continue
            builtin = name in self.builtin_names
            dist = ("socialcrm", version) if builtin else self.distributions.get(name)
            hooks = tuple(sorted(caller.name for caller in self.get_hookcallers(plugin) or []))
            infos.append(
                PluginInfo(
                    name, dist[0] if dist else None, dist[1] if dist else None, hooks, builtin
                )
            )
        for name, maybe_dist in self.disabled.items():
            infos.append(
                PluginInfo(
                    name,
                    maybe_dist[0] if maybe_dist else None,
                    maybe_dist[1] if maybe_dist else None,
                    (),
                    name in self.builtin_names or maybe_dist is None,
                    "disabled",
                )
            )
        infos.extend(
            PluginInfo(f.name, f.distribution, f.version, (), False, "failed", f.error)
            for f in self.load_failures
        )
        return sorted(infos, key=lambda i: (i.name, i.status))


def _normalise(distribution: str) -> str:
    """A distribution name in its PEP 503 normalised form (``socialcrm-linkedin``)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def _hook_in_message(message: str) -> str:
    """The hook named in a pluggy validation message (``hook 'x'``), else ``register``."""
    marker = "hook '"
    start = message.find(marker)
    if start < 0:
        marker = 'hook "'
        start = message.find(marker)
    if start < 0:
        return "register"
    start += len(marker)
    end = message.find(marker[-1], start)
    return message[start:end] if end > start else "register"


def blocked_from_env(environ: Mapping[str, str] | None = None) -> set[str]:
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

    Order: block (argument and ``SOCIALCRM_DISABLE_PLUGINS``; entry-point or
    distribution names, e.g. ``linkedin`` or ``socialcrm-linkedin``), entry
    points (one by one, failures recorded), explicit ``plugins`` (e.g. a host
    application's own), built-ins (registered last, ``trylast``), then a check
    that every hook implementation matches a specification.

    :raises PluginError: a plugin implements an unknown (misspelled) hook or
        takes an argument its hook does not offer.
    """
    pm = SocialPluginManager()
    pm.block({*block, *blocked_from_env()})
    if entrypoints:
        pm.load_entrypoints()
    for plugin in plugins:
        pm.register_checked(plugin)
    if builtins:
        pm.register_builtins()
    pm.check_implementations()
    return pm
