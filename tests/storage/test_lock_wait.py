"""Waiting for another process's lock: the CLI waits as a person would, and says so.

Another process holds the store's lock (a real process, as another terminal's
command would); each test ends the wait itself once the waiter has said it is
waiting, so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.storage import layout, open_repository
from socialcrm.storage.locking import (
    DEFAULT_LOCK_TIMEOUT,
    INTERACTIVE_LOCK_TIMEOUT,
    LockWait,
    holder_pid,
    lock_timeout_from_env,
)

from .console import command, script_env
from .helpers import written_store

HOLD = textwrap.dedent(
    """
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()  # held until the test says so (or closes stdin)
    """
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock holder process")


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A store whose lock another process holds until its stdin gets a line."""
    store = written_store(tmp_path / "store", 2)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store / layout.LOCK_NAME)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    yield store, proc
    proc.kill()
    proc.wait()


def _release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("go\n")
    proc.stdin.flush()


def test_a_library_caller_is_told_once_who_holds_the_lock(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    store, proc = holder
    waits: list[LockWait] = []

    def on_wait(wait: LockWait) -> None:
        waits.append(wait)
        _release(proc)  # the wait ends because it was reported

    repo = open_repository(store, lock_timeout=120, on_wait=on_wait)
    assert repo.count("default") == 2
    repo.close()
    assert len(waits) == 1
    [wait] = waits
    assert wait.store_path == store and wait.lock_path == store / layout.LOCK_NAME
    assert wait.timeout == 120
    if Path("/proc/locks").exists():
        assert wait.holder == proc.pid
    else:  # pragma: no cover - not Linux: the holder is unknown
        assert wait.holder is None


def test_no_notice_when_the_lock_is_free(tmp_path: Path) -> None:
    store = written_store(tmp_path / "store", 1)
    waits: list[LockWait] = []
    repo = open_repository(store, on_wait=waits.append)
    assert repo.count("default") == 1
    with repo.transaction():
        assert repo.count("default") == 1
    repo.close()
    assert waits == []


@pytest.mark.parametrize(
    ("args", "printed"),
    [(("list", "--format", "json"), '"id"'), (("backup",), "backup-")],
    ids=["list", "backup"],
)
def test_the_cli_says_it_waits_then_runs(
    holder: tuple[Path, subprocess.Popen[str]], args: tuple[str, ...], printed: str
) -> None:
    store, proc = holder
    cli = subprocess.Popen(
        command(store, *args),
        env=script_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert cli.stderr is not None
    line = cli.stderr.readline()  # printed while it waits: the holder still holds
    _release(proc)
    out, rest = cli.communicate(timeout=120)
    assert cli.returncode == 0, line + rest
    holder_text = f" (pid {proc.pid})" if Path("/proc/locks").exists() else ""
    assert line == (
        f"waiting for another socialcrm process{holder_text} holding the store {store} "
        f"(up to {INTERACTIVE_LOCK_TIMEOUT:g} s; Ctrl-C to stop)\n"
    )
    assert rest == ""  # said once
    assert printed in out


def test_the_cli_waits_longer_than_a_library_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCIALCRM_LOCK_TIMEOUT", raising=False)
    assert lock_timeout_from_env() == DEFAULT_LOCK_TIMEOUT == 10
    assert lock_timeout_from_env(INTERACTIVE_LOCK_TIMEOUT) == INTERACTIVE_LOCK_TIMEOUT == 60
    monkeypatch.setenv("SOCIALCRM_LOCK_TIMEOUT", "3")  # the variable overrides both
    assert lock_timeout_from_env(INTERACTIVE_LOCK_TIMEOUT) == lock_timeout_from_env() == 3


def test_holder_pid_reads_the_flock_holder_not_a_waiter(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        st = os.fstat(fd)
        where = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        locks = tmp_path / "locks"
        locks.write_text(
            f"1: POSIX  ADVISORY  WRITE 11 {where} 0 EOF\n"  # not a flock
            f"2: FLOCK  ADVISORY  WRITE 4242 {where} 0 EOF\n"
            f"2: -> FLOCK  ADVISORY  WRITE 4343 {where} 0 EOF\n"  # a waiter
            "3: FLOCK  ADVISORY  WRITE 99 00:00:1 0 EOF\n",  # another file
            encoding="ascii",
        )
        assert holder_pid(fd, locks) == 4242
        locks.write_text("garbage\n3: FLOCK ADVISORY WRITE x y:z 0 EOF\n", encoding="ascii")
        assert holder_pid(fd, locks) is None
        assert holder_pid(fd, tmp_path / "missing") is None
    finally:
        os.close(fd)
