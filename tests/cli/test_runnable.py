"""Suggested commands act on the store and pipeline the rep is looking at."""

from __future__ import annotations

from socialcrm.cli.context import CLIState
from socialcrm.plugins import get_plugin_manager


def _state(**options: object) -> CLIState:
    return CLIState(get_plugin_manager(entrypoints=False), **options)  # type: ignore[arg-type]


def test_adds_db_and_pipeline_given_on_the_command_line() -> None:
    state = _state(db="my store", pipeline="agencies")
    assert (
        state.runnable("socialcrm next 01ABC")
        == "socialcrm --db 'my store' --pipeline agencies next 01ABC"
    )


def test_leaves_commands_alone_without_options() -> None:
    assert _state().runnable("socialcrm next 01ABC") == "socialcrm next 01ABC"
    assert _state(db="s").runnable("open the app") == "open the app"
