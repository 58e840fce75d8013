"""The benchmark scripts still run: they are how the issues' speed targets are measured.

Tiny sizes, no timing asserted (figures belong in the scripts' own output): a
script that no longer imports or crashes half-way must fail here, not on the
day someone needs its figures.  ``bench_storage.py --whole`` is left out: it
imports 30,000 rows whatever the store size (about a minute).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(script: str, *args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_bench_storage_prints_every_command_as_a_ratio_to_the_reference(tmp_path: Path) -> None:
    out = _run(
        "bench_storage.py",
        *("--sizes", "60,20", "--events", "2", "--runs", "2", "--workdir", str(tmp_path)),
        cwd=tmp_path,
    )
    assert "libraries reference (python -c 'import typer, attrs, pluggy, tinydb, orjson')" in out
    steal = re.search(r"CPU time stolen by the host during the runs: (\d+\.\d) %", out)
    assert steal is not None or not Path("/proc/stat").exists(), out[:800]
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("command"))
    assert header.split() == [
        *("command", "x", "ref", "20", "x", "ref", "60", "target", "ok", "MiB", "20", "MiB", "60"),
    ]
    rows = {line.split()[0]: line.split() for line in lines[lines.index(header) + 2 :][:11]}
    assert list(rows) == [
        *("show", "move", "note", "add", "add+email", "today", "board"),
        *("list-stage", "list-stage-json", "list-json", "list-table"),
    ]
    for cells in rows.values():
        assert len(cells) == 7 and cells[4] in {"yes", "NO"}
        assert all(float(c) > 0 for c in cells[1:3] + cells[5:7])
    misses = [name for name, cells in rows.items() if cells[4] == "NO"]
    for name in misses:  # each miss is printed with its figure
        assert re.search(rf"^  {re.escape(name)}: .*(x at|MiB at)", out, re.MULTILINE), out
    assert bool(misses) == ("missed:" in out)
    assert (tmp_path / "store-60").is_dir() and (tmp_path / "store-20").is_dir()


def test_bench_storage_targets_are_those_of_issue_23(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_storage

    assert bench_storage.target("today", 30_000) == 2.0
    assert bench_storage.target("list-stage", 30_000) == 2.0
    assert bench_storage.target("list-stage", 100_000) == 3.0
    assert bench_storage.target("list-json", 100_000) == 4.0
    assert bench_storage.ratio([200.0, 90.0, 300.0], [100.0, 100.0, 100.0]) == 2.0


def test_bench_import_imports_every_row(tmp_path: Path) -> None:
    out = _run("bench_import.py", "--rows", "200", "--repeat", "1", "--limit", "600", cwd=tmp_path)
    assert "created 200, importer records 200, re-import skipped 200" in out
    assert "OK:" in out


def test_bench_import_memory_runs_every_case(tmp_path: Path) -> None:
    """Every case of the import-memory benchmark runs to the end (it once failed to import)."""
    out = _run(
        "bench_import_memory.py",
        *("--rows", "60", "--store-rows", "20", "--messages", "30", "--out", str(tmp_path)),
        cwd=tmp_path,
    )
    cases = [line.split(" peak ")[0].strip() for line in out.splitlines() if " peak " in line]
    assert cases == [
        "connections 60",
        "connections 60 --dry-run",
        "JSON backup 20 x 10 events",
        "vCard 20 cards",
        "messages 30 into 30",
    ], out
    assert all(line.endswith("(exit 0)") for line in out.splitlines() if " peak " in line)
    (result,) = tmp_path.glob("import-memory-*.json")
    record = json.loads(result.read_text(encoding="utf-8"))
    assert [r["case"] for r in record["results"]] == cases
    assert all(r["peak_rss_bytes"] > 0 and r["ratio_to_reference"] > 0 for r in record["results"])


def test_ab_cli_loads(tmp_path: Path) -> None:
    assert "revision" in _run("ab_cli.py", "--help", cwd=tmp_path)


def test_ab_team_loads(tmp_path: Path) -> None:
    assert "--before-db" in _run("ab_team.py", "--help", cwd=tmp_path)


def test_whole_store_peaks_are_held_to_200_mb_not_200_mib(tmp_path: Path) -> None:
    """Peaks are measured in MiB; the issue's 200 MB is 190.7 of them."""
    code = (
        f"import sys; sys.path.insert(0, {str(BENCHMARKS)!r}); import bench_storage as b; "
        "b.print_whole({'under': (1.0, 190.0, 0), 'over': (1.0, 191.0, 0)}, 30_000, 1, 600)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    rows = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    assert "peak <= 200 MB (190.7 MiB)" in done.stdout
    assert rows["under"][3] == "yes" and rows["over"][3] == "NO", done.stdout


def test_ab_cli_compares_each_command_round_by_round(monkeypatch: pytest.MonkeyPatch) -> None:
    """after/before as a ratio of medians and as the median of same-round ratios."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import ab_cli

    times = {}
    for n, name in enumerate(ab_cli.COMMANDS):
        before = [(100.0 + n, 90.0), (200.0, 180.0), (300.0, 270.0)]
        after = [(110.0 + n, 99.0), (180.0, 180.0), (330.0, 297.0)]
        times[name, "before"], times[name, "after"] = before, after
    libraries = [(100.0, 80.0), (50.0, 40.0), (150.0, 120.0)]
    summary = ab_cli.summarise(times, libraries)
    assert list(summary) == list(ab_cli.COMMANDS)
    show = summary["show"]["wall"]
    assert show["before_median_ms"] == 200 and show["after_median_ms"] == 180
    assert show["after_over_before"] == 0.9
    assert show["paired_after_over_before"] == 1.1  # 1.1, 0.9, 1.1 round by round
    assert show["before_x_libraries"] == 2.0
    assert summary["show"]["cpu"]["after_over_before"] == 1.0


def test_results_are_json_with_date_commit_and_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import machine

    path = machine.write_result(tmp_path / "r" / "x.json", "example", {"figures": {"show": 1.5}})
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["kind"] == "example" and record["figures"] == {"show": 1.5}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["date"])
    assert record["commit"] is None or re.fullmatch(r"[0-9a-f]{40}", record["commit"])
    assert record["machine"]["cpus"] == os.cpu_count()
    assert machine.result_path("ab", "no-cache").parent == BENCHMARKS / "results"


def test_bench_archive_memory_imports_a_linkedin_archive_zip(tmp_path: Path) -> None:
    """Issue 25: the archive benchmark builds a real-layout zip and imports it whole."""
    out = _run(
        "bench_archive_memory.py",
        *("--connections", "40", "--no-dry-run", "--out", str(tmp_path)),
        cwd=tmp_path,
    )
    assert "LinkedIn archive, 40 connections" in out
    (result_file,) = tmp_path.glob("archive-memory-*.json")
    document = json.loads(result_file.read_text(encoding="utf-8"))
    (case,) = document["results"]
    assert case["exit_code"] == 0 and case["connections"] == 40
    assert set(case["members"]) == {
        "Profile.csv",
        "Connections.csv",
        "messages.csv",
        "Invitations.csv",
    }
    assert case["peak_rss_bytes"] > 0 and case["ratio_to_reference"] > 0
