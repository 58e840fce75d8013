"""``report funnel`` and ``report html`` on the large store: time and peak memory.

The issue's targets: at 30,000 prospects x 10 events each command finishes in
under 6x the libraries reference (``python -c 'import typer, attrs, pluggy,
tinydb, orjson'``) timed in the same rounds, and peaks under 200 MB RSS.
Rounds interleave the reference and the two commands; results go to
``benchmarks/results/bench_reports-<UTC>.json``.  A floor row without a target
times the reference plus importing what the HTML report draws its charts with
(matplotlib's SVG backend): no ``report html`` can be faster.

    python benchmarks/bench_reports.py                 # 3 rounds on benchmarks/.data/store-30000
    python benchmarks/bench_reports.py --runs 5 --store PATH
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from machine import LIBRARIES
from processes import cli_command, run_process
from synth import build_store

HERE = Path(__file__).resolve().parent
TARGET_MULTIPLE = 6
TARGET_MB = 200
TARGET_MIB = TARGET_MB * 1_000_000 / 2**20
#: What ``report html`` imports to draw its charts (socialcrm.reports.charts).
CHARTS_IMPORT = (
    "import matplotlib; from matplotlib.figure import Figure; "
    "import matplotlib.backends.backend_svg"
)
FLOOR = "floor: matplotlib"


def add_results(store: Path) -> None:
    """A year of weekly posts, monthly audience sizes and three goals (report html draws them)."""
    from socialcrm import CRM
    from socialcrm.playbook.posts import log_post
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.reports.audience import log_audience
    from socialcrm.reports.goals import set_goal
    from socialcrm.storage import open_repository

    crm = CRM(open_repository(store), get_plugin_manager())
    now = crm.now()
    for week in range(52):
        log_post(
            crm,
            "linkedin",
            views=800 + week,
            reactions=20 + week % 30,
            at=now - timedelta(days=7 * week + 1),
        )
    for month in range(12):
        log_audience(crm, "linkedin", 300 + 20 * month, date(now.year - 1, month + 1, 28))
    set_goal(crm, "posts", 2, per="week")
    set_goal(crm, "wins", 10, per="month")
    set_goal(crm, "first_contacts", 100, per="month")
    crm.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=HERE / ".data" / "store-30000")
    parser.add_argument("--prospects", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.store.exists():
        print(f"building {args.store} ({args.prospects:,} prospects x 10 events)", file=sys.stderr)
        build_store(args.store, args.prospects, 10)
    with tempfile.TemporaryDirectory(prefix="reports-") as tmp:
        work = Path(tmp)
        store = work / "store"
        shutil.copytree(args.store, store)
        add_results(store)
        base = [*cli_command(), "--db", str(store)]
        commands = {
            "libraries": [sys.executable, "-c", LIBRARIES],
            "report funnel": [*base, "report", "funnel"],
            "report html": [*base, "report", "html", "--out", str(work / "report.html")],
            # a floor, no target: the charting library the HTML report must use, imported
            FLOOR: [sys.executable, "-c", f"{LIBRARIES}; {CHARTS_IMPORT}"],
        }
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for round_ in range(args.runs):
            for name, argv in commands.items():
                ms, mib, code = run_process(argv, work)
                if code:
                    raise SystemExit(f"{name} failed ({code})")
                samples[name].append((ms, mib))
            print(f"round {round_ + 1}/{args.runs} done", file=sys.stderr)
    reference = [ms for ms, _ in samples["libraries"]]
    rows = {}
    for name in ("report funnel", "report html", FLOOR):
        ratios = [ms / ref for (ms, _), ref in zip(samples[name], reference, strict=True)]
        peak = max(mib for _, mib in samples[name])
        rows[name] = {
            "multiple_of_libraries": round(statistics.median(ratios), 2),
            "ratios": [round(r, 2) for r in ratios],
            "peak_mib": round(peak, 1),
            "time_ok": None if name == FLOOR else statistics.median(ratios) < TARGET_MULTIPLE,
            "memory_ok": peak < TARGET_MIB,
        }
        goal = "(no target: a floor)" if name == FLOOR else f"(target < {TARGET_MULTIPLE}x)"
        print(
            f"{name:<16} {statistics.median(ratios):6.1f}x the libraries reference {goal}  "
            f"peak {peak:6.1f} MiB (target < {TARGET_MIB:.1f} MiB)"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = HERE / "results" / f"bench_reports-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "kind": "bench_reports",
                "date": stamp,
                "prospects": args.prospects,
                "events_per_prospect": 10,
                "runs": args.runs,
                "reference_ms_median": round(statistics.median(reference), 1),
                "commands": rows,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"saved {out}")


if __name__ == "__main__":
    main()
