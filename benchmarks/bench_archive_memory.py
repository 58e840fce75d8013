"""Benchmark: peak memory (RSS) of importing a whole LinkedIn archive zip (issue 25).

The limit: 200 MB (200,000,000 bytes) of peak RSS for one ``socialcrm import
ARCHIVE.zip`` process, whatever the archive.  The archive is built in
LinkedIn's "Get a copy of your data" layout: ``Profile.csv`` (the rep),
``Connections.csv`` of ``--connections`` people (``bench_import.make_connections``:
the real preamble, unique URLs, one e-mail in ten), ``messages.csv`` with one
message to each of them (``bench_whole.make_messages``) and ``Invitations.csv``
with one invitation to each of the first tenth, compressed with deflate.  Each
case is a full CLI process into a fresh store; its peak RSS comes from GNU
``/usr/bin/time`` (``%M``), else ``os.wait4`` (``bench_import_memory.run``).
Then the store is opened and its prospects counted: one per connection (none
after ``--dry-run``), or the case fails.

Time is given only as a ratio to the libraries reference
(``python -c 'import typer, attrs, pluggy, tinydb, orjson'``), run just
before each case.  Results: ``benchmarks/results/archive-memory-<UTC time>.json``
with the date, commit and machine; a case over 200 MB (or failing) exits 1.

    .venv/bin/python benchmarks/bench_archive_memory.py                      # 100,000
    .venv/bin/python benchmarks/bench_archive_memory.py --connections 2000 --no-dry-run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_import import make_connections
from bench_import_memory import LIBRARIES, LIMIT_BYTES, cli, commit, machine, run
from bench_whole import make_messages

HERE = Path(__file__).parent
REP = "https://www.linkedin.com/in/camille-vendeur"
PROFILE = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,"
    "Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers\n"
    "Camille,Vendeur,,,,Account executive,,Software,,Paris,,,\n"
)


def make_invitations(path: Path, connections: Path, share: int = 10) -> int:
    """``Invitations.csv``: the rep invited one connection in ``share`` (with a note)."""
    with connections.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.reader(fh) if len(r) >= 3 and r[2].startswith("https://")]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "From",
                "To",
                "Sent At",
                "Message",
                "Direction",
                "inviterProfileUrl",
                "inviteeProfileUrl",
            ]
        )
        invited = rows[::share]
        for first, last, url, *_ in invited:
            writer.writerow(
                [
                    "Camille Vendeur",
                    f"{first} {last}",
                    "7/8/25, 3:02 PM",
                    f"Bonjour {first} !",
                    "OUTGOING",
                    REP,
                    url,
                ]
            )
    return len(invited)


def make_archive(path: Path, connections: int, work: Path) -> dict[str, int]:
    """A LinkedIn archive zip with ``connections`` people; the size of each member."""
    people = work / "Connections.csv"
    make_connections(people, connections)
    messages = work / "messages.csv"
    make_messages(messages, people)
    invitations = work / "Invitations.csv"
    make_invitations(invitations, people)
    sizes: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Profile.csv", PROFILE)
        sizes["Profile.csv"] = len(PROFILE.encode())
        for member in (people, messages, invitations):
            archive.write(member, member.name)
            sizes[member.name] = member.stat().st_size
    return sizes


def count_prospects(store: Path) -> int:
    """How many prospects the import left in ``store`` (0 after a dry run)."""
    if not store.exists():
        return 0
    from socialcrm.repository import Query
    from socialcrm.storage import open_repository

    repository = open_repository(store)
    try:
        return len(repository.query(Query()))
    finally:
        repository.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=100_000)
    parser.add_argument("--no-dry-run", action="store_true", help="skip the --dry-run case")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    measured = commit()
    started = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    references: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-archive-memory-") as tmp:
        work = Path(tmp)
        archive = work / "Basic_LinkedInDataExport_12-07-2026.zip"
        members = make_archive(archive, args.connections, work)
        cases = [("archive", [])]
        if not args.no_dry_run:
            cases.append(("archive --dry-run", ["--dry-run"]))
        for label, options in cases:
            store = work / "store"
            shutil.rmtree(store, ignore_errors=True)
            ref_wall, _peak, _code = run([sys.executable, "-c", LIBRARIES], work)
            references.append(ref_wall)
            argv = [*cli(), "--db", str(store), "import", str(archive), *options]
            wall, peak, code = run(argv, work)
            imported = count_prospects(store) if code == 0 else None
            # every connection becomes a prospect (the rep of Profile.csv never does; messages
            # and invitations name connections); a dry run writes nothing
            expected = 0 if options else args.connections
            result = {
                "case": f"LinkedIn {label}, {args.connections:,} connections",
                "connections": args.connections,
                "zip_bytes": archive.stat().st_size,
                "uncompressed_bytes": sum(members.values()),
                "members": members,
                "exit_code": code,
                "prospects_in_store_after": imported,
                "expected": expected,
                "peak_rss_bytes": peak,
                "peak_rss_mb": round(peak / 1e6, 1),
                "peak_rss_mib": round(peak / 2**20, 1),
                "over_limit": peak > LIMIT_BYTES,
                "wall_s": round(wall, 2),
                "libraries_reference_s": round(ref_wall, 3),
                "ratio_to_reference": round(wall / ref_wall, 1),
            }
            results.append(result)
            flag = "OVER 200 MB" if result["over_limit"] else "ok"
            print(
                f"{result['case']:<52} peak {result['peak_rss_mb']:>7.1f} MB  {flag:<11} "
                f"{result['ratio_to_reference']:>7.1f} x the libraries reference (exit {code})",
                flush=True,
            )
            shutil.rmtree(store, ignore_errors=True)
    stamp = datetime.now(UTC)
    document = {
        "benchmark": "LinkedIn archive import peak RSS (bench_archive_memory.py)",
        "date": started.isoformat(timespec="seconds"),
        "finished": stamp.isoformat(timespec="seconds"),
        "commit": measured,
        "machine": machine(),
        "load_average_at_end": os.getloadavg(),
        "limit_bytes": LIMIT_BYTES,
        "libraries_reference": f"python -c '{LIBRARIES}'",
        "libraries_reference_median_s": round(statistics.median(references), 3),
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"archive-memory-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"results: {target}")
    failed = [
        r
        for r in results
        if r["over_limit"] or r["exit_code"] != 0 or r["prospects_in_store_after"] != r["expected"]
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
