"""Crash-safe file writes: a file is either its old bytes or its new bytes, never a mix.

The recipe (POSIX): write a temporary file in the same directory, ``fsync`` it,
``os.replace`` it over the target, then ``fsync`` the directory so the rename
itself survives a power cut.  Files are created mode 0600 and directories 0700
whatever the process umask, because the store holds personal data.
"""

# ruff: noqa: PTH101, PTH102, PTH105, PTH108
# (os-level calls on purpose: each step of the write path is a fault-injection point)
from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "DIR_MODE",
    "FILE_MODE",
    "TMP_SUFFIX",
    "ensure_dir",
    "fsync_dir",
    "open_atomic",
    "temp_target",
    "write_atomic",
]

FILE_MODE = 0o600
DIR_MODE = 0o700
TMP_SUFFIX = ".tmp"
_TMP_RE = re.compile(r"^\.(?P<target>.+)\.[0-9]+" + re.escape(TMP_SUFFIX) + "$")


def ensure_dir(path: Path) -> None:
    """Create ``path`` (and parents) if missing; a directory we create is mode 0700."""
    if path.is_dir():
        return
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, DIR_MODE)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask


def fsync_dir(path: Path) -> None:
    """Make the directory entries of ``path`` durable (renames, creations)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(path: Path) -> Path:
    """The temporary file :func:`open_atomic` writes before replacing ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")


def temp_target(name: str) -> str | None:
    """The base name a temporary file of :func:`open_atomic` was to replace, or
    ``None`` if ``name`` is not one (``.store.json.1234.tmp`` → ``store.json``)."""
    m = _TMP_RE.match(name)
    return None if m is None else m["target"]


@contextlib.contextmanager
def open_atomic(path: Path, *, sync_dir: bool = True) -> Iterator[int]:
    """A file descriptor whose content replaces ``path`` when the block ends.

    For content produced while it is written (a backup archive): nothing is
    held in memory, and ``path`` keeps its previous content if the block
    raises — the temporary file is removed.  Mode 0600 whatever the umask.
    """
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    except OSError as exc:  # the directory refuses a new file (missing, read-only, full)
        exc.filename = str(path.parent)  # what the user can fix, not our temporary name
        raise
    try:
        try:
            if hasattr(os, "fchmod"):  # POSIX: exact mode whatever the umask
                os.fchmod(fd, FILE_MODE)
            yield fd
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # name the file in the error (os.write does not)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably (mode 0600).

    ``data`` must already be serialised: nothing can fail half-way through
    producing it once the target file is touched.  On any error the temporary
    file is removed and ``path`` keeps its previous content.
    """
    with open_atomic(path, sync_dir=sync_dir) as fd:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
