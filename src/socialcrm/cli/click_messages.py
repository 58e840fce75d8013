"""Typer's and Click's own messages in the rep's language.

Typer 0.29 ships its own copy of Click (``typer._click``) whose messages are
plain English strings, not gettext calls; Typer's ``typer.core`` (and its rich
help, ``typer.rich_utils``) still asks :func:`gettext.gettext`.  So:

* ``typer.core``'s ``_`` is pointed at socialcrm's catalogue
  (:func:`socialcrm.cli.language.translate_click`);
* the help formatter is :class:`TranslatedFormatter` (``Usage:``, the help
  option's text);
* a usage error is translated by :func:`translate_usage_error` before Typer shows
  it (``Error:``, ``Try '… --help' for help.``, ``Missing argument``…).

The messages are listed here, marked, so that they are extracted with the rest.
"""

from __future__ import annotations

import re
import types
from typing import IO, Any

from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["MESSAGES", "RICH_CONSTANTS", "TranslatedFormatter", "translate_usage_error"]

MESSAGES: tuple[str, ...] = (
    # typer.core (gettext)
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    # typer._click (plain strings, translated by this module)
    N_("Show this message and exit."),
)
"""Typer's messages, as it spells them."""

RICH_CONSTANTS: dict[str, str] = {
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
"""Typer's rich help texts, computed when ``typer.rich_utils`` is imported."""

_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Missing argument(?P<hint> .+)?\.\Z", re.S), N_("Missing argument{hint}.")),
    (re.compile(r"Missing option(?P<hint> .+)?\.\Z", re.S), N_("Missing option{hint}.")),
    (re.compile(r"Missing parameter(?P<hint> .+)?\.\Z", re.S), N_("Missing parameter{hint}.")),
    (re.compile(r"No such option: (?P<name>.+)\Z", re.S), N_("No such option: {name}")),
    (
        re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)\Z", re.S),
        N_("Got unexpected extra argument(s) ({args})"),
    ),
    (
        re.compile(r"Invalid value for (?P<param_hint>.+?): (?P<message>.*)\Z", re.S),
        N_("Invalid value for {param_hint}: {message}"),
    ),
    (re.compile(r"Invalid value: (?P<message>.*)\Z", re.S), N_("Invalid value: {message}")),
    (
        re.compile(r"Option (?P<name>'.+?') requires an argument\.\Z", re.S),
        N_("Option {name} requires an argument."),
    ),
)
"""The English forms of ``typer._click``'s usage errors and their messages."""


def _translated(message: str) -> str:
    for pattern, template in _ERRORS:
        found = pattern.match(message)
        if found:
            values = {k: v or "" for k, v in found.groupdict().items()}
            return _(template).format(**values)
    return message


def _show(self: Any, file: IO[Any] | None = None) -> None:
    """``UsageError.show`` in the language in force (same lines as Click's)."""
    from typer._click.utils import echo

    ctx = getattr(self, "ctx", None)
    color = None
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]
            )
            hint += "\n"
        color = ctx.color
        echo(f"{ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
    message = _("Error: {message}").format(message=_translated(self.format_message()))
    echo(message, file=file, err=file is None, color=color)


def translate_usage_error(exc: Any) -> None:
    """Make ``exc`` (a Typer/Click usage error) show itself in the language in force."""
    if hasattr(exc, "ctx"):
        exc.show = types.MethodType(_show, exc)


def _formatter_class() -> type[Any]:
    from typer._click.formatting import HelpFormatter

    class TranslatedFormatterClass(HelpFormatter):
        """Click's help formatter with ``Usage:`` and Click's option help translated."""

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            if prefix is None:
                prefix = _("Usage:") + " "
            super().write_usage(prog, args, prefix)

        def write_heading(self, heading: str) -> None:
            line = _("{heading}:").format(heading=heading)
            self.write(f"{'':>{self.current_indent}}{line}\n")

        def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
            super().write_dl(
                [(term, _(text) if text else text) for term, text in rows], col_max, col_spacing
            )

    return TranslatedFormatterClass


class TranslatedFormatter:
    """Install (:meth:`install`) the translated help formatter on Typer's Click contexts."""

    @staticmethod
    def install() -> None:
        from typer._click.core import Context

        Context.formatter_class = _formatter_class()
