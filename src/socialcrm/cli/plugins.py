"""``plugins``, ``networks``, ``channel-limit``: what the installed plugins provide.

``plugins`` lists the plugins with their versions and hooks; ``networks`` the
networks they register with their channels' length limits; ``channel-limit``
changes a limit for this store (networks change theirs, and free and paid
accounts differ).
"""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.networks import NetworkAdapter, NetworkRegistry
    from socialcrm.plugins import PluginInfo

__all__ = ["network_record", "plugin_record", "register"]

PANEL = N_("Setup")

HEADERS = {
    "name": N_("NAME"),
    "distribution": N_("DISTRIBUTION"),
    "version": N_("VERSION"),
    "status": N_("STATUS"),
    "hooks": N_("HOOKS"),
    "error": N_("ERROR"),
}
STATUSES = {"active": N_("active"), "disabled": N_("disabled"), "failed": N_("failed")}
"""A plugin's status as the table says it (CSV and JSON keep the id)."""


def plugin_record(info: "PluginInfo") -> dict[str, Any]:
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


def _infos(pm: Any) -> "list[PluginInfo]":
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
    shown = [[*r[:3], _(STATUSES.get(str(r[3]), str(r[3]))), *r[4:]] for r in rows]
    render.emit_table(state, [_(HEADERS[h]) for h in headers], shown)
    if not infos:
        state.info(_("no plugins installed"))


def network_record(adapter: "NetworkAdapter", registry: "NetworkRegistry") -> dict[str, Any]:
    """The stable JSON form of a network (documented in docs/plugins.md)."""
    channels = []
    for channel_id, default in adapter.channels.items():
        effective = registry.channel(adapter.id, channel_id)
        channels.append(
            {
                "id": channel_id,
                "name": default.name,
                "limit": effective.limit,
                "default": default.limit,
                "note": default.note,
            }
        )
    return {
        "id": adapter.id,
        "name": adapter.name,
        "domains": list(adapter.domains),
        "channels": channels,
        "checklist": [{"id": i.id, "label": i.label, "why": i.why} for i in adapter.checklist],
    }


def _registry(state: "CLIState") -> "NetworkRegistry":
    """The networks with this store's limit overrides; without a store, the defaults.

    Listing networks must not create a store as a side effect.
    """
    if state.store_exists:
        return state.open_crm().networks
    from socialcrm.hooks import Hooks

    return Hooks(state.pm).networks


def _limit_cell(channel: dict[str, Any]) -> str:
    if channel["limit"] == channel["default"]:
        return f"{channel['id']}={channel['limit']}"
    from socialcrm.cli.localised import t_

    return f"{channel['id']}={channel['limit']}" + t_(" (default {default})").format(
        default=channel["default"]
    )


def networks(ctx: typer.Context) -> None:
    """List the networks the installed plugins provide, with their message channels' limits.

    A limit changed with 'socialcrm channel-limit' shows its default too.
    --format json adds each network's own-profile checklist.

    Example:  socialcrm networks --format json
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    registry = _registry(state)
    records = [network_record(adapter, registry) for adapter in registry]
    if state.output_format == "json":
        render.emit_json(records)
    elif state.output_format == "csv":
        render.emit_csv(
            ["network", "channel", "name", "limit", "default", "note"],
            [
                [r["id"], c["id"], c["name"], c["limit"], c["default"], c["note"]]
                for r in records
                for c in r["channels"]
            ],
        )
    else:
        rows = [
            [r["id"], r["name"], " ".join(r["domains"]), ", ".join(map(_limit_cell, r["channels"]))]
            for r in records
        ]
        render.emit_table(state, [_("ID"), _("NAME"), _("DOMAINS"), _("CHANNEL LIMITS")], rows)
        if not records:
            state.info(_("no network plugin is installed (see 'socialcrm plugins')"))


def channel_limit(
    ctx: typer.Context,
    channel: Annotated[
        str, typer.Argument(metavar="NETWORK.CHANNEL", help=_("e.g. linkedin.connection_note"))
    ],
    limit: Annotated[
        int | None, typer.Argument(min=1, help=_("New limit in characters (omit to show it)."))
    ] = None,
    reset: Annotated[
        bool, typer.Option("--reset", help=_("Back to the plugin's default."))
    ] = False,
) -> None:
    """Show or change a message channel's length limit for this store.

    Networks change their limits and free and paid accounts differ (a LinkedIn
    connection note is 300 characters with Premium, 200 on a free account);
    the limit you set here is saved in the store and used by every later
    'socialcrm message --sent --channel ...' check.

    Example:  socialcrm channel-limit linkedin.connection_note 200
    """
    from socialcrm.cli import render
    from socialcrm.errors import ValidationError

    network, sep, channel_id = channel.strip().partition(".")
    if not sep or not network or not channel_id:
        raise ValidationError(
            _("{channel!r} is not NETWORK.CHANNEL").format(channel=channel),
            field="channel",
            value=channel,
            hint=_("e.g. linkedin.connection_note; 'socialcrm networks' lists them"),
        )
    if limit is not None and reset:
        raise ValidationError(_("give a limit or --reset, not both"), field="limit")
    state = get_state(ctx)
    crm = state.open_crm()
    if limit is not None or reset:
        crm.set_channel_limit(network.lower(), channel_id, None if reset else limit)
    adapter = crm.networks.get(network)
    effective = crm.networks.channel(adapter.id, channel_id)
    default = adapter.channels[channel_id].limit
    record = {
        "network": adapter.id,
        "channel": channel_id,
        "limit": effective.limit,
        "default": default,
    }
    if state.output_format == "json":
        render.emit_json(record)
    else:
        render.emit_table(
            state,
            [_("CHANNEL"), _("LIMIT"), _("DEFAULT")],
            [[f"{adapter.id}.{channel_id}", effective.limit, default]],
        )


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(plugins)
    app.command(rich_help_panel=PANEL)(networks)
    app.command("channel-limit", rich_help_panel=PANEL)(channel_limit)
