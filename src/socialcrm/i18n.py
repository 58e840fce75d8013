"""The interface language: which one is in force, and the translation of a message.

socialcrm speaks English and French.  Messages are marked ``_("…")`` where they
are written and looked up in the gettext catalogue of domain :data:`DOMAIN`
(``socialcrm/locale/<lang>/LC_MESSAGES/socialcrm.mo``, compiled from the ``.po``
files kept in the repository when the package is built; docs/languages.md).

The language in force is chosen once per run by :func:`choose` (the CLI passes
``--lang`` and the configuration file's ``language``), then set with
:func:`activate`; the rest of the library only calls :func:`gettext`.
Standard library only, and :mod:`gettext` itself is imported only when a
language other than English is activated: ``import socialcrm`` stays light and
an English run reads no catalogue.  Stored data and ``--format json|csv`` are
never translated (a script must not break when the rep's locale changes).

Plugins ship their own catalogue under their own domain: :func:`add_domain`
makes :func:`gettext` look there too (for the texts the CLI shows from a
plugin's declarations), :func:`translator` gives a plugin its own ``_``.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext as _gettext

__all__ = [
    "DEFAULT",
    "DOMAIN",
    "LANGUAGES",
    "LIST_SEPARATOR",
    "LOCALE_DIR",
    "N_",
    "activate",
    "add_domain",
    "choose",
    "from_environment",
    "gettext",
    "join_list",
    "language",
    "ngettext",
    "normalise",
    "ntext",
    "os_reason",
    "set_neutral",
    "text",
    "translator",
]

DOMAIN = "socialcrm"
DEFAULT = "en"
LANGUAGES = ("en", "fr")
"""The languages socialcrm has a catalogue for (English is the source language)."""
LOCALE_DIR = Path(__file__).with_name("locale")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""Read in this order, as POSIX does: the first one set decides."""

_language = DEFAULT
_translations: dict[tuple[str, str], _gettext.NullTranslations] = {}
_domains: dict[str, Path] = {}
"""Plugins' catalogues (:func:`add_domain`), consulted after socialcrm's own."""
_neutral = False
"""True in a ``--format json|csv`` run: the library's messages stay English (:func:`text`)."""


