"""Running a benchmarked process: its wall time, peak memory and exit code.

Shared by ``bench_storage.py`` and ``bench_whole.py``.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from machine import CHILD_ENV


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("socialcrm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "socialcrm"]


TIME = Path("/usr/bin/time")


def run_process(
    argv: Sequence[str], workdir: Path, *, timeout: float | None = None
) -> tuple[float, float, int]:
    """(wall ms, peak RSS MiB, exit code) of one process.

    Peak RSS comes from GNU ``/usr/bin/time`` when present: a child's
    ``ru_maxrss`` as seen by this (large) process would include the memory it
    had when forked.  Wall time is measured here, around the whole process.
    After ``timeout`` seconds the process and its children (its own process
    group) are killed and :class:`subprocess.TimeoutExpired` is raised.
    """
    report = workdir / "time.txt"
    prefix = [str(TIME), "-f", "%M", "-o", str(report)] if TIME.exists() else []
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=CHILD_ENV,
        start_new_session=timeout is not None,  # a group to kill, /usr/bin/time's child too
    )
    if timeout is None:
        _pid, status, usage = os.wait4(proc.pid, 0)
    else:
        _pid, status, usage = _wait_or_kill(proc, start + timeout, argv)
    elapsed = (time.perf_counter() - start) * 1000
    code = os.waitstatus_to_exitcode(status)
    if proc.stderr is not None:
        if code != 0:
            sys.stderr.write(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}\n")
        proc.stderr.close()
    peak_kb = float(report.read_text().split()[-1]) if prefix else usage.ru_maxrss
    return elapsed, peak_kb / 1024, code


def _wait_or_kill(
    proc: subprocess.Popen[bytes], deadline: float, argv: Sequence[str]
) -> tuple[int, int, resource.struct_rusage]:
    """``os.wait4`` of ``proc``, polled until ``deadline`` (``perf_counter`` time)."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return pid, status, usage
        if time.perf_counter() >= deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            if proc.stderr is not None:
                proc.stderr.close()
            raise subprocess.TimeoutExpired(list(argv), deadline)
        time.sleep(0.02)
