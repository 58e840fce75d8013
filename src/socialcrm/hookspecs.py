"""Hook specifications: every way a plugin can extend socialcrm.

Hooks are grouped by lifecycle.  Never call ``pm.hook.*`` directly: use the
typed wrappers in :mod:`socialcrm.hooks`, which isolate failing plugins and
report them by name.  ``docs/plugins.md`` documents each hook with an example.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from socialcrm.formats import Exporter, Importer
    from socialcrm.hooks import Hooks
    from socialcrm.models import Event, Pipeline, Prospect
    from socialcrm.networks import NetworkAdapter
    from socialcrm.repository import Repository
    from socialcrm.rules import Problem
    from socialcrm.scoring import ICP, Assessor, Contribution
    from socialcrm.stages import Stage

PROJECT_NAME = "socialcrm"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]


# -- registration hooks: called once, when the CRM first needs the registry ------------


@hookspec
def register_networks(register: Callable[[NetworkAdapter], None]) -> None:
    """Register network adapters (LinkedIn, X, …).

    Called once per CRM (or CLI run), the first time it needs the network
    registry: parsing a profile URL or ``network:handle``, checking a message
    length, the own-profile checklist.  A plugin that raises is reported by
    name; the adapters of the other plugins are still registered.

    :param register: call it with each :class:`~socialcrm.networks.NetworkAdapter`.
        The first adapter registered for a network id wins; an object that is
        not an adapter makes ``register`` raise :class:`TypeError`.
    """


@hookspec
def register_importers(register: Callable[[Importer], None]) -> None:
    """Register file importers (a network's data export, vCard, CSV …).

    Called once per CRM, when ``socialcrm import``/``formats`` or
    :func:`socialcrm.io.import_file` first needs the importers.  The first
    importer registered for a name wins.

    :param register: call it with each :class:`~socialcrm.formats.Importer`.
    """


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register file exporters (CSV, vCard, another CRM's import format …).

    Called once per CRM, when ``socialcrm export``/``formats`` first needs the
    exporters.  The first exporter registered for a name wins.

    :param register: call it with each :class:`~socialcrm.formats.Exporter`.
    """


@hookspec
def register_commands(app: Any) -> None:
    """Add commands to the ``socialcrm`` CLI.

    Called once by the CLI (never by the library, which does not import
    Typer) when it builds its Typer application, after the built-in commands.
    A plugin that raises is reported and the CLI works without its commands.

    :param app: the root :class:`typer.Typer` application; add commands with
        ``@app.command()`` or sub-applications with ``app.add_typer(...)``.
    """


# -- pipeline hooks: called while the rep works prospects ---------------------------------


@hookspec
def check_transition(
    prospect: Prospect,
    from_stage: Stage,
    to_stage: Stage,
    pipeline: Pipeline,
    events: Sequence[Event],
) -> Sequence[Problem] | None:
    """Add exit criteria to a forward stage move.

    Called for every forward move (``move``/``advance``, also when forced, so
    the overridden problems are recorded) and when the CRM lists what blocks
    a move, after the built-in rules.  Results of all plugins are collected;
    a plugin that raises is reported by name and its criteria are skipped.

    :param prospect: the prospect before the move.
    :param from_stage: its current stage.
    :param to_stage: the requested stage (after ``from_stage``).
    :param pipeline: the prospect's pipeline, with its settings.
    :param events: the prospect's history, oldest first.
    :return: the unmet criteria as :class:`~socialcrm.rules.Problem` values
        (an empty sequence or ``None`` when all are met).
    """


@hookspec
def score_prospect(prospect: Prospect, icp: ICP) -> Sequence[Contribution] | None:
    """Contribute to a prospect's ideal-customer-profile score.

    Called when a prospect is scored (on add, edit, import and ``score``)
    in a pipeline that has an ICP, after the built-in criteria.
    Contributions of all plugins are added up; a plugin that raises is
    reported by name and contributes nothing.

    :param prospect: the prospect being scored.
    :param icp: the pipeline's ideal customer profile
        (:class:`~socialcrm.scoring.ICP`: criteria, weights, threshold).
    :return: :class:`~socialcrm.scoring.Contribution` values, each explaining
        its points.
    """


@hookspec(firstresult=True)
def prospect_assessor(pipeline: Pipeline, hooks: Hooks) -> Assessor | None:
    """Assess a pipeline's prospects automatically (e.g. by an ICP score).

    Called before a prospect of ``pipeline`` is written (add, edit, move,
    import, merge…), when the CRM lists what blocks a move, and to tell
    whether the pipeline still takes explicit qualification (``qualify`` is
    refused when an assessor exists).  Stops at the first non-``None``
    result.  The built-in playbook plugin answers for pipelines with an ICP
    (``trylast``: a plugin may take over).  The assessor's result is stored
    on the prospect, and an ``assessed`` event recorded, when it differs
    from the stored one; won and lost prospects are never re-assessed.  A
    plugin that raises aborts the change (the assessment must follow the
    data): a :class:`~socialcrm.errors.SocialCRMError` as it is, anything
    else as a :class:`~socialcrm.errors.PluginError` naming the plugin.

    :param pipeline: the prospect's pipeline, with its settings.
    :param hooks: the CRM's hooks, to ask other plugins
        (:meth:`~socialcrm.hooks.Hooks.score_prospect`).
    :return: a callable ``(prospect, at) -> Assessment`` (:data:`~socialcrm.scoring.Assessor`),
        or ``None`` when this plugin does not assess ``pipeline``'s prospects.
    """


@hookspec
def check_admission(prospect: Prospect, repository: Repository) -> None:
    """Refuse to store a prospect (e.g. a person on the suppression list).

    Called by the unit of work before each prospect it records is written
    (``add``, ``edit``, ``merge``, stage moves…); imports skip such people
    themselves and count them.  Every implementation is called; one that
    raises aborts the change: a :class:`~socialcrm.errors.SocialCRMError` as
    it is (the built-in privacy plugin raises
    :class:`~socialcrm.errors.SuppressedError`), anything else as a
    :class:`~socialcrm.errors.PluginError` naming the plugin.

    :param prospect: the prospect about to be written.
    :param repository: the store it is written to.
    """


@hookspec
def on_event(event: Event, prospect: Prospect | None) -> None:
    """React to an event after it has been recorded (e.g. sync a won prospect).

    Called once per event (including each event of an import), after the
    store committed it: a plugin that raises cannot lose the event; the
    failure is reported with the plugin's name and the next plugin is called.

    When a prospect is erased (``CRM.delete``), plugins receive one last
    event of kind ``erased``, which is not stored, with ``prospect=None``:
    a plugin that copied the prospect elsewhere should erase it there too.

    :param event: the recorded event (or the unstored ``erased`` event).
    :param prospect: the prospect after the change (``None`` once erased).
    """
