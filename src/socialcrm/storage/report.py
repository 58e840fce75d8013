"""What ``socialcrm doctor`` reports: findings, each with what to do about it."""

from __future__ import annotations

from typing import Any

from attrs import define, field, frozen

__all__ = ["DoctorReport", "Finding"]


@frozen
class Finding:
    """One observation of :func:`doctor`; ``fix`` says what to do about it."""

    level: str  # "ok", "info", "warning" or "error"
    code: str
    message: str
    path: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "fix": self.fix,
        }


@define
class DoctorReport:
    """Everything :func:`doctor` found; ``problems`` are the warnings and errors."""

    path: str
    schema: int | None = None
    generation: int | None = None
    prospects: int | None = None
    events: int | None = None
    findings: list[Finding] = field(factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.level in ("warning", "error")]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "ok": self.ok,
            "schema": self.schema,
            "generation": self.generation,
            "prospects": self.prospects,
            "events": self.events,
            "findings": [f.to_dict() for f in self.findings],
        }
