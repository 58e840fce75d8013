"""Typed calls into plugins — the only module that touches ``pm.hook``.

Registration hooks are called once and cached.  Hooks where one plugin's
failure must not hurt the others (``check_transition``, ``on_event``,
``score_prospect``) call implementations one by one; a failure is turned into a
:class:`PluginFailure` naming the plugin and the hook, passed to ``report`` and
kept in :attr:`Hooks.failures`, and the call goes on.  ``prospect_assessor``
is the exception: its answer decides what is written, so a failure aborts the
change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

import pluggy
from attrs import frozen

from socialcrm.errors import PluginError, SocialCRMError
from socialcrm.value import Value

if TYPE_CHECKING:
    from socialcrm.formats import Exporter, Importer
    from socialcrm.models import Event, Pipeline, Prospect
    from socialcrm.networks import NetworkRegistry
    from socialcrm.repository import Repository
    from socialcrm.rules import Problem
    from socialcrm.scoring import ICP, Assessor, Contribution
    from socialcrm.stages import Stage

__all__ = ["Hooks", "PluginFailure"]

LOGGER_NAME = "socialcrm.plugins"


@frozen(repr=False, eq=False)
class PluginFailure(Value):
    """A plugin raised in a hook; core behaviour went on without it."""

    plugin: str
    hook: str
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} failed in {self.hook}: {self.error}"


class Hooks:
    """The CRM's typed view of a plugin manager."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        report: Callable[[PluginFailure], None] | None = None,
        limit_overrides: dict[str, int] | None = None,
    ) -> None:
        self.pm = pm
        self.failures: list[PluginFailure] = []
        self._report = report
        self._limit_overrides = limit_overrides
        self._networks: NetworkRegistry | None = None
        self._importers: dict[str, Importer] | None = None
        self._exporters: dict[str, Exporter] | None = None

    # -- isolation -----------------------------------------------------------
    def _fail(self, plugin: str, hook: str, exc: BaseException) -> None:
        failure = PluginFailure(plugin, hook, f"{type(exc).__name__}: {exc}")
        self.failures.append(failure)
        import logging  # only when a plugin fails (~3 ms on every run otherwise)

        from socialcrm.text import escape  # a log line must not carry terminal controls

        logging.getLogger(LOGGER_NAME).warning("%s", escape(str(failure)))
        if self._report is not None:
            self._report(failure)

    def _each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call each implementation in pluggy's order, isolating failures."""
        caller = getattr(self.pm.hook, hook)
        results: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:  # wrappers cannot be isolated; not supported
                continue
            args = {name: kwargs[name] for name in impl.argnames}
            try:
                results.append((impl.plugin_name, impl.function(**args)))
            except Exception as exc:
                self._fail(impl.plugin_name, hook, exc)
        return results

    def listening(self, hook: str) -> bool:
        """Whether any plugin implements ``hook`` (an import keeps what it must
        tell ``on_event`` only then)."""
        return any(
            not (impl.hookwrapper or impl.wrapper)
            for impl in getattr(self.pm.hook, hook).get_hookimpls()
        )

    # -- registration hooks ----------------------------------------------------
    @property
    def networks(self) -> NetworkRegistry:
        """Adapters from ``register_networks`` (computed once)."""
        if self._networks is None:
            from socialcrm.networks import NetworkRegistry  # only commands that need networks

            registry = NetworkRegistry(limit_overrides=self._limit_overrides)
            self._each("register_networks", register=registry.register)
            self._networks = registry
        return self._networks

    @property
    def importers(self) -> dict[str, Importer]:
        """Importers from ``register_importers`` by name (computed once)."""
        if self._importers is None:
            found: dict[str, Importer] = {}
            self._each("register_importers", register=lambda i: found.setdefault(i.name, i))
            self._importers = found
        return self._importers

    @property
    def exporters(self) -> dict[str, Exporter]:
        """Exporters from ``register_exporters`` by name (computed once)."""
        if self._exporters is None:
            found: dict[str, Exporter] = {}
            self._each("register_exporters", register=lambda e: found.setdefault(e.name, e))
            self._exporters = found
        return self._exporters

    def register_commands(self, app: Any) -> None:
        """Let plugins add CLI commands (the CLI is the only caller)."""
        self._each("register_commands", app=app)

    # -- pipeline hooks --------------------------------------------------------
    def check_transition(
        self,
        *,
        prospect: Prospect,
        from_stage: Stage,
        to_stage: Stage,
        pipeline: Pipeline,
        events: Sequence[Event],
    ) -> list[Problem]:
        """Problems from every plugin's extra exit criteria."""
        from socialcrm.rules import Problem

        problems: list[Problem] = []
        for plugin, result in self._each(
            "check_transition",
            prospect=prospect,
            from_stage=from_stage,
            to_stage=to_stage,
            pipeline=pipeline,
            events=events,
        ):
            for item in result or ():
                if isinstance(item, Problem):
                    problems.append(item)
                else:
                    self._fail(plugin, "check_transition", TypeError(f"returned {item!r}"))
        return problems

    def score_prospect(self, *, prospect: Prospect, icp: ICP) -> list[Contribution]:
        """Contributions from every plugin (failures reported, never raised)."""
        from socialcrm.scoring import Contribution

        contributions: list[Contribution] = []
        for plugin, result in self._each("score_prospect", prospect=prospect, icp=icp):
            for item in result or ():
                if isinstance(item, Contribution):
                    contributions.append(item)
                else:
                    self._fail(plugin, "score_prospect", TypeError(f"returned {item!r}"))
        return contributions

    def prospect_assessor(self, *, pipeline: Pipeline) -> Assessor | None:
        """The first plugin's assessor of ``pipeline``'s prospects, or ``None``.

        Not isolated: a failure aborts the change (a typed library error as it
        is, anything else as :class:`~socialcrm.errors.PluginError`).
        """
        caller = self.pm.hook.prospect_assessor
        for impl in reversed(caller.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:
                continue
            args = {"pipeline": pipeline, "hooks": self}
            try:
                found = impl.function(**{name: args[name] for name in impl.argnames})
            except Exception as exc:
                if isinstance(exc, SocialCRMError):
                    raise
                raise PluginError(impl.plugin_name, "prospect_assessor", exc) from exc
            if found is None:
                continue
            if not callable(found):
                raise PluginError(
                    impl.plugin_name, "prospect_assessor", f"returned {found!r}, not a callable"
                )
            return cast("Assessor", found)
        return None

    def check_admission(self, *, prospect: Prospect, repository: Repository) -> None:
        """Ask every plugin whether ``prospect`` may be stored; one that raises refuses.

        Not isolated: a typed library error as it is, anything else as
        :class:`~socialcrm.errors.PluginError`.
        """
        for impl in reversed(self.pm.hook.check_admission.get_hookimpls()):
            if impl.hookwrapper or impl.wrapper:
                continue
            args = {"prospect": prospect, "repository": repository}
            try:
                impl.function(**{name: args[name] for name in impl.argnames})
            except Exception as exc:
                if isinstance(exc, SocialCRMError):
                    raise
                raise PluginError(impl.plugin_name, "check_admission", exc) from exc

    def on_event(self, *, event: Event, prospect: Prospect | None) -> None:
        """Notify every plugin; failures are reported, never raised."""
        self._each("on_event", event=event, prospect=prospect)
