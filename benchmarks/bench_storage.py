"""The rep's commands as full CLI processes, as ratios to the libraries reference.

Builds (through the repository, in one transaction) a synthetic store of
N prospects x 10 events for each size (default 3,000 and 30,000; 100,000 with
``--sizes 3000,30000,100000``: building it takes about a minute), then runs, in
interleaved rounds, the libraries reference (``python -c 'import typer, attrs,
pluggy, tinydb, orjson'``: the floor of any command of ours) and every command
at every size — round ``i`` starts with a different command, so the machine's
drift weighs on all alike.  Each command's figure is the median over the rounds
of its wall time divided by the reference's wall time *of the same round*
(issue 23: absolute milliseconds do not hold on shared machines).

Commands: ``show``, the one-prospect writes (``move``, ``note``, ``add``,
``add`` with URL and e-mail), ``today``, ``board``, ``list --stage contact``
(table and JSON), ``list --format json`` (all), ``list`` (table, all; stdout is
a pipe); and a floor without a target, ``floor-summaries``: the libraries
reference plus reading and parsing every summary file, below which no command
answering from one summary per prospect (``today``, ``board``) can go.  Each
command is held to its target (:data:`TARGETS`) and to a peak RSS of 200 MB;
every miss is printed with its figure, and ``--save`` writes the run as JSON to
``benchmarks/results/``.

With ``--whole``, also runs each command that reads or writes the WHOLE store
on a throw-away copy of the largest store (:mod:`bench_whole`), with its wall
time (s) and peak RSS against the 200 MB target.

    python benchmarks/bench_storage.py --save                      # 3k and 30k, 5 rounds
    python benchmarks/bench_storage.py --sizes 3000,30000,100000 --runs 5 --save
    python benchmarks/bench_storage.py --only today,board --sizes 30000

Stores are kept in ``benchmarks/.data`` and reused when their parameters
match (``--rebuild`` forces a rebuild).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_whole import MEMORY_TARGET, MEMORY_TARGET_MIB, print_whole, whole_store
from machine import LIBRARIES, cpu_counters, save, steal_percent
from processes import cli_command, run_process
from storage_ops import bench_email, bench_url, spread
from synth import build_store

from socialcrm.errors import SocialCRMError
from socialcrm.stages import Stage
from socialcrm.storage import layout, open_repository

HERE = Path(__file__).parent

#: Each command's target: its wall time over the libraries reference's, same round (issue 23).
TARGETS: dict[str, float] = {
    "show": 1.6,
    "move": 1.6,
    "note": 1.6,
    "add": 1.6,
    "add+email": 1.6,
    "today": 2.0,
    "board": 2.0,
    "list-stage": 2.0,
    "list-stage-json": 2.0,
    "list-json": 4.0,
    "list-table": 4.0,
}
#: Rows without a target: what no command reading one summary per prospect can go
#: below (the libraries reference plus reading and parsing every ``s-`` file).
FLOORS = ("floor-summaries",)
#: Targets that are looser above 30,000 prospects (``list --stage contact`` at 100k: 3.0).
LARGE_TARGETS = {"list-stage": 3.0, "list-stage-json": 3.0}
LARGE = 30_000
WRITES = ("move", "note", "add", "add+email")


def target(op: str, n: int) -> float:
    """``op``'s ratio target at ``n`` prospects (infinite for a floor row)."""
    if op in FLOORS:
        return float("inf")
    return LARGE_TARGETS.get(op, TARGETS[op]) if n > LARGE else TARGETS[op]


def _floor_summaries(store: Path) -> list[str]:
    """The libraries reference, then every summary file of ``store`` read and parsed."""
    code = (
        f"{LIBRARIES}; import glob; "
        f"[orjson.loads(open(f, 'rb').read()) for f in glob.glob({str(store / 'data' / 's-*')!r})]"
    )
    return [sys.executable, "-c", code]


# ----------------------------------------------------------------------------- data
def prepare(workdir: Path, n: int, events: int, rebuild: bool) -> tuple[Path, list[str]]:
    """The TinyDB store for ``n`` prospects (built or reused) and its ids."""
    store = workdir / f"store-{n}"
    marker = workdir / f"ids-{n}.json"
    params = {"n": n, "events": events, "schema": layout.SCHEMA_VERSION}
    if not rebuild and marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("params") == params and store.exists():
            try:
                open_repository(store).close()
            except SocialCRMError:
                pass  # an older or damaged store: rebuild it
            else:
                return store, saved["ids"]
    shutil.rmtree(store, ignore_errors=True)
    t = time.perf_counter()
    ids = build_store(store, n, events)
    print(
        f"built {n:,} prospects x {events} events in {time.perf_counter() - t:.1f}s",
        file=sys.stderr,
    )
    marker.write_text(json.dumps({"params": params, "ids": ids}))
    return store, ids