def normalise(code: str | None) -> str | None:
    """The language of a locale name (``fr_FR.UTF-8`` → ``fr``), or None if not one we speak.

    ``C`` and ``POSIX`` are English.
    """
    if not code:
        return None
    base = code.strip().split(".", 1)[0].split("@", 1)[0]
    if base.upper() in ("C", "POSIX"):
        return DEFAULT
    lang = base.replace("-", "_").split("_", 1)[0].lower()
    return lang if lang in LANGUAGES else None


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the locale variables ask for (``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""
    env = os.environ if environ is None else environ
    for name in LOCALE_VARIABLES:
        raw = env.get(name, "").strip()
        if raw:
            return normalise(raw)
    return None


def choose(
    option: str | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language in force: ``option`` (``--lang``), ``$SOCIALCRM_LANG``, ``configured``
    (the configuration file), then the locale variables; English when none is one we speak.

    A code we have no catalogue for is passed over, so the next source decides.
    """
    env = os.environ if environ is None else environ
    for candidate in (option, env.get("SOCIALCRM_LANG"), configured):
        found = normalise(candidate)
        if found is not None:
            return found
    return from_environment(env) or DEFAULT


def activate(lang: str) -> None:
    """Make ``lang`` (one of :data:`LANGUAGES`) the language of every message from now on."""
    global _language
    _language = normalise(lang) or DEFAULT


def language() -> str:
    """The language in force (``en`` unless :func:`activate` chose another)."""
    return _language


def _catalogue(domain: str, localedir: Path) -> _gettext.NullTranslations:
    key = (domain, f"{localedir}\0{_language}")
    found = _translations.get(key)
    if found is None:
        import gettext as _gettext

        found = _gettext.translation(domain, localedir, languages=[_language], fallback=True)
        if domain == DOMAIN:
            for other, directory in _domains.items():
                found.add_fallback(
                    _gettext.translation(other, directory, languages=[_language], fallback=True)
                )
        _translations[key] = found
    return found


def add_domain(domain: str, localedir: Path | str) -> None:
    """Let :func:`gettext` find messages in a plugin's own catalogue too.

    A network plugin declares its texts (channel names, checklist items) marked
    with :func:`N_` and calls this once, at import::

        add_domain("socialcrm_linkedin", Path(__file__).with_name("locale"))

    The CLI translates those texts where it shows them (``networks``,
    ``profile check``); stored data and JSON keep them as declared.
    """
    _domains[domain] = Path(localedir)
    _translations.clear()


def gettext(message: str) -> str:
    """``message`` in the language in force (itself in English or when not translated)."""
    if _language == DEFAULT:
        return message
    return _catalogue(DOMAIN, LOCALE_DIR).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the language in force."""
    if _language == DEFAULT:
        return singular if n == 1 else plural
    return _catalogue(DOMAIN, LOCALE_DIR).ngettext(singular, plural, n)


def set_neutral(neutral: bool) -> None:
    """Keep the library's own messages in English (a ``--format json|csv`` run).

    An error, a refused move's problems or an import report written by the
    library can end up in a JSON or CSV output, whose bytes must not depend on
    the rep's locale; the CLI calls this once it knows the run's format.
    """
    global _neutral
    _neutral = neutral


def text(message: str) -> str:
    """A message the library builds (an error, its hint, a refused move's problem):
    ``message`` in the language in force, or English in a neutral run (:func:`set_neutral`).

    Library modules bind it as ``_`` and call it when the message is built (raise
    time), with constant msgids and ``.format()`` placeholders, so extraction sees
    them.  A host application embedding socialcrm gets English unless it calls
    :func:`activate`.
    """
    if _neutral or _language == DEFAULT:
        return message
    return _catalogue(DOMAIN, LOCALE_DIR).gettext(message)


def ntext(singular: str, plural: str, n: int) -> str:
    """:func:`text` for a message with a plural form."""
    if _neutral or _language == DEFAULT:
        return singular if n == 1 else plural
    return _catalogue(DOMAIN, LOCALE_DIR).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translated where shown)."""
    return message


LIST_SEPARATOR = N_("; ")
"""Between the items of a list inside a sentence; French puts a narrow no-break space
before ``;`` (U+202F), as the catalogue says."""


def join_list(items: Iterable[str]) -> str:
    """``items`` joined by the language's list separator (``a; b`` in English, ``a ; b``
    with a narrow no-break space in French), English in a neutral run, like :func:`text`.

    A list built into a translated sentence (a checklist's missing items) must
    follow the sentence's typography, which a plain ``"; ".join`` cannot.
    """
    return text(LIST_SEPARATOR).join(items)


def translator(domain: str, localedir: Path | str) -> Callable[[str], str]:
    """A ``_`` for a plugin's own catalogue (domain ``domain`` under ``localedir``).

    The function follows the language in force when it is called, so a plugin
    can create it at import time::

        _ = translator("socialcrm_linkedin", Path(__file__).with_name("locale"))

    Like :func:`text`, it keeps English in a neutral run (``--format json|csv``):
    the adapters use it for the reasons a URL is refused, which join the
    library's own messages.
    """
    directory = Path(localedir)

    def translate(message: str) -> str:
        if _neutral or _language == DEFAULT:
            return message
        return _catalogue(domain, directory).gettext(message)

    return translate


_OS_REASONS = {
    "ENOENT": N_("No such file or directory"),
    "EACCES": N_("Permission denied"),
    "EPERM": N_("Operation not permitted"),
    "ENOSPC": N_("No space left on device"),
    "EROFS": N_("Read-only file system"),
    "EEXIST": N_("File exists"),
    "EISDIR": N_("Is a directory"),
    "ENOTDIR": N_("Not a directory"),
    "EMFILE": N_("Too many open files"),
    "ENAMETOOLONG": N_("File name too long"),
    "EIO": N_("Input/output error"),
    "EDQUOT": N_("Disk quota exceeded"),
    "EBUSY": N_("Device or resource busy"),
    "EFBIG": N_("File too large"),
}
"""The operating system's reasons a rep meets, by errno name (English as glibc words them)."""


def os_reason(exc: OSError, default: str | None = None) -> str:
    """Why the operating system refused (``exc.strerror``), in the language in force.

    The C library gives its reasons in English whatever the rep's locale (Python
    never sets ``LC_MESSAGES``), so the common ones are translated here, as
    :func:`text` would (English, the system's own words, in English or a neutral
    run).  Another reason is the system's; an error without one is ``default``
    (``str(exc)`` if not given).
    """
    if not exc.strerror:
        return str(exc) if default is None else default
    if _neutral or _language == DEFAULT:
        return exc.strerror
    message = _OS_REASONS.get(errno.errorcode.get(exc.errno or 0, ""))
    return exc.strerror if message is None else text(message)
