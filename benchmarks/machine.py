"""What the benchmarks say about the machine they ran on, and where their results go.

Every speed figure of this project is a ratio to the *libraries reference*
(:data:`LIBRARIES`, a process importing the libraries socialcrm is built on),
measured in the same rounds: this 2-core machine is shared and changes speed
within minutes, so an absolute time says little.  The load average and the CPU
time stolen by the hypervisor are recorded next to each run, and each run is
written as a data file under ``benchmarks/results/`` (never in ``docs/``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results"

LIBRARIES = "import typer, attrs, pluggy, tinydb, orjson"
"""The libraries reference: what any program built on socialcrm's libraries pays."""

# Child processes cache their bytecode as on a user's machine, whatever this
# shell says (a PYTHONDONTWRITEBYTECODE=1 shell would otherwise make every run
# recompile socialcrm and time the compiler).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu_counters() -> tuple[int, int] | None:
    """(all CPU time, time stolen by the hypervisor) in clock ticks since boot, or None.

    Linux only (``/proc/stat``).  A virtual machine whose host is busy runs
    slower and counts the time it waited as *steal*: printed next to the
    figures, it tells a slow run caused by the host from one caused by the code.
    """
    try:
        with Path("/proc/stat").open(encoding="ascii") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(f) for f in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return sum(ticks), ticks[7]


def steal_fraction(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """The share of CPU time stolen between two :func:`cpu_counters` readings (0–1)."""
    if before is None or after is None or after[0] <= before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])


def steal_percent(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    """:func:`steal_fraction` as text."""
    share = steal_fraction(before, after)
    return "not measured (no /proc/stat)" if share is None else f"{100 * share:.1f} %"


def commit_of(revision: str = "HEAD") -> str | None:
    """The full commit hash of ``revision`` in this repository, or None outside git."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", revision], capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else None


def tree_is_dirty() -> bool:
    """True when the working tree differs from HEAD (its figures are not those of a commit)."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    )
    return bool(done.stdout.strip())


def machine() -> dict[str, Any]:
    """What a result file records about where it was measured."""
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": sys.platform,
    }


def write_result(path: Path, kind: str, data: dict[str, Any]) -> Path:
    """Write one run's figures as JSON (``kind``, UTC date, commit, machine, then ``data``)."""
    record = {
        "kind": kind,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit_of(),
        "dirty": tree_is_dirty(),
        "machine": machine(),
        **data,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return path


def result_path(kind: str, label: str | None = None) -> Path:
    """``benchmarks/results/<kind>-<UTC stamp>[-<label>].json``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = f"-{label}" if label else ""
    return RESULTS / f"{kind}-{stamp}{suffix}.json"


def save(name: str, kind: str, label: str | None, figures: dict[str, Any]) -> Path:
    """Write a run's figures as ``benchmarks/results/<name>-…json`` and say where."""
    path = write_result(result_path(name, label), kind, {"label": label, **figures})
    print(f"written: {path.relative_to(ROOT)}")
    return path
