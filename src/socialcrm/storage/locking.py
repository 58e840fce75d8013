"""The store's inter-process lock: one writer (or reader) at a time, with a timeout.

Every repository operation runs under this lock, so a reader never sees a
half-applied commit and a read-modify-write never interleaves with another
process.  The lock is a file beside the data (``store.lock``), held with
``fcntl``/``msvcrt`` through :mod:`filelock`; the operating system releases it
when a process dies, so a crash never leaves the store locked.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType

from socialcrm.errors import StoreLockedError, ValidationError

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_TIMEOUT_ENV", "StoreLock", "lock_timeout_from_env"]

LOCK_TIMEOUT_ENV = "SOCIALCRM_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout_from_env() -> float:
    """Seconds to wait for the lock: ``$SOCIALCRM_LOCK_TIMEOUT`` or 10."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(
            f"{LOCK_TIMEOUT_ENV} must be a number of seconds, got {raw!r}",
            field=LOCK_TIMEOUT_ENV,
            value=raw,
        ) from None
    if value < 0:
        raise ValidationError(f"{LOCK_TIMEOUT_ENV} must be >= 0", field=LOCK_TIMEOUT_ENV)
    return value


class StoreLock:
    """A re-entrant exclusive lock on ``lock_path``, created mode 0600.

    ``store_path`` is only used to name the store in :class:`StoreLockedError`.
    """

    def __init__(self, lock_path: Path, *, store_path: Path, timeout: float) -> None:
        from filelock import FileLock

        self.lock_path = lock_path
        self.store_path = store_path
        self.timeout = timeout
        # thread_local=False: a host application may share one repository
        # between threads; the repository serialises them itself.
        self._lock = FileLock(str(lock_path), timeout=timeout, mode=0o600, thread_local=False)

    @property
    def is_locked(self) -> bool:
        """Whether this process holds the lock."""
        return bool(self._lock.is_locked)

    def acquire(self, timeout: float | None = None) -> None:
        from filelock import Timeout

        wait = self.timeout if timeout is None else timeout
        try:
            self._lock.acquire(timeout=wait)
        except Timeout:
            raise StoreLockedError(
                path=str(self.store_path), lock_path=str(self.lock_path), timeout=wait
            ) from None
        with contextlib.suppress(OSError):  # e.g. a lock file owned by another user
            self.lock_path.chmod(0o600)

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
