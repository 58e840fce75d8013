"""What makes one row of an import invalid, before any matching."""

from __future__ import annotations

from collections.abc import Mapping

from socialcrm.io.csvsafe import FIELD_LIMIT

__all__ = ["RowError", "check_lengths"]


class RowError(Exception):
    """A record that cannot be imported: the row becomes an ``invalid`` outcome
    naming ``field``, and the import goes on (or, ``strict``, writes nothing)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def check_lengths(values: Mapping[str, str | None]) -> None:
    """Refuse a field longer than any real export holds (hostile or broken input)."""
    for key, value in values.items():
        if value is not None and len(value) > FIELD_LIMIT:
            raise RowError(f"{key} is longer than {FIELD_LIMIT} characters", key)
