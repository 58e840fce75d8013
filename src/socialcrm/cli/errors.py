"""Errors → one clear line on stderr and a documented exit code.

The library raises typed :class:`~socialcrm.errors.SocialCRMError` values with
context; the system raises :class:`OSError` (a full disk, a read-only file
system, a closed pipe…).  This module is the single place deciding how each
reads and which exit code a script sees (docs/cli.md, "Exit codes").  No
traceback is shown for them, and every line is escaped: an error echoes
names and file names, which come from hostile files.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from socialcrm.i18n import gettext as _
from socialcrm.i18n import os_reason
from socialcrm.text import escape

if TYPE_CHECKING:
    from socialcrm.errors import SocialCRMError
    from socialcrm.hooks import PluginFailure

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PLUGIN",
    "EXIT_REFUSED",
    "EXIT_STORE",
    "EXIT_SUPPRESSED",
    "EXIT_UNEXPECTED",
    "EXIT_USAGE",
    "STDOUT",
    "echo_err",
    "exit_code_for",
    "fail",
    "quiet_stdout",
    "report_error",
    "report_os_error",
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
EXIT_SUPPRESSED = 8
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: the reader of our output went away (``socialcrm list | head -1``)."""


STDOUT = "<stdout>"
"""The ``filename`` given to an :class:`OSError` raised while writing standard output."""


def _color_stderr() -> bool:
    return sys.stderr.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _echo_err(text: str, *, fg: str | None = None, bold: bool = False) -> None:
    text = escape(text)
    if fg and _color_stderr():
        typer.secho(text, err=True, fg=fg, bold=bold)
    else:
        typer.echo(text, err=True)


def echo_err(text: str) -> None:
    """A plain line on stderr (escaped)."""
    _echo_err(text)


def exit_code_for(exc: SocialCRMError) -> int:
    """The exit code documented in docs/cli.md for a library error."""
    from socialcrm import errors

    if isinstance(exc, errors.SuppressedError):
        return EXIT_SUPPRESSED
    if isinstance(exc, errors.NotFoundError | errors.AmbiguousReferenceError):
        return EXIT_NOT_FOUND
    if isinstance(exc, errors.SuppressedError):
        return EXIT_SUPPRESSED
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
        _echo_err(_("error: {message}").format(message=exc.message), fg="red", bold=True)
        for problem in exc.problems:
            _echo_err(f"  - {problem.message} [{problem.rule}]")
            if problem.fix:
                _echo_err(_("    fix: {fix}").format(fix=problem.fix))
        _echo_err(_("  fix the problems above, or pass --force to override them (it is recorded)"))
    elif isinstance(exc, errors.AmbiguousReferenceError):
        _echo_err(
            _(
                "error: {ref!r} matches {count} prospects; use a longer id prefix, an "
                "e-mail or a profile URL:"
            ).format(ref=exc.ref, count=len(exc.candidates)),
            fg="red",
            bold=True,
        )
        for pid, name in exc.candidates:
            _echo_err(f"  {pid}  {name}")
    else:
        _echo_err(_("error: {exc}").format(exc=exc), fg="red", bold=True)
    return exit_code_for(exc)


def fail(message: str, code: int = EXIT_INVALID) -> typer.Exit:
    """Print ``error: message`` on stderr and return the Exit to raise."""
    _echo_err(_("error: {message}").format(message=message), fg="red", bold=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    """A non-fatal warning line on stderr."""
    _echo_err(_("warning: {message}").format(message=message), fg="yellow")


def warn_plugin_failure(failure: PluginFailure) -> None:
    """Report a plugin that failed in a hook while a command ran (the command goes on)."""
    warn(
        _("plugin {plugin!r} failed in {hook}: {error}").format(
            plugin=failure.plugin, hook=failure.hook, error=failure.error
        )
    )


# -- operating-system errors ------------------------------------------------------------

#: errno values a file can raise that the user can act on (anything else on a
#: file we name is reported too; without a file name only these are).
_FILE_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOSPC,
        errno.EFBIG,
        errno.EDQUOT,
        errno.EIO,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
    }
)

_STORE_HINTS = {
    errno.EACCES: "check the owner and permissions of the store's directory and files",
    errno.EPERM: "check the owner and permissions of the store's directory and files",
    errno.EROFS: "socialcrm writes its lock file even to read: use a store on a writable disk",
    errno.ENOSPC: "free some disk space, then retry",
    errno.EDQUOT: "free some space within your disk quota, then retry",
    errno.EFBIG: "the file size limit (ulimit -f) is too low for the store",
}


def quiet_stdout() -> None:
    """Send whatever is left for standard output to /dev/null (its reader is gone).

    Python flushes ``sys.stdout`` again at exit; on a closed pipe that prints
    ``Exception ignored … BrokenPipeError``.  Pointing the file descriptor at
    /dev/null makes that last flush succeed silently.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def _inside(path: str, store: Path | None) -> bool:
    if store is None:
        return False
    target = Path(path).resolve()
    root = Path(store).resolve()
    return target == root or root in target.parents


def report_os_error(
    exc: OSError, *, store: Path | None = None, store_used: bool = False
) -> int | None:
    """Print ``exc`` as one line and return its exit code; None if it is not one to map
    (an unexpected error: the caller reports it as such).

    * a closed pipe on standard output: nothing printed, exit 141 (128 + SIGPIPE);
    * standard output (:data:`STDOUT`) or a file the user named: exit 4;
    * a file inside the store ``store``, or (``store_used``) an unnamed file
      while the store was open: exit 6 (the storage layer's own errors say more).
    """
    reason = os_reason(exc)
    name = exc.filename if isinstance(exc.filename, str) else None
    hint = _STORE_HINTS.get(exc.errno or 0)
    store_hint = f" ({hint})" if hint else ""

    def failed(message: str, code: int) -> int:
        _echo_err(_("error: {message}").format(message=message), fg="red", bold=True)
        return code

    if exc.errno == errno.EPIPE or isinstance(exc, BrokenPipeError):
        quiet_stdout()
        return EXIT_BROKEN_PIPE
    if name == STDOUT:
        return failed(_("cannot write the output: {reason}").format(reason=reason), EXIT_INVALID)
    if name is not None and _inside(name, store):
        return failed(
            _("store file {name}: {reason}{store_hint}").format(
                name=name, reason=reason, store_hint=store_hint
            ),
            EXIT_STORE,
        )
    if name is not None:
        return failed(_("{name}: {reason}").format(name=name, reason=reason), EXIT_INVALID)
    if exc.errno not in _FILE_ERRNOS:
        return None
    if store_used:
        return failed(
            _("store {store}: {reason}{store_hint}").format(
                store=store, reason=reason, store_hint=store_hint
            ),
            EXIT_STORE,
        )
    return failed(reason, EXIT_INVALID)
