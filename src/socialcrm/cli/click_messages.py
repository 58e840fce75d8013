"""Click's and Typer's own messages, marked so that socialcrm's catalogue translates them.

Click and Typer look their messages up with :func:`gettext.gettext` (``Usage:``,
``Missing argument``, ``No such option``…); :func:`socialcrm.cli.language.translate_click`
points them at socialcrm's catalogue, whose entries come from this list (extracted
like every other message).  Messages that only a programmer sees are left out.
"""

from socialcrm.i18n import N_

__all__ = ["MESSAGES", "PLURALS", "RICH_CONSTANTS", "Np_"]


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (Babel keyword ``Np_:1,2``)."""
    return (singular, plural)


MESSAGES: tuple[str, ...] = (
    N_("Aborted!"),
    N_("deprecated"),
    N_("Positional arguments"),
    N_("Missing command."),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("(dynamic)"),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("Show this message and exit."),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("unknown error"),
    N_("Could not open file {filename!r}: {message}"),
    N_("Usage:"),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Option {name!r} does not take a value."),
    N_("Choose from:\n\t{choices}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("file"),
    N_("directory"),
    N_("path"),
    N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
    N_("Error: invalid input"),
    N_("required"),
)
"""Click's and Typer's single messages, as they spell them."""
PLURALS: tuple[tuple[str, str], ...] = (
    Np_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Np_("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."),
    Np_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    Np_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    Np_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    Np_(
        "{value!r} does not match the format {format}.",
        "{value!r} does not match the formats {formats}.",
    ),
    Np_(
        "{len_type} values are required, but {len_value} was given.",
        "{len_type} values are required, but {len_value} were given.",
    ),
)
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
