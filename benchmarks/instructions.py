"""CPU instructions of one CLI command under several git revisions (callgrind).

Wall time on this shared 2-core machine drifts; the number of instructions a
process executes does not (``PYTHONHASHSEED=0``: the same hashes, the same
work).  It complements ``ab_cli.py`` when its ratios sit near a threshold::

    python benchmarks/instructions.py a22cf47 HEAD --command show

Each revision is checked out with ``git worktree`` and imported first on
``PYTHONPATH``; its bytecode is compiled (and its caches warmed) by a first
run outside valgrind, on a throw-away copy of the ``bench_storage.py`` store.
``--save`` writes the counts to ``benchmarks/results/instructions-<UTC time>.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from ab_cli import _checkout, settle
from machine import CHILD_ENV, HERE, commit_of, save


def _argv(store: Path, pid: str, command: str) -> list[str]:
    cli = [sys.executable, "-c", "from socialcrm.cli import main; main()", "--db", str(store)]
    if command == "show":
        return [*cli, "show", pid]
    if command == "list":
        return [*cli, "--format", "json", "list", "--stage", "contact"]
    if command == "version":
        return [*cli, "--version"]
    if command == "note":
        return [*cli, "note", pid, "instructions note"]
    if command == "add":
        return [*cli, "add", "Instructions Person"]
    raise SystemExit(f"unknown command {command!r}")


def instructions(argv: list[str], src: Path, work: Path) -> int:
    """Instructions executed by ``argv`` with ``src`` first on the import path."""
    env = {**CHILD_ENV, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    subprocess.run(argv, env=env, check=True, capture_output=True)  # compile, warm caches
    out = work / "callgrind.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit("no instruction count in callgrind's output")
    out.unlink()
    return int(found[1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", help="git revisions (e.g. main HEAD)")
    parser.add_argument(
        "--command", default="show", choices=["show", "note", "add", "list", "version"]
    )
    parser.add_argument("--size", type=int, default=30000, help="store size (from bench_storage)")
    parser.add_argument("--label", help="a word for the result file's name")
    parser.add_argument("--save", action="store_true", help="write a result file (JSON)")
    args = parser.parse_args(argv)
    data = HERE / ".data"
    ids = json.loads((data / f"ids-{args.size}.json").read_text())["ids"]
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n, revision in enumerate(args.revisions):
            store = work / f"store-{n}"
            shutil.copytree(data / f"store-{args.size}", store)
            with _checkout(revision, work / f"tree-{n}") as tree:
                settle()
                argv_ = _argv(store, ids[len(ids) // 3], args.command)
                counts[revision] = instructions(argv_, tree / "src", work)
            print(f"{revision:<44}{counts[revision] / 1e6:>10.1f} M instructions", flush=True)
    first = counts[args.revisions[0]]
    for revision, count in counts.items():
        print(f"{revision:<44}{count / first:>10.3f} x {args.revisions[0]}")
    if not args.save:
        return
    save(
        "instructions",
        "instructions",
        args.label,
        {
            "command": args.command,
            "size": args.size,
            "revisions": {
                r: {"commit": commit_of(r), "instructions": c} for r, c in counts.items()
            },
        },
    )


if __name__ == "__main__":
    main()
