"""``config get|set|unset|list|path``: the rep's configuration file (:mod:`socialcrm.config`)."""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["register"]

SOURCES = {
    "env": N_("environment"),
    "file": N_("configuration file"),
    "default": N_("default"),
}
"""Where a setting comes from, as the table says it (CSV and JSON keep the id)."""

config_app = typer.Typer(
    name="config",
    help=_("Your defaults (store, pipeline, format, language, name…) in a configuration file."),
    no_args_is_help=True,
)


def _complete_key(incomplete: str) -> list[str]:
    from socialcrm.config import KEYS

    return [name for name in KEYS if name.startswith(incomplete)]


Key = Annotated[
    str,
    typer.Argument(
        metavar="KEY",
        help=_("A key: store, pipeline, format, language, actor, timezone, disable_plugins."),
        autocompletion=_complete_key,
    ),
]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value)
    return str(value)


def _record(setting: object) -> dict[str, object]:
    from socialcrm.config import Setting

    assert isinstance(setting, Setting)
    value = list(setting.value) if isinstance(setting.value, tuple) else setting.value
    return {"key": setting.key, "value": value, "source": setting.source}


@config_app.command("get")
def get(ctx: typer.Context, key: Key) -> None:
    """Print the value in force for KEY (option > environment > file > default).

    \b
    Example:
      socialcrm config get store
    """
    from socialcrm.config import resolve

    state = get_state(ctx)
    setting = resolve(key)
    if setting.key == "store" and setting.value in (None, ""):
        # nothing configured: the store in force is the default one, said so
        from socialcrm.storage import default_db_path

        setting = setting._replace(value=str(default_db_path()))
        if state.output_format != "json":
            render.echo(
                _("{path} (the default: no store is configured)").format(path=setting.value)
            )
            return
    if state.output_format == "json":
        render.emit_json(_record(setting))
    else:
        render.echo(_shown(setting.value))


@config_app.command("set")
def set_(
    ctx: typer.Context,
    key: Key,
    value: Annotated[str, typer.Argument(metavar="VALUE", help=_("The new value."))],
) -> None:
    """Write KEY = VALUE to the configuration file (created, mode 0600, if missing).

    disable_plugins takes names separated by commas.

    \b
    Example:
      socialcrm config set store ~/clients/store
      socialcrm config set timezone Europe/Paris
    """
    from socialcrm.config import config_path, set_value

    state = get_state(ctx)
    setting = set_value(key, value)
    if state.output_format == "json":
        render.emit_json(_record(setting))
    else:
        render.echo(
            _("{key} = {value} (in {value2})").format(
                key=setting.key, value=_shown(setting.value), value2=config_path()
            )
        )


@config_app.command("unset")
def unset(ctx: typer.Context, key: Key) -> None:
    """Remove KEY from the configuration file (its default applies again).

    \b
    Example:
      socialcrm config unset pipeline
    """
    from socialcrm.config import unset_value

    removed = unset_value(key)
    render.echo(
        _("removed {key}").format(key=key)
        if removed
        else _("{key} was not set in the configuration file").format(key=key)
    )


@config_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every key, its value in force and where it comes from (env, file or default).

    \b
    Example:
      socialcrm config list --format json
    """
    from socialcrm.config import settings

    state = get_state(ctx)
    records = [_record(s) for s in settings()]
    if state.output_format == "json":
        render.emit_json(records)
        return
    rows = [[r["key"], _shown(r["value"]), r["source"]] for r in records]
    if state.output_format == "csv":
        render.emit_csv(["key", "value", "source"], rows)
    else:
        shown = [[*r[:2], _(SOURCES.get(str(r[2]), str(r[2])))] for r in rows]
        render.emit_table(state, [_("KEY"), _("VALUE"), _("FROM")], shown)


@config_app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the configuration file is (SOCIALCRM_CONFIG moves it).

    \b
    Example:
      socialcrm config path
    """
    from socialcrm.config import config_path

    render.echo(str(config_path()))


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, rich_help_panel=_("Setup"))
