"""A team on one pipeline: who is acting (the rep), and who owns a prospect.

Every event records its actor and every prospect may have an owner (a rep's
name, free text). :func:`current_actor` says who the rep running a command
is — the CLI passes it to the :class:`~socialcrm.crm.CRM` as its ``actor``,
which then becomes the owner of the prospects that rep adds or imports.
A host application passes its own user instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.limits import check_length
from socialcrm.models import nfc
from socialcrm.text import check

__all__ = ["ACTOR_ENV", "USER_ENV", "current_actor", "rep_name"]

USER_ENV = "SOCIALCRM_USER"
"""The rep running the command (first in :func:`current_actor`'s order)."""

ACTOR_ENV = "SOCIALCRM_ACTOR"
"""The older name of :data:`USER_ENV`, still read (when ``SOCIALCRM_USER`` is unset)."""


def rep_name(value: str, field: str = "owner") -> str:
    """``value`` as a rep's name: one line of safe text, trimmed, not empty, capped."""
    name = nfc(check(value, field)).strip()
    if not name:
        raise ValidationError(
            _("{field} is empty").format(field=field), field=field, hint=_("give the rep's name")
        )
    check_length(field, name)
    return name


def current_actor(
    configured: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """Who is acting: ``SOCIALCRM_USER``, else ``SOCIALCRM_ACTOR``, else ``configured``
    (the configuration file's rep), else the operating system's user name.

    ``None`` only when none of these is known. A variable holding a control
    character or an over-long name is refused with a
    :class:`~socialcrm.errors.ValidationError` naming it: a wrong name would
    be recorded on every event.
    """
    env = os.environ if environ is None else environ
    for field, value in ((USER_ENV, env.get(USER_ENV)), (ACTOR_ENV, env.get(ACTOR_ENV))):
        if value and value.strip():
            return rep_name(value, field)
    if configured is not None and configured.strip():
        return rep_name(configured, "user")
    import getpass  # on use: only when no variable names the rep

    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name, no passwd entry
        return None
    return rep_name(user, "user") if user.strip() else None
