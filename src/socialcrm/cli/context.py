"""The state shared by the commands of one CLI run (``ctx.obj``).

Global options (``--db``, ``--pipeline``, ``--format``) land here whether they
are given before the command name or after it; the store is opened once, on
first use, so ``--help`` and usage errors never touch it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from socialcrm.cli.localised import output_is
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    import pluggy
    from rich.console import Console

    from socialcrm.crm import CRM
    from socialcrm.storage.locking import LockWait, OnWait

__all__ = ["FORMATS", "CLIState", "OutputFormat", "get_state", "stdin_is_terminal"]

OutputFormat = Literal["table", "json", "csv"]
FORMATS: tuple[OutputFormat, ...] = ("table", "json", "csv")


def parse_format(value: str) -> OutputFormat:
    """Validate a ``--format`` value (case-insensitive)."""
    lowered = value.strip().lower()
    for known in FORMATS:
        if lowered == known:
            return known
    raise typer.BadParameter(
        _("{value!r} is not one of: {FORMATS}").format(value=value, FORMATS=", ".join(FORMATS))
    )


class CLIState:
    """Options of this run, the plugin manager, and the lazily opened CRM."""

    def __init__(
        self,
        pm: pluggy.PluginManager,
        *,
        db: str | Path | None = None,
        pipeline: str | None = None,
        output_format: OutputFormat | None = None,
    ) -> None:
        self.pm = pm
        self.db: str | Path | None = db
        self.pipeline: str | None = pipeline
        self._format: OutputFormat | None = output_format
        output_is(output_format or "table")  # a new run: not the last in-process run's
        self._crm: CRM | None = None
        self._console: Console | None = None
        self._err_console: Console | None = None

    # -- settings: option > environment (Typer's envvar) > configuration file > default --
    @property
    def output_format(self) -> OutputFormat:
        """``--format``, else ``SOCIALCRM_FORMAT``, else the file's ``format``, else table."""
        if self._format is None:
            from socialcrm.config import value

            self._format = parse_format(str(value("format")))
            output_is(self._format)
        return self._format

    @output_format.setter
    def output_format(self, chosen: OutputFormat) -> None:
        self._format = chosen
        output_is(chosen)

    def configured(self, key: str) -> str | None:
        """Key ``key`` of the configuration file (read when first needed, so that
        ``--help`` and ``config`` commands work whatever the file holds)."""
        from socialcrm.config import load

        found = load().get(key)
        return None if found is None else str(found)

    # -- store ---------------------------------------------------------------
    @property
    def db_given(self) -> bool:
        """Whether the store was chosen (``--db``, ``SOCIALCRM_DB`` or the configuration file)."""
        return (
            bool(self.db) or bool(os.environ.get("SOCIALCRM_DB")) or bool(self.configured("store"))
        )

    def runnable(self, command: str) -> str:
        """``command`` (``socialcrm …``) with this run's ``--db``/``--pipeline`` added.

        Suggested commands (the agenda's DO column) must act on the store and
        pipeline the rep is looking at, also when those were given as options.
        """
        import shlex

        from socialcrm.storage import describe_store

        options = []
        if self.db:  # a URL's password is never printed: the rep sets PGPASSWORD or ~/.pgpass
            options.append(f"--db {shlex.quote(describe_store(self.db))}")
        if self.pipeline:
            options.append(f"--pipeline {shlex.quote(self.pipeline)}")
        head, sep, rest = command.partition(" ")
        if head != "socialcrm" or not options or not sep:
            return command
        return " ".join([head, *options, rest])

    @property
    def store_location(self) -> str | Path:
        """The store: a database URL, or a directory (``--db`` > ``SOCIALCRM_DB`` > default)."""
        from socialcrm.storage import resolve_store

        return resolve_store(self.db or os.environ.get("SOCIALCRM_DB") or self.configured("store"))

    @property
    def store_label(self) -> str:
        """The store as it may be printed (a URL's password masked)."""
        from socialcrm.storage import describe_store

        return describe_store(self.store_location)

    @property
    def store_exists(self) -> bool:
        """Whether opening the store would find one rather than create it."""
        location = self.store_location
        return not isinstance(location, Path) or location.exists()

    @property
    def db_path(self) -> Path:
        """The TinyDB store's directory, for the commands working on its files.

        A database URL is refused with a :class:`~socialcrm.errors.StoreError`
        (``backup``/``restore`` work on files; a database has its own tools).
        """
        location = self.store_location
        if not isinstance(location, Path):
            from socialcrm.errors import StoreError

            raise StoreError(
                _("this command works on a store directory; {store_label} is a database").format(
                    store_label=self.store_label
                ),
                path=self.store_label,
                hint=_(
                    "back a database up with its own tools (pg_dump, sqlite3 .backup), "
                    "or copy it to a directory with 'socialcrm store copy' (docs/storage.md)"
                ),
            )
        return location

    def open_crm(self) -> CRM:
        """The CRM over the store at :attr:`store_location` (opened once per run)."""
        if self._crm is None:
            from socialcrm.cli.errors import warn, warn_plugin_failure
            from socialcrm.crm import CRM
            from socialcrm.storage import open_repository

            for failure in getattr(self.pm, "load_failures", ()):
                warn(
                    _("plugin {name!r} could not be loaded: {error}").format(
                        name=failure.name, error=failure.error
                    )
                )
            timeout, on_wait = waiting_as_a_person()
            repository = open_repository(self.store_location, lock_timeout=timeout, on_wait=on_wait)
            self._crm = CRM(
                repository,
                self.pm,
                pipeline=self.pipeline or self.configured("pipeline"),
                report=warn_plugin_failure,
                actor=self.actor,
            )
        return self._crm

    @property
    def actor(self) -> str | None:
        """The rep running this command: ``SOCIALCRM_USER`` (or the older
        ``SOCIALCRM_ACTOR``), else the configuration file's ``actor``, else the
        operating system's user (see :func:`~socialcrm.team.current_actor`)."""
        from socialcrm.team import current_actor

        return current_actor(configured=self.configured("actor"))

    def owner_filter(self, owner: str | None, mine: bool) -> str | None:
        """The rep whose prospects ``--owner REP`` / ``--mine`` keep (``None``: everyone's)."""
        from socialcrm.errors import ValidationError
        from socialcrm.team import rep_name

        if owner is not None and mine:
            raise ValidationError(_("give --owner or --mine, not both"), field="owner")
        if owner is not None:
            return rep_name(owner)
        if not mine:
            return None
        actor = self.actor
        if actor is None:
            raise ValidationError(
                _("--mine: who you are is not known"),
                field="owner",
                hint=_("set SOCIALCRM_USER to your name, or give --owner NAME"),
            )
        return actor

    @property
    def store_opened(self) -> bool:
        """Whether this run opened the store (an unnamed I/O error is then the store's)."""
        return self._crm is not None

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._crm is not None:
            crm, self._crm = self._crm, None
            crm.close()

    # -- output --------------------------------------------------------------
    @property
    def is_terminal(self) -> bool:
        """Rich output: stdout is a terminal and colour is not disabled."""
        return _rich_allowed(sys.stdout)

    @property
    def progress_allowed(self) -> bool:
        """Progress bars go to stderr, only when it is a terminal."""
        return _rich_allowed(sys.stderr)

    @property
    def console(self) -> Console:
        """A rich console on stdout (for tables on a terminal; never for JSON/CSV)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                highlight=False,
                emoji=False,
                no_color="NO_COLOR" in os.environ,
                force_terminal=self.is_terminal or None,
            )
        return self._console

    @property
    def err_console(self) -> Console:
        """A rich console on stderr (progress, status messages)."""
        if self._err_console is None:
            from rich.console import Console

            self._err_console = Console(
                stderr=True,
                highlight=False,
                emoji=False,
                no_color="NO_COLOR" in os.environ,
                force_terminal=self.progress_allowed or None,
            )
        return self._err_console

    def info(self, message: str) -> None:
        """A human-oriented status line on stderr, only on a terminal (scripts stay quiet)."""
        if _rich_allowed(sys.stderr):
            from socialcrm.cli.render import status

            status(self, message)


def plugin_manager_for(command: str | None) -> pluggy.PluginManager:
    """The run's plugin manager, without the plugins the configuration file disables
    (unless ``SOCIALCRM_DISABLE_PLUGINS`` is set: the variable wins over the file).

    An invalid file stops every command but ``config`` (how it is fixed) and ``--help``.
    """
    from socialcrm.config import ConfigError, load
    from socialcrm.plugins import DISABLE_ENV, get_plugin_manager

    block: tuple[str, ...] = ()
    if not os.environ.get(DISABLE_ENV, "").strip():
        try:
            block = tuple(load().get("disable_plugins", ()))
        except ConfigError:
            if command not in (None, "config"):  # --help, usage errors, config: go on
                raise
    return get_plugin_manager(block=block)


def waiting_as_a_person() -> tuple[float, OnWait]:
    """How a command waits for another process's lock on the store: up to
    ``$SOCIALCRM_LOCK_TIMEOUT`` or 60 s, saying so on stderr after a second."""
    from socialcrm.storage.locking import INTERACTIVE_LOCK_TIMEOUT, lock_timeout_from_env

    return lock_timeout_from_env(INTERACTIVE_LOCK_TIMEOUT), _say_waiting


def _say_waiting(wait: LockWait) -> None:
    """Told by the store once its lock has been taken by another process for a second:
    one line on stderr, so that a command that seems stuck says why."""
    from socialcrm.cli.errors import echo_err

    holder = "" if wait.holder is None else f" (pid {wait.holder})"
    echo_err(
        _(
            "waiting for another socialcrm process{holder} holding the store "
            "{store_path} (up to {timeout:g} s; Ctrl-C to stop)"
        ).format(holder=holder, store_path=wait.store_path, timeout=wait.timeout)
    )


def stdin_is_terminal() -> bool:
    """Whether a confirmation can be asked (scripts must pass --yes instead)."""
    return sys.stdin.isatty()


def confirm(question: str, refusal: str) -> None:
    """Ask ``question`` on a terminal (stop on no); elsewhere refuse, exit 4: scripts pass --yes.

    ``refusal`` says what is not done, e.g. ``"not deleting Jane Doe (01HV…)"``.
    """
    from socialcrm.cli.errors import EXIT_INVALID, fail
    from socialcrm.text import escape

    if not stdin_is_terminal():
        raise fail(
            _("{refusal} without confirmation: pass --yes when not on a terminal").format(
                refusal=refusal
            ),
            EXIT_INVALID,
        )
    typer.confirm(escape(question), abort=True)


def _rich_allowed(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return (
        bool(isatty and isatty())
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )


def get_state(ctx: typer.Context) -> CLIState:
    """The run's :class:`CLIState`, from any (sub)command's context."""
    root = ctx.find_root()
    state = root.obj
    if not isinstance(state, CLIState):
        raise RuntimeError(_("the socialcrm CLI state is missing: build the app with make_app()"))
    return state
