"""A score contribution: the unit of an explained ICP score."""

from __future__ import annotations

from attrs import frozen

__all__ = ["Contribution"]


@frozen
class Contribution:
    """Points given by one criterion, with the reason a rep can read."""

    criterion: str
    points: float
    reason: str
    source: str = "socialcrm"
