"""Library errors → one clear line on stderr and a documented exit code.

The library raises typed :class:`~socialcrm.errors.SocialCRMError` values with
context; this module is the single place deciding how each kind reads and
which exit code a script sees.  No traceback is shown for them.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from socialcrm.errors import SocialCRMError
    from socialcrm.hooks import PluginFailure

__all__ = [
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PLUGIN",
    "EXIT_REFUSED",
    "EXIT_STORE",
    "EXIT_UNEXPECTED",
    "EXIT_USAGE",
    "exit_code_for",
    "fail",
    "report_error",
    "warn",
    "warn_plugin_failure",
]

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_INVALID = 4
EXIT_REFUSED = 5
EXIT_STORE = 6
EXIT_PLUGIN = 7


def _color_stderr() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _echo_err(text: str, *, fg: str | None = None, bold: bool = False) -> None:
    if fg and _color_stderr():
        typer.secho(text, err=True, fg=fg, bold=bold)
    else:
        typer.echo(text, err=True)


def exit_code_for(exc: SocialCRMError) -> int:
    """The exit code documented in docs/cli.md for a library error."""
    from socialcrm import errors

    if isinstance(exc, errors.NotFoundError | errors.AmbiguousReferenceError):
        return EXIT_NOT_FOUND
    if isinstance(exc, errors.TransitionRefusedError | errors.InvalidTransitionError):
        return EXIT_REFUSED
    if isinstance(exc, errors.ValidationError):
        return EXIT_INVALID
    if isinstance(exc, errors.StoreError):
        return EXIT_STORE
    if isinstance(exc, errors.PluginError):
        return EXIT_PLUGIN
    return EXIT_UNEXPECTED


def report_error(exc: SocialCRMError) -> int:
    """Print ``exc`` on stderr (message, then details) and return its exit code."""
    from socialcrm import errors

    if isinstance(exc, errors.TransitionRefusedError):
        _echo_err(f"error: {exc.message}", fg="red", bold=True)
        for problem in exc.problems:
            _echo_err(f"  - {problem.message} [{problem.rule}]")
            if problem.fix:
                _echo_err(f"    fix: {problem.fix}")
        _echo_err("  fix the problems above, or pass --force to override them (it is recorded)")
    elif isinstance(exc, errors.AmbiguousReferenceError):
        _echo_err(
            f"error: {exc.ref!r} matches {len(exc.candidates)} prospects; "
            "use a longer id prefix, an e-mail or a profile URL:",
            fg="red",
            bold=True,
        )
        for pid, name in exc.candidates:
            _echo_err(f"  {pid}  {name}")
    else:
        _echo_err(f"error: {exc}", fg="red", bold=True)
    return exit_code_for(exc)


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    _echo_err(f"error: {message}", fg="red", bold=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    """A non-fatal warning line on stderr."""
    _echo_err(f"warning: {message}", fg="yellow")


def warn_plugin_failure(failure: PluginFailure) -> None:
    """Report a plugin that failed in a hook while a command ran (the command goes on)."""
    warn(f"plugin {failure.plugin!r} failed in {failure.hook}: {failure.error}")
