"""The rep's time zone: ``SOCIALCRM_TIMEZONE``, the configuration file, else the system's."""

from __future__ import annotations

from datetime import datetime, tzinfo

__all__ = ["rep_timezone"]


def rep_timezone() -> tzinfo:
    """The zone the rep's day is in (calendar follow-ups start at 09:00 there)."""
    from socialcrm.config import value

    name = value("timezone")
    if name:
        from zoneinfo import ZoneInfo

        return ZoneInfo(str(name))
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local
