"""The global options on every command, and the tidying of the built commands' help.

``--db``, ``--pipeline``, ``--format`` and ``--lang`` are accepted before the
command name *and* after it: :class:`socialcrm.cli.app.SocialGroup` gives every
command (plugins' too) the copies built here.  Help taken from docstrings is
translated here too (help given as ``help=_(…)`` already is).
"""

from typing import Annotated, Any

import typer

from socialcrm.cli.context import CLIState, parse_format
from socialcrm.cli.language import LANG_OPTION
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = [
    "GLOBAL_PANEL",
    "add_global_options",
    "global_options",
    "tidy_metavars",
    "translate_help",
]

GLOBAL_PANEL = N_("Global options")


# -- global options repeated on every command ------------------------------------------


def _store_db(ctx: typer.Context, value: str | None) -> None:
    if value is not None and isinstance(ctx.find_root().obj, CLIState):
        ctx.find_root().obj.db = value


def _store_pipeline(ctx: typer.Context, value: str | None) -> None:
    if value is not None and isinstance(ctx.find_root().obj, CLIState):
        ctx.find_root().obj.pipeline = value


def _store_format(ctx: typer.Context, value: str | None) -> None:
    if value is not None and isinstance(ctx.find_root().obj, CLIState):
        ctx.find_root().obj.output_format = parse_format(value)


def _check_lang(value: str | None) -> None:
    """The language itself was chosen before the app was built; an unknown one is refused."""
    from socialcrm import i18n

    if value is not None and i18n.normalise(value) is None:
        raise typer.BadParameter(
            _("{lang!r} is not a language socialcrm speaks ({languages})").format(
                lang=value, languages=", ".join(i18n.LANGUAGES)
            )
        )


def global_options() -> list[Any]:
    """The per-command copies of the global options, built by Typer itself.

    They are declared on a throw-away command so Typer makes its own option
    objects (its constructors are not public API); they only store their
    value in the run's :class:`CLIState`.
    """
    scratch = typer.Typer(add_completion=False)

    @scratch.command()
    def _options(
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                metavar="PATH_OR_URL",
                help=_("Store to use: a directory or a database URL (env SOCIALCRM_DB)."),
                callback=_store_db,
                expose_value=False,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        pipeline: Annotated[
            str | None,
            typer.Option(
                "--pipeline",
                metavar="NAME",
                help=_("Pipeline to work on (env SOCIALCRM_PIPELINE)."),
                callback=_store_pipeline,
                expose_value=False,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        output_format: Annotated[
            str | None,
            typer.Option(
                "--format",
                metavar="[table|json|csv]",
                help=_("Output format for lists and records."),
                callback=_store_format,
                expose_value=False,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        lang: Annotated[
            str | None,
            typer.Option(
                LANG_OPTION,
                metavar="LANG",
                help=_("Interface language, e.g. fr or en (env SOCIALCRM_LANG)."),
                callback=_check_lang,
                expose_value=False,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
    ) -> None:
        """Never run."""

    wanted = {"--db", "--pipeline", "--format", LANG_OPTION}
    return [p for p in typer.main.get_command(scratch).params if wanted.intersection(p.opts)]


def add_global_options(command: Any, options: list[Any]) -> None:
    """Give ``command`` (and its subcommands) the global options it does not declare."""
    subcommands = getattr(command, "commands", None)
    if subcommands is not None:
        for sub in subcommands.values():
            add_global_options(sub, options)
        return
    taken = {opt for param in command.params for opt in getattr(param, "opts", ())}
    for option in options:
        if not taken.intersection(option.opts):
            command.params.append(option)


def tidy_metavars(command: Any) -> None:
    """Name values in help (``--url URL``) where a command gave no metavar.

    Typer 0.29 would show the Python type instead (``--url <list[str]>``).
    """
    for sub in getattr(command, "commands", {}).values():
        tidy_metavars(sub)
    for param in getattr(command, "params", ()):
        if getattr(param, "metavar", None) is not None or getattr(param, "is_flag", False):
            continue
        name = (param.name or "value").upper()
        for prefix in ("ADD_", "RM_"):
            name = name.removeprefix(prefix)
        param.metavar = name


def translate_help(command: Any) -> None:
    """Translate the help Typer took from each command's docstring (extracted by
    :func:`socialcrm.cli.extract.extract`); help given as ``help=_(…)`` is already."""
    from socialcrm import i18n

    if i18n.language() == i18n.DEFAULT:
        return
    for sub in getattr(command, "commands", {}).values():
        translate_help(sub)
    if getattr(command, "help", None):
        command.help = _(command.help)
    if getattr(command, "rich_help_panel", None):  # the commands' PANEL = N_(…)
        command.rich_help_panel = _(command.rich_help_panel)
