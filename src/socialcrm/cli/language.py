"""Choose the interface language before the Typer application is built.

Help texts are evaluated when the command modules are imported, so the language
must be in force before :func:`socialcrm.cli.app.make_app` runs: the console
script calls :func:`setup` with its arguments first.  ``--lang`` is read from
the arguments here (Typer accepts it too, so it appears in ``--help``), then
``$SOCIALCRM_LANG``, the configuration file's ``language``, and the locale
variables (:func:`socialcrm.i18n.choose`).  Click's and Typer's own messages
(``Usage:``, ``Options``, ``Missing argument``…) are translated too
(:mod:`socialcrm.cli.click_messages`).  Imports no
Typer: :func:`setup` runs before anything else.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from socialcrm import i18n

__all__ = ["LANG_OPTION", "lang_argument", "setup", "translate_click"]

LANG_OPTION = "--lang"

GETTEXT_MODULES = ("typer.core",)
"""Typer's modules that bind ``from gettext import gettext as _`` (imported here)."""
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
)
"""The real Click's, translated when a plugin imported it (Typer uses its own copy)."""


def lang_argument(argv: Sequence[str]) -> str | None:
    """The value of ``--lang X`` / ``--lang=X`` in ``argv`` (before ``--``), or None."""
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            return None
        if token == LANG_OPTION:
            return next(tokens, None)
        if token.startswith(LANG_OPTION + "="):
            return token.split("=", 1)[1]
    return None


def _configured() -> str | None:
    """The configuration file's language, or None (an invalid file is reported later)."""
    from socialcrm.config import ConfigError, load

    try:
        value = load().get("language")
    except (ConfigError, OSError):
        return None
    return value if isinstance(value, str) else None


def setup(argv: Sequence[str]) -> str:
    """Put the run's language in force and return it."""
    option = lang_argument(argv)
    chosen = i18n.choose(option, None if option else _configured())
    if chosen == i18n.language() == i18n.DEFAULT:
        return chosen
    i18n.activate(chosen)
    translate_click()
    return chosen


def translate_click() -> None:
    """Make Click's and Typer's messages follow the language in force."""
    for name in GETTEXT_MODULES:
        __import__(name)
    for name in GETTEXT_MODULES + CLICK_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = i18n.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    from socialcrm.cli.click_messages import TranslatedFormatter

    TranslatedFormatter.install()
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is None and sys.stdout.isatty():  # rich help: imported now to translate it
        import typer.rich_utils as rich_utils
    if rich_utils is not None:
        translate_rich_utils(rich_utils)


def translate_rich_utils(module: object) -> None:
    """Typer's rich help computes its panel titles once, at import: set them again."""
    from socialcrm.cli.click_messages import RICH_CONSTANTS

    for attribute, message in RICH_CONSTANTS.items():
        if hasattr(module, attribute):
            setattr(module, attribute, i18n.gettext(message))
