"""Identifiers: ULIDs, sortable by creation time and monotonic within a process.

Two events recorded in the same millisecond (or under a frozen test clock)
still sort in the order they were made, which keeps derived histories exact.
"""

from __future__ import annotations

import threading
from datetime import datetime

__all__ = ["IdFactory"]


class IdFactory:
    """Makes ULIDs from the CRM's clock, strictly increasing."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self, at: datetime) -> str:
        # Imported on first use: python-ulid reads its own package metadata at import,
        # a cost read-only commands (show, list) should not pay.
        from ulid import ULID

        candidate = int(ULID.from_datetime(at))
        with self._lock:
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
        return str(ULID.from_int(candidate))
