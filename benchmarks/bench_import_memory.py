"""Benchmark: peak memory (RSS) of whole ``socialcrm import`` processes, by file size.

The issue's rule: every import stays under 200 MB (200,000,000 bytes) of peak
RSS whatever the file size.  Each case below runs as a full CLI process into a
fresh store; its peak RSS comes from GNU ``/usr/bin/time`` (``%M``, KiB),
else from ``os.wait4``.  Cases:

* LinkedIn ``Connections.csv`` of 30,000, 200,000 and 1,000,000 rows
  (``bench_import.make_connections``), and the 1,000,000 rows with ``--dry-run``;
* a socialcrm JSON backup and a vCard file of ``--store-rows`` prospects, written
  by the exporters from ``synth.synthetic`` (10 events a prospect in the backup);
* LinkedIn ``messages.csv`` writing once to each of ``--messages`` connections,
  imported into the store those connections were imported into (activities
  matched against a full store).

Speed is given only as a ratio to the libraries reference
(``python -c 'import typer, attrs, pluggy, tinydb, orjson'``), run just before
each case, in the same run (the machine's speed drifts).  Results go to
``benchmarks/results/import-memory-<UTC time>.json`` with the date, commit and
machine; a case over 200 MB is flagged (exit code 1).

    .venv/bin/python benchmarks/bench_import_memory.py                  # all cases
    .venv/bin/python benchmarks/bench_import_memory.py --rows 30000,200000 --no-dry-run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_import import make_connections
from bench_whole import make_messages
from synth import synthetic

HERE = Path(__file__).parent
LIMIT_BYTES = 200_000_000
LIBRARIES = "import typer, attrs, pluggy, tinydb, orjson"
TIME = Path("/usr/bin/time")
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli() -> list[str]:
    script = Path(sys.executable).with_name("socialcrm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "socialcrm"]


def run(argv: list[str], work: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS bytes, exit code) of one process."""
    report = work / "time.txt"
    prefix = [str(TIME), "-f", "%M", "-o", str(report)] if TIME.exists() else []
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=CHILD_ENV
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if code:
        sys.stderr.write(f"{' '.join(argv)} exited {code}: {errors[-2000:]}\n")
    kib = int(report.read_text().split()[-1]) if prefix else usage.ru_maxrss
    return wall, kib * 1024, code


def write_backup(path: Path, n: int) -> None:
    from socialcrm.io.formats import ExportContext
    from socialcrm.io.jsonio import JSONExporter
    from socialcrm.models import Pipeline

    context = ExportContext(pipelines=(Pipeline("default", datetime(2025, 1, 6, tzinfo=UTC)),))
    with path.open("w", encoding="utf-8") as out:
        JSONExporter().write(synthetic(n, 10), out, context)


def write_vcards(path: Path, n: int) -> None:
    from socialcrm.io.formats import ExportContext
    from socialcrm.io.vcard import VCardExporter

    with path.open("w", encoding="utf-8") as out:
        VCardExporter().write(synthetic(n, 1), out, ExportContext())


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(HERE), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def commit() -> str:
    """The commit measured (``+dirty`` when the work tree has changes)."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def machine() -> dict[str, Any]:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="30000,200000,1000000", help="Connections.csv sizes")
    parser.add_argument("--no-dry-run", action="store_true", help="skip the largest --dry-run")
    parser.add_argument("--store-rows", type=int, default=100_000, help="backup/vCard prospects")
    parser.add_argument(
        "--messages", type=int, default=200_000, help="messages into a store of that many"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.rows.split(",") if s.strip()]
    measured = commit()  # at the start: the code every case runs
    started = datetime.now(UTC)

    cases: list[tuple[str, int, Path, list[str]]] = []
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-memory-") as tmp:
        work = Path(tmp)
        for n in sizes:
            source = work / f"Connections-{n}.csv"
            make_connections(source, n)
            cases.append((f"connections {n:,}", n, source, []))
        if sizes and not args.no_dry_run:
            n = max(sizes)
            cases.append((f"connections {n:,} --dry-run", n, work / f"Connections-{n}.csv", []))
            cases[-1][3].append("--dry-run")
        if args.store_rows:
            backup, cards = work / "backup.json", work / "contacts.vcf"
            write_backup(backup, args.store_rows)
            write_vcards(cards, args.store_rows)
            n = args.store_rows
            cases.append((f"JSON backup {n:,} x 10 events", n, backup, []))
            cases.append((f"vCard {n:,} cards", n, cards, []))
        if args.messages:
            n = args.messages
            people = work / f"Connections-{n}.csv"
            if not people.exists():
                make_connections(people, n)
            make_messages(work / "messages.csv", people)
            cases.append((f"messages {n:,} into {n:,}", n, work / "messages.csv", []))
        references: list[float] = []
        for label, rows, source, options in cases:
            store = work / "store"
            shutil.rmtree(store, ignore_errors=True)
            if label.startswith("messages"):  # into a store of the people written to
                code = run([*cli(), "--db", str(store), "import", str(people)], work)[2]
                assert code == 0, "the connections import failed"
            ref_wall, _ref_peak, _ = run([sys.executable, "-c", LIBRARIES], work)
            references.append(ref_wall)
            argv = [*cli(), "--db", str(store), "import", str(source), *options]
            wall, peak, code = run(argv, work)
            result = {
                "case": label,
                "rows": rows,
                "file_bytes": source.stat().st_size,
                "exit_code": code,
                "peak_rss_bytes": peak,
                "peak_rss_mib": round(peak / 2**20, 1),
                "over_limit": peak > LIMIT_BYTES,
                "wall_s": round(wall, 2),
                "libraries_reference_s": round(ref_wall, 3),
                "ratio_to_reference": round(wall / ref_wall, 1),
            }
            results.append(result)
            flag = "OVER 200 MB" if result["over_limit"] else "ok"
            print(
                f"{label:<36} peak {result['peak_rss_mib']:>8.1f} MiB  {flag:<11} "
                f"{result['ratio_to_reference']:>8.1f} x the libraries reference"
                f" (exit {code})",
                flush=True,
            )
            shutil.rmtree(store, ignore_errors=True)
    stamp = datetime.now(UTC)
    document = {
        "benchmark": "import peak RSS (bench_import_memory.py)",
        "date": started.isoformat(timespec="seconds"),
        "finished": stamp.isoformat(timespec="seconds"),
        "commit": measured,
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "limit_bytes": LIMIT_BYTES,
        "libraries_reference": f"python -c '{LIBRARIES}'",
        "libraries_reference_median_s": round(statistics.median(references), 3)
        if references
        else None,
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"import-memory-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"results: {target}")
    failed = [r for r in results if r["over_limit"] or r["exit_code"] not in (0, 4)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
