"""The safety checks of a profile URL, before any network looks at its path.

Split from :mod:`socialcrm.networks` (which re-exports them): every adapter
applies them, and the registry uses them to tell why no network took a URL.
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Sequence

from socialcrm.errors import InvalidURLError
from socialcrm.i18n import text as _

__all__ = ["check_profile_url", "has_scheme", "host_matches", "reject_unsafe_text"]

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:(?!\d)")
_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_matches(host: str, domains: Sequence[str]) -> bool:
    """Whether ``host`` equals one of ``domains`` or is a subdomain of it."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def has_scheme(text: str) -> bool:
    """Whether ``text`` starts with a URL scheme (``https:``, ``javascript:``…).

    ``host:443/…`` is not a scheme (a digit follows the colon).
    """
    return _SCHEME.match(text) is not None


def reject_unsafe_text(text: str, *, network: str | None = None) -> None:
    """Refuse empty text and text holding whitespace, control or format characters.

    Format characters (zero-width joiners, bidi overrides) can make a URL
    display differently from what it is.
    """
    if text and text.isascii() and text.isprintable() and " " not in text:
        return  # fast path (bulk imports): no ASCII control, format or space character
    if not text or any(c.isspace() or unicodedata.category(c) in {"Cc", "Cf"} for c in text):
        raise InvalidURLError(
            text, _("empty, or contains whitespace or control characters"), network=network
        )


def check_profile_url(
    url: str, domains: Sequence[str], *, network: str | None = None, any_host: bool = False
) -> urllib.parse.SplitResult:
    """Reject hostile or foreign URLs; return the parsed URL for path parsing.

    Accepts ``http``/``https`` only, no user-info, no port other than the
    scheme's default, no whitespace or control characters, a plain ASCII host
    name (no backslash or percent-escape tricks) equal to one of ``domains``
    or a subdomain of it (any host with ``any_host``: the other checks' reason).
    A URL without scheme (``linkedin.com/in/x``) is read as https.
    """
    reject_unsafe_text(url, network=network)
    if "\\" in url:
        raise InvalidURLError(url, _("backslashes are not allowed in URLs"), network=network)
    candidate = url
    if candidate.startswith("//"):
        candidate = "https:" + candidate
    elif not has_scheme(candidate):
        candidate = "https://" + candidate
    try:
        parts = urllib.parse.urlsplit(candidate)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(
            url, _("malformed URL ({exc})").format(exc=exc), network=network
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURLError(url, _("only http and https URLs are accepted"), network=network)
    if "@" in parts.netloc:
        raise InvalidURLError(url, _("URLs with user information are refused"), network=network)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        raise InvalidURLError(url, _("unexpected port {port}").format(port=port), network=network)
    host = parts.hostname or ""
    if not _HOST.match(host):
        raise InvalidURLError(
            url, _("{host!r} is not a valid host name").format(host=host), network=network
        )
    if not any_host and not host_matches(host, domains):
        reason = _("host {host!r} is not on {domains}").format(
            host=host, domains=", ".join(domains)
        )
        raise InvalidURLError(url, reason, network=network)
    return parts
