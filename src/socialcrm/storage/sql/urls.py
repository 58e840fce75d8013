"""Database URLs without SQLAlchemy: recognising one, and never printing its password.

A store location is a directory (the TinyDB store) or a database URL
(``postgresql://…``, ``sqlite:///path``).  Telling them apart must not import
SQLAlchemy (``socialcrm --help`` and the TinyDB path never load it), and a URL
shown anywhere — an error, ``doctor``, a suggested command — has its password
replaced by ``***``, even when the ``sql`` extra is not installed.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["is_database_url", "mask_url", "scrub"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# scheme://user:PASSWORD@host… (the password ends at the last "@" before the path)
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*:)(?P<secret>[^/?#]*)(?=@)")
# ?password=…, &password=…, and libpq's key=value form: password=… / password='…'
_QUERY = re.compile(r"(?P<head>[?&]password=)(?P<secret>[^&#\s]*)", re.IGNORECASE)
_KEYVALUE = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|\S+)", re.I)

MASK = "***"


def is_database_url(value: object) -> bool:
    """Whether ``value`` is a database URL (``scheme://…``) rather than a store path.

    Only strings qualify (a :class:`~pathlib.Path` is always a directory): a
    relative path never starts with ``scheme://``.
    """
    return isinstance(value, str) and bool(_SCHEME.match(value.strip()))


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (in the user part or the query)."""
    masked = _USERINFO.sub(lambda m: m["head"] + MASK, url.strip())
    return _QUERY.sub(lambda m: m["head"] + MASK, masked)


def _passwords(url: str) -> list[str]:
    found = [m["secret"] for m in _USERINFO.finditer(url)]
    found += [m["secret"] for m in _QUERY.finditer(url)]
    return [s for secret in found if secret for s in {secret, unquote(secret)}]


def scrub(text: str, url: str | None = None) -> str:
    """``text`` (say, a driver's error message) with ``url``'s password nowhere in it.

    The password is removed wherever it appears (also decoded from ``%xx``), then any
    URL or ``password=`` left in the text is masked.
    """
    if url:
        for secret in sorted(_passwords(url), key=len, reverse=True):
            text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    text = _QUERY.sub(lambda m: m["head"] + MASK, text)
    return _KEYVALUE.sub(lambda m: m["head"] + MASK, text)
