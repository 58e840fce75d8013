"""A/B of a team rep's commands on PostgreSQL: a git revision against this working tree.

Each tree runs against a database of its own schema (``--before-db``: one an older
socialcrm can open; ``--after-db``: the ``bench_team.py`` database by default),
holding the same data, as rep ``rep3``: ``show`` and ``note`` of one of their
prospects, ``list --owner rep3 --format json`` and ``today --format json``.
Rounds interleave the two trees (the order alternates) with the libraries
reference in each; it prints each command's median per tree and as a multiple
of the reference.  ``--save`` writes ``benchmarks/results/ab-team-*.json``.

    # the same data at revision 0002 (before the summaries), beside the bench database
    createdb -T socialcrm_bench_team socialcrm_bench_team_r2
    psql socialcrm_bench_team_r2 -c 'DROP TABLE socialcrm_summaries' \\
        -c "UPDATE socialcrm_schema SET version_num = '0002'"
    python benchmarks/ab_team.py 72f9595 \\
        --before-db postgresql://postgres@127.0.0.1:5432/socialcrm_bench_team_r2 --save

Not part of the test suite (minutes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from ab_cli import THIS, _checkout, _run
from bench_team import DATABASE, REP, SERVER, _url
from machine import CHILD_ENV, LIBRARIES, commit_of, save, tree_is_dirty

ROOT = Path(__file__).resolve().parent.parent


def _commands(pid: str) -> dict[str, list[str]]:
    return {
        "show": ["show", pid],
        "note": ["note", pid, "ab note"],
        "list --owner": ["list", "--owner", REP, "--format", "json"],
        "today": ["today", "--format", "json"],
    }


def _a_prospect_of_the_rep(url: str) -> str:
    from sqlalchemy import create_engine, text

    from socialcrm.storage.sql.engine import parse_url

    engine = create_engine(parse_url(url))
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT id FROM socialcrm_prospects WHERE owner = :rep ORDER BY id"),
                {"rep": REP},
            ).scalars()
            ids = list(found)
    finally:
        engine.dispose()
    if not ids:
        raise SystemExit(f"no prospect of {REP} in {url}: run benchmarks/bench_team.py first")
    return ids[len(ids) // 3]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision", help="the 'before' git revision")
    parser.add_argument("--before-db", required=True, help="the database the revision opens")
    parser.add_argument("--after-db", default=_url(SERVER, DATABASE), help="this tree's")
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds")
    parser.add_argument("--label", help="a word for the result file's name")
    parser.add_argument("--save", action="store_true", help="write a result file (JSON)")
    args = parser.parse_args(argv)
    pid = _a_prospect_of_the_rep(args.after_db)
    cli = [sys.executable, "-c", "from socialcrm.cli import main; main()"]
    times: dict[str, list[float]] = {}
    libraries: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, _checkout(args.revision, Path(tmp) / "b") as old:
        trees = {"before": (old / "src", args.before_db), "after": (ROOT / "src", args.after_db)}
        for round_ in range(args.runs):
            libraries.append(_run([sys.executable, "-c", LIBRARIES], CHILD_ENV)[0])
            order = list(trees) if round_ % 2 == 0 else list(trees)[::-1]
            for name, words in _commands(pid).items():
                for tree in order:
                    src, url = trees[tree]
                    env = {**CHILD_ENV, "PYTHONPATH": str(src), "SOCIALCRM_USER": REP}
                    wall, _cpu = _run([*cli, "--db", url, *words], env)
                    times.setdefault(f"{name} {tree}", []).append(wall)
            print(f"  round {round_ + 1}/{args.runs}", end="\r", flush=True)
    reference = statistics.median(libraries)
    print(f"\nlibraries reference {reference:.0f} ms; before = {args.revision}, after = {THIS}")
    figures: dict[str, Any] = {}
    for key, walls in times.items():
        median = statistics.median(walls)
        figures[key] = {"median_ms": round(median, 1), "x_reference": round(median / reference, 2)}
        print(f"  {key:<20} {median:8.0f} ms  {median / reference:6.2f}x")
    if args.save:
        save(
            "ab-team",
            "ab_team",
            args.label,
            {
                "before": {"revision": args.revision, "commit": commit_of(args.revision)},
                "after": {"commit": commit_of(), "dirty": tree_is_dirty()},
                "runs": args.runs,
                "libraries_wall_ms": [round(x, 1) for x in libraries],
                "commands": figures,
            },
        )


if __name__ == "__main__":
    main()
