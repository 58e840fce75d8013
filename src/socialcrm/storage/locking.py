"""The store's inter-process lock: one process at a time, with a timeout.

Every repository operation runs under this lock, so a reader never sees a
half-applied commit and a read-modify-write never interleaves with another
process.  The lock is ``flock`` on a file beside the data (``store.lock``):
the operating system releases it when a process dies, so a crash (even
``kill -9``) never leaves the store locked, and nothing ever deletes the file
(deleting a lock file is how lock-file schemes race).

On POSIX we call ``fcntl.flock`` directly: it is what :mod:`filelock` does
there, and importing filelock costs ~45 ms, a quarter of a command's budget.
Elsewhere (Windows) :mod:`filelock` is used.

**Read-only stores.**  A store on a read-only medium, or one this user may
read but not write, must still be readable.  When the lock file cannot be
opened for writing (``EACCES``, ``EPERM``, ``EROFS``), the lock is taken
*shared* on a read-only descriptor instead (``flock`` needs no write access):
it still excludes a writer, which takes it exclusive.  When the lock file does
not exist and cannot be created, there is no lock at all: no socialcrm process
ever wrote this store through this path (every writer creates the file first,
and nothing deletes it), and one that could would need a write access this
process lacks.  Either way :attr:`StoreLock.read_only` says why, and the
store refuses to write (:func:`socialcrm.storage.problems.read_only_error`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from socialcrm.errors import StoreLockedError, ValidationError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["DEFAULT_LOCK_TIMEOUT", "LOCK_TIMEOUT_ENV", "StoreLock", "lock_timeout_from_env"]

LOCK_TIMEOUT_ENV = "SOCIALCRM_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 10.0
_MAX_POLL = 0.02
#: ``open(O_RDWR)`` errors meaning "you may not write here" (not "it is broken").
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


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
    if value < 0 or value != value:
        raise ValidationError(f"{LOCK_TIMEOUT_ENV} must be >= 0", field=LOCK_TIMEOUT_ENV)
    return value


class StoreLock:
    """A re-entrant exclusive lock on ``lock_path`` (created mode 0600).

    Re-entrant within one :class:`StoreLock` object; two objects on the same
    file exclude each other even in one process.  ``store_path`` only names
    the store in :class:`StoreLockedError`.  Where the lock file cannot be
    written, the lock is shared, or absent, and :attr:`read_only` is set (see
    the module's docstring).
    """

    def __init__(self, lock_path: Path, *, store_path: Path, timeout: float) -> None:
        self.lock_path = lock_path
        self.store_path = store_path
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._fallback: Any = None
        #: why this process cannot write the store (``None``: it can), as found
        #: when the lock was last taken
        self.read_only_reason: str | None = None

    @property
    def is_locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._depth > 0

    @property
    def read_only(self) -> bool:
        """Whether the lock was taken without write access to the lock file."""
        return self.read_only_reason is not None

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (default: the lock's)."""
        if self._depth:
            self._depth += 1
            return
        wait = self.timeout if timeout is None else timeout
        if fcntl is None:  # pragma: no cover - Windows
            self._acquire_filelock(wait)
        else:
            self._acquire_flock(wait)
        self._depth = 1

    def _fail(self, wait: float) -> StoreLockedError:
        return StoreLockedError(
            path=str(self.store_path), lock_path=str(self.lock_path), timeout=wait
        )

    def _open(self) -> int | None:
        """The lock file's descriptor: writable, else read-only, else ``None`` (no file
        and none can be created); sets :attr:`read_only_reason` accordingly."""
        self.read_only_reason = None
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno not in _READ_ONLY_ERRNOS:
                raise
            self.read_only_reason = exc.strerror or str(exc)
            try:
                return os.open(self.lock_path, os.O_RDONLY)
            except FileNotFoundError:
                return None
            except OSError:
                raise exc from None  # the first error says more (e.g. read-only file system)
        with contextlib.suppress(OSError):  # e.g. a lock file owned by another user
            os.fchmod(fd, 0o600)
        return fd

    def _acquire_flock(self, wait: float) -> None:
        fd = self._open()
        if fd is None:  # read-only, never locked by any writer: nothing to exclude
            return
        mode = fcntl.LOCK_SH if self.read_only else fcntl.LOCK_EX
        try:
            deadline = time.monotonic() + wait
            delay = 0.001
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self._fail(wait) from None
                    time.sleep(min(delay, remaining))
                    delay = min(delay * 2, _MAX_POLL)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _acquire_filelock(self, wait: float) -> None:  # pragma: no cover - Windows
        from filelock import FileLock, Timeout

        if self._fallback is None:
            self._fallback = FileLock(str(self.lock_path), mode=0o600, thread_local=False)
        try:
            self._fallback.acquire(timeout=wait)
        except Timeout:
            raise self._fail(wait) from None

    def release(self) -> None:
        if self._depth == 0:
            raise RuntimeError("releasing a store lock that is not held")
        self._depth -= 1
        if self._depth:
            return
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        elif self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()

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
