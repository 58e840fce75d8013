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

**How long to wait.**  Another socialcrm command holds the lock for as long
as it runs: milliseconds for a one-prospect command, but up to about a minute
for a whole-store one (an import of 30,000 contacts, a restore).  Someone who
typed ``socialcrm show`` while an import runs in another terminal would rather
wait for it than retry: the CLI waits :data:`INTERACTIVE_LOCK_TIMEOUT` (60 s)
and says so on stderr after :data:`WAIT_NOTICE_AFTER` seconds (it passes
``on_wait``, told once, with the holder's pid when the system gives it).  A
program using the library decides for itself (``lock_timeout=``, ``on_wait=``);
by default it waits :data:`DEFAULT_LOCK_TIMEOUT` (10 s) and prints nothing.
``SOCIALCRM_LOCK_TIMEOUT`` overrides both defaults.

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
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from socialcrm.errors import StoreLockedError, ValidationError
from socialcrm.i18n import os_reason
from socialcrm.i18n import text as _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "INTERACTIVE_LOCK_TIMEOUT",
    "LOCK_TIMEOUT_ENV",
    "WAIT_NOTICE_AFTER",
    "LockWait",
    "OnWait",
    "StoreLock",
    "holder_pid",
    "lock_timeout_from_env",
]

LOCK_TIMEOUT_ENV = "SOCIALCRM_LOCK_TIMEOUT"
#: Seconds a library caller waits for the lock by default (then StoreLockedError).
DEFAULT_LOCK_TIMEOUT = 10.0
#: Seconds the CLI waits: longer than the longest whole-store command measured at
#: 30,000 prospects (a vCard import: ~50 s on this slow 2-core machine), so a
#: command typed meanwhile waits for it rather than fail; short enough that a
#: stuck process is reported.
INTERACTIVE_LOCK_TIMEOUT = 60.0
#: Seconds of waiting after which ``on_wait`` is called (once per wait).
WAIT_NOTICE_AFTER = 1.0
_MAX_POLL = 0.02


class LockWait(NamedTuple):
    """What a process waiting for the store's lock knows: told to ``on_wait`` once."""

    store_path: Path
    lock_path: Path
    #: the process holding the lock, when the system tells (Linux: ``/proc/locks``)
    holder: int | None
    #: seconds it will wait in all before giving up
    timeout: float


#: Called once when a wait for the lock passes :data:`WAIT_NOTICE_AFTER` seconds.
OnWait = Callable[[LockWait], None]


def holder_pid(fd: int, locks: Path = Path("/proc/locks")) -> int | None:
    """The process holding a ``flock`` on the file open as ``fd``, or None if unknown.

    Linux lists every lock in ``/proc/locks`` (``1: FLOCK ADVISORY WRITE 4242
    fe:00:2146366 0 EOF``: the holder's pid, then the file's device and inode);
    elsewhere, or if it cannot be read, the holder is unknown.
    """
    try:
        st = os.fstat(fd)
        text = locks.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    wanted = (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 6 or fields[1] != "FLOCK":  # "->" marks a waiter, not a holder
            continue
        parts = fields[5].split(":")
        try:
            found = (int(parts[0], 16), int(parts[1], 16), int(parts[2]))
            pid = int(fields[4])
        except (ValueError, IndexError):
            continue
        if found == wanted and pid != os.getpid():
            return pid
    return None


#: ``open(O_RDWR)`` errors meaning "you may not write here" (not "it is broken").
_READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def lock_timeout_from_env(default: float = DEFAULT_LOCK_TIMEOUT) -> float:
    """Seconds to wait for the lock: ``$SOCIALCRM_LOCK_TIMEOUT``, else ``default``."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError(
            _("{variable} must be a number of seconds, got {raw!r}").format(
                variable=LOCK_TIMEOUT_ENV, raw=raw
            ),
            field=LOCK_TIMEOUT_ENV,
            value=raw,
        ) from None
    if value < 0 or value != value:
        raise ValidationError(
            _("{variable} must be >= 0").format(variable=LOCK_TIMEOUT_ENV),
            field=LOCK_TIMEOUT_ENV,
        )
    return value


class StoreLock:
    """A re-entrant exclusive lock on ``lock_path`` (created mode 0600).

    Re-entrant within one :class:`StoreLock` object; two objects on the same
    file exclude each other even in one process.  ``store_path`` only names
    the store in :class:`StoreLockedError`.  Where the lock file cannot be
    written, the lock is shared, or absent, and :attr:`read_only` is set (see
    the module's docstring).  ``on_wait`` is told once per wait that lasts
    :data:`WAIT_NOTICE_AFTER` seconds (see :class:`LockWait`).
    """

    def __init__(
        self,
        lock_path: Path,
        *,
        store_path: Path,
        timeout: float,
        on_wait: OnWait | None = None,
    ) -> None:
        self.lock_path = lock_path
        self.store_path = store_path
        self.timeout = timeout
        self.on_wait = on_wait
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
            self.read_only_reason = os_reason(exc)
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
            start = time.monotonic()
            deadline = start + wait
            notice = None if self.on_wait is None else start + WAIT_NOTICE_AFTER
            delay = 0.001
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    now = time.monotonic()
                    remaining = deadline - now
                    if remaining <= 0:
                        raise self._fail(wait) from None
                    if notice is not None and now >= notice and self.on_wait is not None:
                        notice = None  # once per wait
                        holder = holder_pid(fd)
                        self.on_wait(LockWait(self.store_path, self.lock_path, holder, wait))
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
        first = wait if self.on_wait is None else min(wait, WAIT_NOTICE_AFTER)
        try:
            self._fallback.acquire(timeout=first)
            return
        except Timeout:
            if first >= wait or self.on_wait is None:
                raise self._fail(wait) from None
        self.on_wait(LockWait(self.store_path, self.lock_path, None, wait))
        try:
            self._fallback.acquire(timeout=wait - first)
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
