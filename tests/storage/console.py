"""Running the installed ``socialcrm`` console script, and a store's bytes, for the tests.

Real processes (``subprocess``), as a user or a cron job runs them: the exit code,
stdout and stderr are exactly what a script would see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT


def script_env() -> dict[str, str]:
    """The environment without any ``SOCIALCRM_*`` setting (each test passes ``--db``)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}


def command(store: Path, *args: str) -> list[str]:
    return [str(SCRIPT), "--db", str(store), *args]


def run(
    store: Path, *args: str, prefix: Sequence[str] = (), timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``socialcrm --db STORE ARGS…`` in a new process (``prefix``: a wrapper command)."""
    return subprocess.run(
        [*prefix, *command(store, *args)],
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``error: …`` line a failed command printed (asserts there is one,
    and no traceback)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    return lines[0]


def tree(path: Path) -> dict[str, bytes | None]:
    """Every entry under ``path`` by relative name: a file's bytes, ``None`` for a
    directory.  The lock file and backups included: nothing may change."""
    found: dict[str, bytes | None] = {}
    for root, dirs, names in os.walk(path):
        for name in dirs:
            found[(Path(root) / name).relative_to(path).as_posix() + "/"] = None
        for name in names:
            full = Path(root) / name
            found[full.relative_to(path).as_posix()] = full.read_bytes()
    return found


__all__ = ["SCRIPT", "command", "one_error_line", "run", "script_env", "tree"]
