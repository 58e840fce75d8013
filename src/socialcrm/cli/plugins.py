"""``plugins``: which plugins are installed, their versions and the hooks they implement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from socialcrm.cli.context import get_state

if TYPE_CHECKING:
    from socialcrm.plugins import PluginInfo

__all__ = ["plugin_record", "register"]

PANEL = "Setup"


def plugin_record(info: PluginInfo) -> dict[str, Any]:
    """The stable JSON form of a plugin (documented in docs/plugins.md)."""
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "builtin": info.builtin,
        "status": info.status,
        "hooks": list(info.hooks),
        "error": info.error,
    }


def _infos(pm: Any) -> list[PluginInfo]:
    from socialcrm.plugins import PluginInfo, SocialPluginManager

    if isinstance(pm, SocialPluginManager):
        return pm.plugin_infos()
    # A host application's plain pluggy manager: no distribution data to show.
    return sorted(
        (
            PluginInfo(
                name,
                None,
                None,
                tuple(sorted(c.name for c in pm.get_hookcallers(plugin) or [])),
                False,
            )
            for name, plugin in pm.list_name_plugin()
            if plugin is not None
        ),
        key=lambda i: i.name,
    )


def plugins(ctx: typer.Context) -> None:
    """List installed plugins: version, status and the hooks each implements.

    Network plugins (linkedin, facebook, instagram, x, youtube…) are found
    through the "socialcrm" entry point group; built-in behaviour shows as
    socialcrm.*.  Disable plugins with SOCIALCRM_DISABLE_PLUGINS=name1,name2.

    Example:  socialcrm plugins --format json
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    infos = _infos(state.pm)
    if state.output_format == "json":
        render.emit_json([plugin_record(i) for i in infos])
        return
    headers = ["name", "distribution", "version", "status", "hooks", "error"]
    rows = [
        [i.name, i.distribution, i.version, i.status, " ".join(i.hooks), i.error] for i in infos
    ]
    if state.output_format == "csv":
        render.emit_csv(headers, rows)
        return
    render.emit_table(state, [h.upper() for h in headers], rows)
    if not infos:
        state.info("no plugins installed")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(plugins)
