"""Compare the CLI of two versions of socialcrm, run alternately on the same store.

This machine's speed drifts by ±30 % (sometimes 2x) within minutes, so two
benchmark tables taken at different times cannot tell whether a change made a
command faster.  This script runs the same commands alternately from two trees
— a git revision (checked out with ``git worktree`` in a temporary directory)
and this working tree, or a second revision (``--after``) — each imported first
on ``PYTHONPATH``, on the same store, round after round (the order of the two
trees swaps every round), with the libraries reference in every round::

    python benchmarks/ab_cli.py main --runs 31                 # main -> this working tree
    python benchmarks/ab_cli.py HEAD~1 --after HEAD --label no-cache --save

It prints, per command, the medians (ms), each as a multiple of the libraries
reference's median of the same rounds, and after/before: the ratio of the
medians and the median of the per-round ratios, in wall time and in CPU time.
``--save`` writes the figures to ``benchmarks/results/ab-<UTC time>[-<label>].json``.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from machine import (
    CHILD_ENV,
    HERE,
    LIBRARIES,
    ROOT,
    commit_of,
    cpu_counters,
    save,
    steal_fraction,
    tree_is_dirty,
)

COMMANDS = (
    "show",
    "note",
    "move",
    "add",
    "list",
    "list-table",
    "list-all-table",
    "list-all-json",
    "today",
    "board",
)
THIS = "working tree"


def _run(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall ms and CPU ms (user + system, from ``wait4``) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    errors = proc.stderr.read()  # small: a failure's message
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {errors.decode()}")
    return elapsed, (usage.ru_utime + usage.ru_stime) * 1000


def settle() -> None:
    """Let a fresh checkout age past the entry-point cache's racy window (2 s): a scan
    finding a ``sys.path`` entry modified that recently is not cached (see
    ``socialcrm.entrypoint_cache``), and the first runs would all scan."""
    time.sleep(2.5)


@contextmanager
def _checkout(revision: str, where: Path) -> Iterator[Path]:
    """``revision`` checked out (detached) at ``where``, removed afterwards."""
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), revision],
        check=True,
        capture_output=True,
    )
    try:
        yield where
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
            check=False,
            capture_output=True,
        )


def _commands(base: list[str], pid: str) -> dict[str, list[str]]:
    return {
        "show": [*base, "show", pid],
        "note": [*base, "note", pid, "ab note"],
        "move": [*base, "move", pid, "STAGE", "--force"],
        "add": [*base, "add", "AB Person NUMBER"],
        "list": [*base, "--format", "json", "list", "--stage", "contact"],
        "list-table": [*base, "list", "--stage", "contact"],  # stdout is a pipe
        "list-all-table": [*base, "list"],
        "list-all-json": [*base, "--format", "json", "list"],
        "today": [*base, "today"],
        "board": [*base, "board"],
    }


Samples = dict[tuple[str, str], list[tuple[float, float]]]


def measure(
    trees: dict[str, Path], store: Path, pid: str, runs: int, only: Sequence[str] = COMMANDS
) -> tuple[Samples, list[tuple[float, float]]]:
    """(wall ms, CPU ms) of each command of ``only`` from each tree, and of the
    libraries reference, round by round."""
    envs = {name: {**CHILD_ENV, "PYTHONPATH": str(src)} for name, src in trees.items()}
    cli = [sys.executable, "-c", "from socialcrm.cli import main; main()"]
    every = _commands([*cli, "--db", str(store)], pid)
    commands = {name: every[name] for name in only}
    settle()
    for env in envs.values():  # warm bytecode, any cache a tree keeps, the page cache
        _run(every["show"], env)
        _run(every["list"], env)
    # start at identify; each move then goes to the other stage of the two
    _run([*cli, "--db", str(store), "move", pid, "identify", "--force"], envs["before"])
    times: Samples = {}
    libraries: list[tuple[float, float]] = []
    counter = 0
    names = list(envs)
    for round_ in range(runs):
        libraries.append(_run([sys.executable, "-c", LIBRARIES], CHILD_ENV))
        order = names if round_ % 2 == 0 else names[::-1]  # neither tree always first
        for name, template in commands.items():
            for tree in order:
                counter += 1
                stage = ("identify", "profile")[counter % 2]
                argv = [
                    stage if a == "STAGE" else a.replace("NUMBER", str(counter)) for a in template
                ]
                times.setdefault((name, tree), []).append(_run(argv, envs[tree]))
    return times, libraries


def _figures(before: list[float], after: list[float], reference: float) -> dict[str, Any]:
    median_b, median_a = statistics.median(before), statistics.median(after)
    return {
        "before_ms": [round(x, 1) for x in before],
        "after_ms": [round(x, 1) for x in after],
        "before_median_ms": round(median_b, 1),
        "after_median_ms": round(median_a, 1),
        "before_x_libraries": round(median_b / reference, 3),
        "after_x_libraries": round(median_a / reference, 3),
        "after_over_before": round(median_a / median_b, 3),
        "paired_after_over_before": round(
            statistics.median(y / x for x, y in zip(before, after, strict=True)), 3
        ),
    }


def summarise(times: Samples, libraries: list[tuple[float, float]]) -> dict[str, dict[str, Any]]:
    """Per command, in wall time and in CPU time: medians, multiples of the
    libraries reference, after/before ratios."""
    summary: dict[str, dict[str, Any]] = {}
    for i, kind in enumerate(("wall", "cpu")):
        reference = statistics.median(x[i] for x in libraries)
        for name in dict.fromkeys(command for command, _tree in times):
            b = [x[i] for x in times[name, "before"]]
            a = [x[i] for x in times[name, "after"]]
            summary.setdefault(name, {})[kind] = _figures(b, a, reference)
    return summary


def print_table(
    summary: dict[str, dict[str, Any]],
    libraries: list[tuple[float, float]],
    before: str,
    after: str,
    runs: int,
) -> None:
    wall = statistics.median(x[0] for x in libraries)
    cpu = statistics.median(x[1] for x in libraries)
    print(
        f"medians of {runs} interleaved rounds; libraries reference "
        f"(python -c '{LIBRARIES}') {wall:.0f} ms wall, {cpu:.0f} ms CPU in the same rounds"
    )
    print(f"before = {before}, after = {after}")
    n = max(map(len, ["command", *summary])) + 1  # the first column fits every name
    wall_head, cpu_head = "-" * 15 + " wall " + "-" * 15, "-" * 11 + " CPU " + "-" * 11
    print(f"{'':<{n}}{wall_head:>38}{cpu_head:>30}")
    print(
        f"{'command':<{n}}{'before':>8}{'after':>8}{'b/lib':>7}{'a/lib':>7}{'a/b':>8}"
        f"{'paired':>8}{'before':>9}{'after':>8}{'a/b':>7}{'paired':>8}"
    )
    for name, row in summary.items():
        w, c = row["wall"], row["cpu"]
        print(
            f"{name:<{n}}{w['before_median_ms']:>8.0f}{w['after_median_ms']:>8.0f}"
            f"{w['before_x_libraries']:>7.2f}{w['after_x_libraries']:>7.2f}"
            f"{w['after_over_before']:>8.3f}{w['paired_after_over_before']:>8.3f}"
            f"{c['before_median_ms']:>9.0f}{c['after_median_ms']:>8.0f}"
            f"{c['after_over_before']:>7.3f}{c['paired_after_over_before']:>8.3f}"
        )
    print(
        "ms; x/lib: a median over the libraries reference's median; a/b: after over before "
        "(medians); paired: median over the rounds of after/before in the same round"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the 'before' git revision (e.g. main, a commit)")
    parser.add_argument("--after", help="the 'after' git revision (default: this working tree)")
    parser.add_argument("--size", type=int, default=30000, help="store size (from bench_storage)")
    parser.add_argument("--runs", type=int, default=11, help="interleaved rounds (>= 11 to judge)")
    parser.add_argument("--label", help="a word for the result file's name (e.g. no-cache)")
    parser.add_argument("--save", action="store_true", help="write a result file (JSON)")
    parser.add_argument(
        "--only", help="comma-separated commands (default: all of " + ", ".join(COMMANDS) + ")"
    )
    args = parser.parse_args(argv)
    only = COMMANDS if args.only is None else tuple(args.only.split(","))
    unknown = set(only) - set(COMMANDS)
    if unknown:
        parser.error("unknown command(s): " + ", ".join(sorted(unknown)))

    data = HERE / ".data"
    store = data / f"store-{args.size}"
    if not store.exists():
        raise SystemExit("no benchmark store: run benchmarks/bench_storage.py first")
    ids = json.loads((data / f"ids-{args.size}.json").read_text())["ids"]
    pid = ids[len(ids) // 3]
    after_name = args.after or THIS
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(store, work)
        with _checkout(args.revision, Path(tmp) / "before") as old:
            trees = {"before": old / "src"}
            if args.after is None:
                trees["after"] = ROOT / "src"
                cpu = cpu_counters()
                times, libraries = measure(trees, work, pid, args.runs, only)
            else:
                with _checkout(args.after, Path(tmp) / "after") as new:
                    trees["after"] = new / "src"
                    cpu = cpu_counters()
                    times, libraries = measure(trees, work, pid, args.runs, only)
    steal = steal_fraction(cpu, cpu_counters())
    summary = summarise(times, libraries)
    print_table(summary, libraries, args.revision, after_name, args.runs)
    load_after = os.getloadavg()
    print(
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} CPUs); CPU time stolen by the host: "
        + ("not measured" if steal is None else f"{100 * steal:.1f} %")
    )
    if not args.save:
        return
    save(
        "ab",
        "ab_cli",
        args.label,
        {
            "before": {"revision": args.revision, "commit": commit_of(args.revision)},
            "after": {
                "revision": after_name,
                "commit": commit_of(args.after) if args.after else commit_of(),
                "dirty": False if args.after else tree_is_dirty(),
            },
            "size": args.size,
            "runs": args.runs,
            "load_average": {"before": list(load_before), "after": list(load_after)},
            "steal_fraction": steal,
            "libraries_wall_ms": [round(x[0], 1) for x in libraries],
            "libraries_cpu_ms": [round(x[1], 1) for x in libraries],
            "commands": summary,
        },
    )


if __name__ == "__main__":
    main()
