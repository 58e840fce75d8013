"""The five social-selling stages and the three outcomes of a prospect.

``Stage`` is ordered by the method (profile → identify → notoriety → contact →
convert), not alphabetically, so comparisons between stages follow the journey.
Values are the lower-case names used in storage, JSON and the CLI.
"""

from __future__ import annotations

import enum
from typing import Any

from socialcrm.i18n import text as _

__all__ = ["STAGE_OF", "STATUS_OF", "Stage", "Status"]


class Stage(enum.StrEnum):
    """A stage of the social-selling journey, ordered."""

    PROFILE = "profile"
    IDENTIFY = "identify"
    NOTORIETY = "notoriety"
    CONTACT = "contact"
    CONVERT = "convert"

    @property
    def order(self) -> int:
        """Position in the journey, 0 for ``PROFILE``."""
        return _ORDER[self]

    @property
    def next(self) -> Stage | None:
        """The following stage, ``None`` after ``CONVERT``."""
        members = list(Stage)
        return members[self.order + 1] if self.order + 1 < len(members) else None

    @property
    def previous(self) -> Stage | None:
        """The preceding stage, ``None`` before ``PROFILE``."""
        return list(Stage)[self.order - 1] if self.order > 0 else None

    @classmethod
    def parse(cls, value: str) -> Stage:
        """Read a stage name case-insensitively, with a helpful error."""
        from socialcrm.errors import ValidationError

        try:
            return cls(value.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValidationError(
                _("unknown stage {value!r}").format(value=value),
                field="stage",
                value=value,
                hint=_("one of: {names}").format(names=names),
            ) from None

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Stage):
            return NotImplemented
        return self.order < other.order

    def __le__(self, other: Any) -> bool:
        if not isinstance(other, Stage):
            return NotImplemented
        return self.order <= other.order

    def __gt__(self, other: Any) -> bool:
        if not isinstance(other, Stage):
            return NotImplemented
        return self.order > other.order

    def __ge__(self, other: Any) -> bool:
        if not isinstance(other, Stage):
            return NotImplemented
        return self.order >= other.order

    __hash__ = enum.StrEnum.__hash__


_ORDER = {stage: i for i, stage in enumerate(Stage)}


class Status(enum.StrEnum):
    """Outcome of a prospect: still being worked, won, or lost."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"

    @classmethod
    def parse(cls, value: str) -> Status:
        """Read a status name case-insensitively, with a helpful error."""
        from socialcrm.errors import ValidationError

        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValidationError(
                _("unknown status {value!r}").format(value=value),
                field="status",
                value=value,
                hint=_("one of: open, won, lost"),
            ) from None


#: A stored stage or status value to its member: a dict lookup, where calling the
#: enum (``Stage("contact")``) costs a Python call per value in whole-pipeline reads.
STAGE_OF: dict[str, Stage] = {stage.value: stage for stage in Stage}
STATUS_OF: dict[str, Status] = {status.value: status for status in Status}
