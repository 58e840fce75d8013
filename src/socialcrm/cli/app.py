"""The root Typer application: global options, command modules, plugin commands.

Each command group lives in its own module exposing ``register(app)``, listed
with its command names in :data:`MODULE_COMMANDS`; plugins add theirs through the
``register_commands`` hook.  The global options ``--db``, ``--pipeline`` and
``--format`` are accepted before the command name *and* after it
(``socialcrm list --format json``): :class:`SocialGroup` adds them to every
command, including the ones plugins register.

This module and the command modules do not use ``from __future__ import
annotations``: Typer reads the running command's signature (and the root
callback's) with ``typing.get_type_hints`` on every run, which compiles and
evaluates string annotations one by one.  Names imported only for type
checking are quoted instead.  For this module alone that is 2.3 % of a
``show``'s CPU instructions (docs/architecture.md, "Start-up tricks").
"""

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from socialcrm.cli.context import CLIState, parse_format
from socialcrm.cli.global_options import (
    GLOBAL_PANEL,
    add_global_options,
    global_options,
    tidy_metavars,
    translate_help,
)
from socialcrm.cli.language import LANG_OPTION
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    import pluggy

__all__ = ["COMMANDS", "COMMAND_MODULES", "MODULE_COMMANDS", "SocialGroup", "make_app", "run"]

MODULE_COMMANDS: dict[str, tuple[str, ...]] = {
    "socialcrm.cli.setup": ("init", "demo"),
    "socialcrm.cli.prospects": ("add", "show", "list", "edit", "rm"),
    "socialcrm.cli.team": ("assign",),
    "socialcrm.cli.stages": ("move", "advance", "won", "lost", "reopen", "qualify"),
    "socialcrm.cli.activity": ("interest", "engage", "message", "note", "history"),
    "socialcrm.cli.notes": ("note-edit", "note-rm"),
    "socialcrm.cli.board": ("board",),
    "socialcrm.cli.pipelines": ("pipeline",),
    "socialcrm.cli.io": ("import", "export", "formats", "dupes", "merge"),
    "socialcrm.cli.store": ("doctor", "backup", "restore", "reindex"),
    "socialcrm.cli.store_copy": ("store",),
    "socialcrm.cli.database": ("db",),
    "socialcrm.cli.plugins": ("plugins", "networks", "channel-limit"),
    "socialcrm.cli.playbook.profile": ("profile",),
    "socialcrm.cli.playbook.identify": ("icp", "score"),
    "socialcrm.cli.playbook.notoriety": ("warmth", "post"),
    "socialcrm.cli.playbook.contact": ("template", "sequence", "next"),
    "socialcrm.cli.playbook.agenda": ("today", "stage-limit", "agenda"),
    "socialcrm.cli.privacy": ("privacy",),
    "socialcrm.cli.config": ("config",),
    "socialcrm.cli.reports": ("report",),
    "socialcrm.cli.goals": ("goal", "audience"),
}
"""Each command module (it exposes ``register(app)``) and the commands and groups it
registers, so that a run imports only its own command's module (a test checks the
names against what the modules register)."""

COMMAND_MODULES: tuple[str, ...] = tuple(MODULE_COMMANDS)
COMMANDS: dict[str, str] = {name: m for m, names in MODULE_COMMANDS.items() for name in names}
"""The module declaring each built-in command or group."""

OVERVIEW = N_("""\
socialcrm — social selling from the command line.

  socialcrm demo --db ./demo-store     try it on a sample pipeline
  socialcrm init                       create your store
  socialcrm add "Jane Doe" --url https://www.linkedin.com/in/janedoe
  socialcrm list                       who is where
  socialcrm board                      the pipeline at a glance
  socialcrm show "Jane Doe"            everything about one prospect
  socialcrm advance "Jane Doe"         move to the next stage

Run 'socialcrm --help' for every command and option, 'socialcrm COMMAND --help'
for one command (each has an example).
""")


def _rich_terminal() -> bool:
    from socialcrm.cli.context import _rich_allowed

    return _rich_allowed(sys.stdout)


def _version() -> str:
    # The package's own attribute, which the build reads too (pyproject.toml:
    # [tool.hatch.version]); asking importlib.metadata would import it (and email,
    # zipfile, csv…) on each --version, about 20 ms.
    from socialcrm import __version__

    return __version__


def _version_callback(value: bool) -> None:
    if value:
        from socialcrm.cli.render import echo

        echo(_("socialcrm {value}").format(value=_version()))
        raise typer.Exit()


def _check_lang(ctx: typer.Context, lang: str | None) -> None:
    """``--lang`` must name a language socialcrm speaks (``SOCIALCRM_LANG`` is passed over)."""
    from socialcrm import i18n

    if lang is None or i18n.normalise(lang) is not None:
        return
    source = ctx.get_parameter_source("lang")
    if source is not None and source.name == "COMMANDLINE":
        raise typer.BadParameter(
            _("{lang!r} is not a language socialcrm speaks ({languages})").format(
                lang=lang, languages=", ".join(i18n.LANGUAGES)
            ),
            param_hint="'--lang'",
        )