def _other_stage(store: Path, pid: str) -> str:
    """A stage the prospect is not at (so that the move is a real one)."""
    repo = open_repository(store)
    p = repo.get(pid)
    repo.close()
    assert p is not None
    return "profile" if p.stage is not Stage.PROFILE else "identify"


def _reach(stamp: str, i: int) -> list[str]:
    """What ``add+email`` gives beyond a name: a profile URL and an e-mail, both checked."""
    return ["--url", bench_url(stamp, i), "--email", bench_email(stamp, i)]


def cli_commands(store: Path, ids: list[str], runs: int) -> dict[str, list[list[str]]]:
    """The argv of each round's run of each command on ``store``."""
    base = [*cli_command(), "--db", str(store)]
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")  # unique across runs on kept stores
    picks = spread(ids, 0, 3 * runs)
    targets = [_other_stage(store, pid) for pid in picks[runs : 2 * runs]]
    every = lambda *argv: [[*base, *argv]] * runs  # noqa: E731 - same argv each round
    return {
        "show": [[*base, "show", picks[i]] for i in range(runs)],
        "move": [[*base, "move", picks[runs + i], targets[i], "--force"] for i in range(runs)],
        "note": [[*base, "note", picks[2 * runs + i], f"bench {stamp} {i}"] for i in range(runs)],
        "add": [[*base, "add", f"Bench Person {stamp} {i}"] for i in range(runs)],
        "add+email": [
            [*base, "add", f"Bench Full {stamp} {i}", *_reach(stamp, i)] for i in range(runs)
        ],
        "today": every("today"),
        "board": every("board"),
        "list-stage": every("list", "--stage", "contact"),
        "list-stage-json": every("list", "--stage", "contact", "--format", "json"),
        "list-json": every("list", "--format", "json"),
        "list-table": every("list"),
        "floor-summaries": [_floor_summaries(store)] * runs,
    }


# ----------------------------------------------------------------------------- runs
def rounds(
    commands: dict[int, dict[str, list[list[str]]]], ops: list[str], runs: int, workdir: Path
) -> tuple[list[float], dict[tuple[int, str], list[float]], dict[tuple[int, str], float]]:
    """(reference ms per round, each command's ms per round, each command's peak MiB).

    Round ``i`` runs the reference, then every command at every size, starting
    with command ``i`` (no command always first, none always after the same one).
    """
    times: dict[tuple[int, str], list[float]] = {(n, op): [] for n in commands for op in ops}
    peaks: dict[tuple[int, str], float] = dict.fromkeys(times, 0.0)
    reference: list[float] = []
    for n in commands:
        run_process(commands[n]["show"][0], workdir)  # warm the page cache once
    for i in range(runs):
        reference.append(run_process([sys.executable, "-c", LIBRARIES], workdir)[0])
        for op in ops[i % len(ops) :] + ops[: i % len(ops)]:
            for n in commands:
                ms, mib, code = run_process(commands[n][op][i], workdir)
                if code != 0:
                    raise SystemExit(f"{op} at {n} exited {code}")
                times[n, op].append(ms)
                peaks[n, op] = max(peaks[n, op], mib)
    return reference, times, peaks


def ratio(samples: Sequence[float], reference: Sequence[float]) -> float:
    """Median over the rounds of a command's time over the same round's reference."""
    return statistics.median(c / r for c, r in zip(samples, reference, strict=True))


