"""Start-up of the CLI before and after a change: ``--version`` and ``show``, interleaved.

Issue 27 chose the interface language before the Typer application is built
(and reads the configuration file for it).  This script runs ``socialcrm
--version`` and ``socialcrm show ID`` from two trees — a git revision checked
out in a temporary directory (``before``) and this working tree (``after``,
in English and in French) — round after round on the same small store, with
the libraries reference (``python -c 'import typer, attrs, pluggy, tinydb,
orjson'``) in every round, the order shuffled each round::

    python benchmarks/ab_startup.py main --runs 21 --save

It prints each median as a multiple of the reference's median (wall and CPU
time) and after/before; ``--save`` writes ``benchmarks/results/ab-startup-<time>.json``.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ab_cli import THIS, _checkout, _run, settle
from machine import CHILD_ENV, LIBRARIES, ROOT, commit_of, cpu_counters, save, steal_fraction


def _variants(before: Path, store: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    cli = [sys.executable, "-c", "from socialcrm.cli import main; main()"]
    base = {**CHILD_ENV, "SOCIALCRM_DB": str(store), "SOCIALCRM_CONFIG": str(store / "none")}
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "SOCIALCRM_LANG"):
        base.pop(name, None)
    env_before = {**base, "PYTHONPATH": str(before / "src"), "LANG": "C.UTF-8"}
    env_after = {**base, "PYTHONPATH": str(ROOT / "src"), "LANG": "C.UTF-8"}
    env_french = {**env_after, "LANG": "fr_FR.UTF-8"}
    return {
        "libraries": ([sys.executable, "-c", LIBRARIES], base),
        "version/before": ([*cli, "--version"], env_before),
        "version/after": ([*cli, "--version"], env_after),
        "version/after-fr": ([*cli, "--version"], env_french),
        "show/before": ([*cli, "show", "Jane Doe"], env_before),
        "show/after": ([*cli, "show", "Jane Doe"], env_after),
        "show/after-fr": ([*cli, "show", "Jane Doe"], env_french),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the 'before' git revision (e.g. main)")
    parser.add_argument("--runs", type=int, default=21, help="interleaved rounds")
    parser.add_argument("--save", action="store_true", help="write a result file (JSON)")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each variant's CPU instructions once (callgrind: no drift)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        with _checkout(args.revision, Path(tmp) / "before") as before:
            variants = _variants(before, store)
            add = [sys.executable, "-c", "from socialcrm.cli import main; main()", "add"]
            subprocess.run(
                [*add, "Jane Doe", "--email", "jane@acme.example"],
                env=variants["show/after"][1],
                check=True,
                capture_output=True,
            )
            settle()
            for argv, env in variants.values():  # warm bytecode and the page cache
                _run(argv, env)
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
            counters = cpu_counters()
            order = list(variants)
            for _round in range(args.runs):
                random.shuffle(order)
                for name in order:
                    samples[name].append(_run(*variants[name]))
            stolen = steal_fraction(counters, cpu_counters())
            counted = _instructions(variants, Path(tmp)) if args.instructions else {}
    figures = _figures(samples)
    for name, count in counted.items():
        print(f"{name:18} {count:>14,} instructions")
    for name, row in figures.items():
        print(f"{name:18} wall {row['wall_x']:.3f}x  cpu {row['cpu_x']:.3f}x of the libraries")
    ratios = {
        f"{command}/{after}": figures[f"{command}/{after}"]["cpu_x"]
        / figures[f"{command}/before"]["cpu_x"]
        for command in ("version", "show")
        for after in ("after", "after-fr")
    }
    for name, ratio in ratios.items():
        print(f"{name:18} after/before (CPU) {ratio:.3f}")
    if args.save:
        save(
            "ab-startup",
            "ab_startup",
            None,
            {
                "before": commit_of(args.revision),
                "after": THIS,
                "runs": args.runs,
                "stolen": stolen,
                "medians": figures,
                "after_over_before_cpu": ratios,
                "instructions": counted,
            },
        )


def _instructions(
    variants: dict[str, tuple[list[str], dict[str, str]]], work: Path
) -> dict[str, int]:
    """Instructions executed by each variant (``PYTHONHASHSEED=0``), from callgrind."""
    counted = {}
    for name, (argv, env) in variants.items():
        out = work / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            env={**env, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"{name}: {done.stderr[-2000:]}")
        out.unlink()
        counted[name] = int(found[1])
    return counted


def _figures(samples: dict[str, list[tuple[float, float]]]) -> dict[str, dict[str, Any]]:
    wall_ref = statistics.median(w for w, _ in samples["libraries"])
    cpu_ref = statistics.median(c for _, c in samples["libraries"])
    out = {}
    for name, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        out[name] = {
            "wall_ms": wall,
            "cpu_ms": cpu,
            "wall_x": wall / wall_ref,
            "cpu_x": cpu / cpu_ref,
        }
    return out


if __name__ == "__main__":
    main()