def _escape_message(exc: typer.TyperException) -> None:
    """Click's usage errors quote what was typed (``No such command '…'``): escaped;
    and shown in the language in force."""
    from socialcrm import i18n
    from socialcrm.text import escape

    if isinstance(exc.message, str):
        exc.message = escape(exc.message)
    if i18n.language() != i18n.DEFAULT:
        from socialcrm.cli.click_messages import translate_usage_error

        translate_usage_error(exc)


def _os_error_exit(ctx: Any, exc: OSError) -> typer.Exit | None:
    """The exit for an OSError met by a command (one line printed), or None if unexpected."""
    from socialcrm.cli.errors import report_os_error

    state = ctx.find_root().obj
    store = None
    if isinstance(state, CLIState):
        try:
            store = state.db_path
        except Exception:  # the store path itself cannot be resolved
            store = None
    used = isinstance(state, CLIState) and state.store_opened
    code = report_os_error(exc, store=store, store_used=used)
    return None if code is None else typer.Exit(code)


class SocialGroup(TyperGroup):
    """The root group: global options on every command, errors → one line and an exit code.

    Library errors and the operating system's (a full disk, a read-only
    store, a closed pipe) are mapped here, for every command, built-in or
    from a plugin (see :mod:`socialcrm.cli.errors`).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        options = global_options()
        translate_help(self)
        for command in self.commands.values():
            add_global_options(command, options)
            tidy_metavars(command)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from socialcrm.cli.coercion import install

        install(self)  # here, not in __init__: Typer adds the completion options after it
        try:
            return super().parse_args(ctx, args)
        except typer.TyperException as exc:
            _escape_message(exc)
            raise

    def invoke(self, ctx: Any) -> Any:
        from socialcrm.errors import SocialCRMError

        try:
            return super().invoke(ctx)
        except SocialCRMError as exc:
            from socialcrm.cli.errors import report_error

            raise typer.Exit(report_error(exc)) from None
        except typer.TyperException as exc:
            _escape_message(exc)
            raise
        except OSError as exc:
            mapped = _os_error_exit(ctx, exc)
            if mapped is None:
                raise
            raise mapped from None


# -- the application ----------------------------------------------------------------


def _close(state: CLIState) -> None:
    """Close the store at the end of the run; a store error there is still one line."""
    from socialcrm.errors import SocialCRMError

    try:
        state.close()
    except SocialCRMError as exc:
        from socialcrm.cli.errors import report_error

        raise typer.Exit(report_error(exc)) from None
    except OSError as exc:
        from socialcrm.cli.errors import report_os_error

        code = report_os_error(exc, store=state.db_path, store_used=True)
        if code is None:
            raise
        raise typer.Exit(code) from None


def make_app(
    pm: "pluggy.PluginManager | None" = None, *, command: str | None = None
) -> typer.Typer:
    """Build the root application for plugin manager ``pm`` (default: installed plugins).

    ``command`` (the console script passes the one being run) keeps only that
    command in the app, and imports only the module declaring it (see
    :data:`COMMANDS`): Typer converts every registered command on each run,
    and building ~60 of them costs more than running one.  An unknown name
    (a plugin's command, a typo) keeps them all, so usage errors still suggest
    the right command; :data:`VERSION_ONLY` builds none.
    """
    if pm is None:
        from socialcrm.plugins import get_plugin_manager

        pm = get_plugin_manager()
    plugin_manager = pm

    app = typer.Typer(
        name="socialcrm",
        cls=SocialGroup,
        help=_("Social selling pipeline: profile → identify → notoriety → contact → convert."),
        epilog=_(
            "Exit codes: 0 ok, 1 unexpected, 2 usage, 3 not found/ambiguous, "
            "4 invalid input or a file/output that cannot be written, 5 refused transition, "
            "6 store, 7 plugin, 141 output closed.  See docs/cli.md."
        ),
        invoke_without_command=True,
        pretty_exceptions_enable=False,
        # rich help on a terminal; plain, stable help (and no rich import) when piped
        rich_markup_mode="rich" if _rich_terminal() else None,
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                envvar="SOCIALCRM_DB",
                metavar="PATH_OR_URL",
                help=_(
                    "Store to use: a directory, or a database URL such as "
                    "postgresql://user@host/db (default: a directory in your user data directory)."
                ),
                show_envvar=True,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        pipeline: Annotated[
            str | None,
            typer.Option(
                "--pipeline",
                envvar="SOCIALCRM_PIPELINE",
                metavar="NAME",
                help=_("Pipeline to work on (default: the store's current one)."),
                show_envvar=True,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        output_format: Annotated[
            str | None,
            typer.Option(
                "--format",
                envvar="SOCIALCRM_FORMAT",
                metavar="[table|json|csv]",
                help=_(
                    "Output format for lists and records (default: table, or the "
                    "configuration file's 'format')."
                ),
                show_envvar=True,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        lang: Annotated[
            str | None,
            typer.Option(
                LANG_OPTION,
                envvar="SOCIALCRM_LANG",
                metavar="LANG",
                help=_(
                    "Interface language: en or fr (default: the configuration file's "
                    "'language', then LC_ALL, LC_MESSAGES, LANG; English otherwise)."
                ),
                show_envvar=True,
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = None,
        version: Annotated[
            bool,
            typer.Option(
                "--version",
                callback=_version_callback,
                is_eager=True,
                help=_("Print the version and exit."),
                rich_help_panel=_(GLOBAL_PANEL),
            ),
        ] = False,
    ) -> None:
        """Social selling pipeline: profile → identify → notoriety → contact → convert."""
        _check_lang(ctx, lang)
        chosen = None if output_format is None else parse_format(output_format)
        state = CLIState(plugin_manager, db=db, pipeline=pipeline, output_format=chosen)
        ctx.obj = state
        ctx.call_on_close(lambda: _close(state))
        if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
            from socialcrm.cli.render import echo

            echo(_(OVERVIEW), nl=False)
            raise typer.Exit()

    if command == VERSION_ONLY:  # the eager --version callback exits before any command
        return app
    own_module = COMMANDS.get(command or "")
    for dotted in COMMAND_MODULES if own_module is None else (own_module,):
        importlib.import_module(dotted).register(app)

    from socialcrm.cli.errors import warn_plugin_failure
    from socialcrm.hooks import Hooks

    Hooks(plugin_manager, report=warn_plugin_failure).register_commands(app)
    if command is not None:
        _keep_only(app, command)
    return app


def _keep_only(app: typer.Typer, name: str) -> None:
    def command_name(info: Any) -> str:
        return str(info.name or info.callback.__name__).lower().replace("_", "-")

    def group_name(info: Any) -> str:
        return str(info.name or info.typer_instance.info.name or "")

    commands = [c for c in app.registered_commands if command_name(c) == name]
    groups = [g for g in app.registered_groups if group_name(g) == name]
    if commands or groups:
        app.registered_commands = commands
        app.registered_groups = groups


VALUE_OPTIONS = frozenset({"--db", "--pipeline", "--format", LANG_OPTION})
VERSION_ONLY = ""
"""What :func:`requested_command` returns for ``--version``: no command needs building."""


def requested_command(argv: Sequence[str]) -> str | None:
    """The command name in ``argv`` (after the global options), or None to build them all.

    :data:`VERSION_ONLY` for ``--version``, which needs no command at all.
    """
    if any(key.endswith("_COMPLETE") for key in os.environ if key.startswith("_SOCIALCRM")):
        return None  # shell completion needs every command
    tokens = iter(argv)
    for token in tokens:
        if token in VALUE_OPTIONS:
            next(tokens, None)
        elif token.startswith("--") and "=" in token and token.split("=", 1)[0] in VALUE_OPTIONS:
            continue
        elif token == "--version":
            return VERSION_ONLY
        elif token.startswith("-"):
            return None  # --help or an unknown option: Typer shows all
        else:
            return token
    return None


def _flush_stdout(code: int | str | None) -> int | str | None:
    """Flush standard output before exiting; what fails now is still reported as output.

    Python would flush it again at exit and, on a closed pipe, print
    ``Exception ignored … BrokenPipeError``: a closed pipe is exit 141, silently.
    """
    from socialcrm.cli.errors import report_os_error
    from socialcrm.cli.render import STDOUT

    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.filename is None:
            exc.filename = STDOUT
        mapped = report_os_error(exc)
        return code if mapped is None or code not in (0, None) else mapped
    return code


def run(argv: Sequence[str] | None = None, pm: "pluggy.PluginManager | None" = None) -> None:
    """Run the CLI as the console script does: unexpected errors → one line, exit 1."""
    from socialcrm.cli.errors import echo_err, report_os_error
    from socialcrm.errors import PluginError, ValidationError

    args = list(argv) if argv is not None else sys.argv[1:]
    from socialcrm.cli.language import setup

    setup(args)
    command = requested_command(args)
    try:
        if pm is None:
            from socialcrm.cli.context import plugin_manager_for

            pm = plugin_manager_for(command)
        app = make_app(pm, command=command)
    except (PluginError, ValidationError) as exc:  # a misspelled hook (exit 7), a bad config (4)
        from socialcrm.cli.errors import report_error

        sys.exit(report_error(exc))
    try:
        app(args=args, prog_name="socialcrm")
    except SystemExit as exc:
        raise SystemExit(_flush_stdout(exc.code)) from None
    except KeyboardInterrupt:
        echo_err(_("interrupted"))
        raise SystemExit(130) from None
    except Exception as exc:
        if os.environ.get("SOCIALCRM_DEBUG"):
            raise
        code = report_os_error(exc) if isinstance(exc, OSError) else None
        if code is None:
            echo_err(
                _(
                    "error: unexpected {name__}: {exc} (set SOCIALCRM_DEBUG=1 for the "
                    "traceback, and please report it)"
                ).format(name__=type(exc).__name__, exc=exc)
            )
        sys.exit(_flush_stdout(1 if code is None else code))