def _label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def report(
    sizes: list[int],
    ops: list[str],
    reference: list[float],
    times: dict[tuple[int, str], list[float]],
    peaks: dict[tuple[int, str], float],
) -> tuple[dict[str, Any], list[str]]:
    """Print the ratio table; return its rows (for the JSON) and the misses."""
    head = f"{'command':<16}" + "".join(f"{'x ref ' + _label(n):>11}" for n in sizes)
    head += f"{'target':>8}{'ok':>4}" + "".join(f"{'MiB ' + _label(n):>9}" for n in sizes)
    print(head)
    print("-" * len(head))
    rows: dict[str, Any] = {}
    missed: list[str] = []
    for op in ops:
        cells, why = [], []
        for n in sizes:
            x = ratio(times[n, op], reference)
            cells.append(x)
            if x > target(op, n):
                why.append(f"{x:.2f}x at {_label(n)} (target {target(op, n)}x)")
            if peaks[n, op] > MEMORY_TARGET_MIB:
                why.append(f"peak {peaks[n, op]:.1f} MiB at {_label(n)}, over {MEMORY_TARGET}")
        if why:
            missed.append(f"  {op}: " + "; ".join(why))
        targets = sorted({target(op, n) for n in sizes} - {float("inf")})
        print(
            f"{op:<16}"
            + "".join(f"{x:>11.2f}" for x in cells)
            + f"{'/'.join(f'{t:g}' for t in targets) or '-':>8}{'NO' if why else 'yes':>4}"
            + "".join(f"{peaks[n, op]:>9.0f}" for n in sizes)
        )
        rows[op] = {
            "x_libraries": {str(n): round(x, 3) for n, x in zip(sizes, cells, strict=True)},
            "median_ms": {str(n): round(statistics.median(times[n, op]), 1) for n in sizes},
            "peak_mib": {str(n): round(peaks[n, op], 1) for n in sizes},
            "targets": {str(n): None if op in FLOORS else target(op, n) for n in sizes},
            "ok": not why,
            "missed": why,
        }
    return rows, missed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="3000,30000", help="prospect counts, comma-separated")
    parser.add_argument("--events", type=int, default=10, help="events per prospect")
    parser.add_argument("--runs", type=int, default=5, help="interleaved rounds (>= 5)")
    parser.add_argument("--only", default="", help="these commands only, comma-separated")
    parser.add_argument("--label", default=None, help="a word for the result file's name")
    parser.add_argument("--workdir", type=Path, default=HERE / ".data")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the stores")
    parser.add_argument("--whole", action="store_true", help="also the whole-store commands")
    parser.add_argument("--whole-runs", type=int, default=1, help="runs of each, with --whole")
    parser.add_argument(
        "--whole-timeout", type=float, default=600, help="seconds before a command is killed"
    )
    parser.add_argument("--save", action="store_true", help="write the figures as JSON")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    ops = [op for op in (*TARGETS, *FLOORS) if not args.only or op in args.only.split(",")]
    if not ops:
        raise SystemExit(f"--only: none of {', '.join((*TARGETS, *FLOORS))}")
    args.workdir.mkdir(parents=True, exist_ok=True)

    prepared = {n: prepare(args.workdir, n, args.events, args.rebuild) for n in sizes}
    commands = {n: cli_commands(store, ids, args.runs) for n, (store, ids) in prepared.items()}
    load_before = os.getloadavg()[0]
    cpu_before = cpu_counters()
    reference, times, peaks = rounds(commands, ops, args.runs, args.workdir)
    steal = steal_percent(cpu_before, cpu_counters())
    ref_ms = statistics.median(reference)
    print(
        f"\nsocialcrm CLI benchmark — {args.runs} interleaved rounds; "
        + ", ".join(f"{n:,}" for n in sizes)
        + f" prospects x {args.events} events"
    )
    print(f"libraries reference (python -c '{LIBRARIES}'): median {ref_ms:.0f} ms in these rounds")
    print(
        f"load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
        f"({os.cpu_count()} CPUs); CPU time stolen by the host during the runs: {steal}\n"
    )
    rows, missed = report(sizes, ops, reference, times, peaks)
    print(
        "\nx ref: median over the rounds of the command's wall time over the libraries "
        "reference's of the same round; MiB: peak RSS of the process (target "
        f"{MEMORY_TARGET}); stdout is a pipe.  Targets: issue 23."
    )
    print("missed:", *missed, sep="\n") if missed else print("every target met")
    whole = None
    if args.whole:
        runs = max(1, args.whole_runs)
        whole = whole_store(prepared[sizes[-1]][0], args.workdir, runs, args.whole_timeout)
        print_whole(whole, sizes[-1], runs, args.whole_timeout)
    if args.save:
        figures = {
            "sizes": sizes,
            "events_per_prospect": args.events,
            "runs": args.runs,
            "load_average": {"before": load_before, "after": os.getloadavg()[0]},
            "steal": steal,
            "reference_ms": [round(r, 1) for r in reference],
            "commands": rows,
            "whole": None
            if whole is None
            else {
                name: None if r is None else {"wall_s": r[0], "peak_mib": r[1], "exit": r[2]}
                for name, r in whole.items()
            },
        }
        save("bench_storage", "bench_storage", args.label, figures)


if __name__ == "__main__":
    main()
