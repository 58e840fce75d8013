"""Identifiers: ULIDs, sortable by creation time and monotonic within a process.

Two events recorded in the same millisecond (or under a frozen test clock)
still sort in the order they were made, which keeps derived histories exact.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

__all__ = ["IdFactory"]


class IdFactory:
    """Makes ULIDs from the CRM's clock, strictly increasing."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self, at: datetime) -> str:
        # A ULID is 48 bits of milliseconds then 80 random bits, in Crockford base32.
        # Built here rather than through python-ulid: imports make 3 ids per row, and
        # the library's objects and generator lock tripled the cost of each.
        millis = int(at.timestamp() * 1000)
        if not 0 <= millis < 1 << 48:
            raise ValueError(f"{at!r} is outside the ULID time range")
        candidate = millis << 80 | int.from_bytes(os.urandom(10), "big")
        with self._lock:
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
        return _encode(candidate)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _encode(value: int) -> str:
    """The 26-character Crockford base32 form of a 128-bit ULID value."""
    chars = [""] * 26
    for index in range(25, -1, -1):
        chars[index] = _CROCKFORD[value & 31]
        value >>= 5
    return "".join(chars)
