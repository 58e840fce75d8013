"""Compare the CLI of this checkout with the CLI of another git revision, interleaved.

This machine's speed drifts by ±30 % (sometimes 2x) within minutes, so two
benchmark tables taken at different times cannot tell whether a change made a
command faster.  This script runs the same commands alternately from the
working tree and from a git revision (checked out with ``git worktree`` in a
temporary directory, imported first on ``PYTHONPATH``), on the same store, and
prints the medians and their ratio::

    python benchmarks/ab_cli.py 5b621c6 --runs 15

Uses the stores of ``bench_storage.py`` (run it once first).  Write commands
run on a throw-away copy of the store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent


def _run(argv: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the git revision to compare with (e.g. a commit)")
    parser.add_argument("--size", type=int, default=30000, help="store size (from bench_storage)")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args(argv)

    data = HERE / ".data"
    store = data / f"store-{args.size}"
    ids = json.loads((data / f"ids-{args.size}.json").read_text())["ids"]
    if not store.exists():
        raise SystemExit("no benchmark store: run benchmarks/bench_storage.py first")
    pid = ids[len(ids) // 3]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(store, work)
        old = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old), args.revision],
            check=True,
            capture_output=True,
        )
        try:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            trees = {
                "this": {**env, "PYTHONPATH": str(ROOT / "src")},
                args.revision: {**env, "PYTHONPATH": str(old / "src")},
            }
            cli = [sys.executable, "-c", "from socialcrm.cli import main; main()"]
            base = [*cli, "--db", str(work)]
            commands = {
                "show": [*base, "show", pid],
                "note": [*base, "note", pid, "ab note"],
                "move": [*base, "move", pid, "STAGE", "--force"],
                "list": [*base, "list", "--stage", "contact", "--format", "json"],
            }
            times: dict[tuple[str, str], list[float]] = {}
            for tree_env in trees.values():  # warm bytecode caches
                _run(commands["show"], tree_env)
            # start at identify; each move then goes to the other stage of the two
            subprocess.run([*base, "move", pid, "identify", "--force"], capture_output=True)
            moves = 0
            for _ in range(args.runs):
                for name, command in commands.items():
                    for tree, tree_env in trees.items():
                        if name == "move":
                            moves += 1
                            target = ("identify", "profile")[moves % 2]
                            command = [target if a == "STAGE" else a for a in commands[name]]
                        times.setdefault((name, tree), []).append(_run(command, tree_env))
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                check=False,
                capture_output=True,
            )
    print(f"medians of {args.runs} interleaved runs at {args.size:,} prospects (ms)")
    print(f"{'command':<8}{args.revision:>12}{'this':>8}{'this/old':>10}")
    for name in commands:
        before = statistics.median(times[name, args.revision])
        after = statistics.median(times[name, "this"])
        print(f"{name:<8}{before:>12.0f}{after:>8.0f}{after / before:>10.2f}")


if __name__ == "__main__":
    main()
