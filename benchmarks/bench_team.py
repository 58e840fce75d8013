"""A team's store on PostgreSQL: one rep's commands at 300,000 prospects x 10 events.

Builds (once; reused while its parameters match, ``--rebuild`` forces it) a
database ``socialcrm_bench_team`` on the server (default
``postgresql://postgres@127.0.0.1:5432/postgres``) holding ``--reps`` reps x
``--per-rep`` prospects (default 10 x 30,000), each with ``--events`` events
(default 10). The load is the bulk path: ``COPY`` of the SQL store's own rows
(``socialcrm.storage.sql.rows``, and each prospect's summary row as
``socialcrm.storage.sql.summaries`` writes it), then ``ANALYZE``; the schema is the one of
``socialcrm db upgrade``.

Then runs, as full ``socialcrm`` processes of one rep (``SOCIALCRM_USER=rep3``),
round after round with the libraries reference in every round (the order
rotates), and the floor of any command on this store (the libraries plus
``import sqlalchemy, psycopg``): ``show`` of one of the rep's prospects, a write (``note``),
``list --owner rep3 --format json`` and ``today --format json``. It prints each
command's median as a multiple of the reference's median of the same rounds,
and the median of the per-round ratios; ``--save`` writes the figures to
``benchmarks/results/team-pg-<UTC time>[-<label>].json``.

    python benchmarks/bench_team.py                     # 10 x 30,000 x 10, 9 rounds
    python benchmarks/bench_team.py --per-rep 300 --runs 3   # a quick look
    python benchmarks/bench_team.py --save --label 300k

Not part of the test suite (it takes minutes).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import orjson
from attrs import evolve
from machine import CHILD_ENV, LIBRARIES, cpu_counters, save, steal_percent
from processes import cli_command
from synth import T0, synthetic

from socialcrm.journey import journey_of
from socialcrm.models import Pipeline
from socialcrm.storage.sql.rows import email_rows, event_row, identity_rows, prospect_row
from socialcrm.storage.sql.summaries import row_of
from socialcrm.summary import summary_of

SERVER = os.environ.get("SOCIALCRM_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "socialcrm_bench_team"
PARAMS_KEY = "bench_team"
REP = "rep3"
TARGET = 2.0  # one-prospect commands, as a multiple of the libraries reference


def _url(server: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=database).render_as_string(hide_password=False)


def _admin(server: str, sql: str) -> list[Any]:
    from sqlalchemy import create_engine, text

    from socialcrm.storage.sql.engine import parse_url

    engine = create_engine(parse_url(server), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result = conn.execute(text(sql))
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def _stored_params(url: str) -> Any:
    from socialcrm.storage import open_repository

    try:
        repo = open_repository(url)
    except Exception:  # no database, or no schema yet
        return None
    try:
        return repo.get_meta(PARAMS_KEY)
    finally:
        repo.close()


_DOCUMENTS = ("doc", "value", "summary", "journey")


def _copy(cursor: Any, table: str, columns: Sequence[str], rows: Iterator[dict[str, Any]]) -> int:
    """COPY ``rows`` into ``table`` (text format; documents as JSON text)."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [orjson.dumps(row[c]).decode() if c in _DOCUMENTS else row[c] for c in columns]
            )
            count += 1
    return count


def build(server: str, reps: int, per_rep: int, events: int) -> tuple[str, list[str]]:
    """The benchmark database (reused when its parameters match); ``REP``'s prospect ids."""
    url = _url(server, DATABASE)
    params = {"reps": reps, "per_rep": per_rep, "events": events, "v": 2}
    n = reps * per_rep

    def owner(i: int) -> str:
        return f"rep{i % reps}"

    if _stored_params(url) == params:
        # the same generator as the load: its ids depend on the events drawn before them
        ids = [p.id for i, (p, _e) in enumerate(synthetic(n, events)) if owner(i) == REP]
        print(f"reusing {DATABASE} ({n:,} prospects x {events})")
        return url, ids
    _admin(server, f"DROP DATABASE IF EXISTS {DATABASE}")
    _admin(server, f"CREATE DATABASE {DATABASE}")
    from socialcrm.storage import open_repository
    from socialcrm.storage.sql.upgrade import upgrade_database

    upgrade_database(url)
    repo = open_repository(url)
    repo.put_pipeline(Pipeline("default", T0))
    repo.close()
    start = time.perf_counter()
    ids: list[str] = []
    import psycopg

    people: list[dict[str, Any]] = []
    handles: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    happened: list[dict[str, Any]] = []
    kept: list[dict[str, Any]] = []  # summaries and journeys, as the store writes them
    counts = {"prospects": 0, "events": 0}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        cur = conn.cursor()

        def flush() -> None:
            counts["prospects"] += _copy(cur, "socialcrm_prospects", PROSPECT_COLUMNS, iter(people))
            _copy(
                cur,
                "socialcrm_identities",
                ("pipeline", "key", "network", "prospect_id"),
                iter(handles),
            )
            _copy(cur, "socialcrm_emails", ("prospect_id", "email", "pipeline"), iter(mails))
            counts["events"] += _copy(cur, "socialcrm_events", EVENT_COLUMNS, iter(happened))
            _copy(cur, "socialcrm_summaries", SUMMARY_COLUMNS, iter(kept))
            for chunk in (people, handles, mails, happened, kept):
                chunk.clear()

        for i, (p, evs) in enumerate(synthetic(n, events)):
            p = evolve(p, owner=owner(i))
            if p.owner == REP:
                ids.append(p.id)
            people.append(prospect_row(p))
            handles += identity_rows(p)
            mails += email_rows(p)
            history = [evolve(e, actor=p.owner) for e in evs]
            happened += map(event_row, history)
            kept.append(row_of(p.id, summary_of(p, history), journey_of(history)))
            if len(people) >= 5000:
                flush()
                print(f"  {counts['prospects']:,} prospects loaded", end="\r", flush=True)
        flush()
        conn.commit()
    _admin(url, "ANALYZE")
    repo = open_repository(url)
    repo.set_meta(PARAMS_KEY, params)
    repo.close()
    took = time.perf_counter() - start
    print(f"loaded {counts['prospects']:,} prospects, {counts['events']:,} events in {took:.0f} s")
    return url, ids


PROSPECT_COLUMNS = (
    "id",
    "pipeline",
    "stage",
    "status",
    "owner",
    "score",
    "created_at",
    "updated_at",
    "doc",
)
EVENT_COLUMNS = ("id", "prospect_id", "at", "kind", "doc")
SUMMARY_COLUMNS = ("prospect_id", "pipeline", "stage", "status", "owner", "summary", "journey")


def _run(argv: Sequence[str], env: dict[str, str]) -> float:
    """Wall ms of one process (which must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    took = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return took


def measure(url: str, ids: list[str], runs: int) -> dict[str, Any]:
    """Interleaved rounds of the reference and each command; medians and ratios."""
    env = dict(CHILD_ENV, SOCIALCRM_DB=url, SOCIALCRM_USER=REP)
    cli = cli_command()
    target = ids[len(ids) // 2]
    commands: dict[str, list[str]] = {
        "reference": [sys.executable, "-c", LIBRARIES],
        # the floor of any command on this store: the libraries plus the SQL toolkit and driver
        "import sqlalchemy, psycopg": [sys.executable, "-c", f"{LIBRARIES}, sqlalchemy, psycopg"],
        "show": [*cli, "show", target],
        "note": [*cli, "note", target, "Called, call back on Monday"],
        "list --owner": [*cli, "list", "--owner", REP, "--format", "json"],
        "today": [*cli, "today", "--format", "json"],
    }
    for argv in commands.values():  # warm the caches (bytecode, entry points, the server's)
        _run(argv, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    before = cpu_counters()
    for r in range(runs):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            times[name].append(_run(commands[name], env))
        print(f"  round {r + 1}/{runs}", end="\r", flush=True)
    after = cpu_counters()
    ref = statistics.median(times["reference"])
    figures: dict[str, Any] = {"reference_ms": round(ref, 1), "commands": {}}
    for name in names[1:]:
        per_round = [t / x for t, x in zip(times[name], times["reference"], strict=True)]
        figures["commands"][name] = {
            "median_ms": round(statistics.median(times[name]), 1),
            "x_reference": round(statistics.median(times[name]) / ref, 2),
            "median_round_ratio": round(statistics.median(per_round), 2),
        }
    figures["steal"] = steal_percent(before, after)
    figures["load"] = os.getloadavg()
    figures["rep_prospects"] = len(ids)
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--per-rep", type=int, default=30_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--drop", action="store_true", help="Drop the database at the end.")
    parser.add_argument("--save", action="store_true")
    parser.add_argument("--label")
    args = parser.parse_args(argv)
    if args.rebuild:
        _admin(args.server, f"DROP DATABASE IF EXISTS {DATABASE}")
    url, ids = build(args.server, args.reps, args.per_rep, args.events)
    figures = measure(url, ids, args.runs)
    print(f"\n{args.reps} reps x {args.per_rep:,} prospects x {args.events} events on PostgreSQL")
    print(f"libraries reference: {figures['reference_ms']} ms (steal {figures['steal']})")
    out = io.StringIO()
    for name, f in figures["commands"].items():
        mark = ""
        if name in ("show", "note"):
            mark = "  ok" if f["x_reference"] <= TARGET else f"  above {TARGET}x"
        ratio, per_round = f["x_reference"], f["median_round_ratio"]
        out.write(f"  {name:<14} {ratio:>6.2f}x  (per round {per_round}x){mark}\n")
    print(out.getvalue(), end="")
    if args.save:
        params = {
            "reps": args.reps,
            "per_rep": args.per_rep,
            "events": args.events,
            "runs": args.runs,
        }
        save("team-pg", "team-pg", args.label, {"params": params, **figures})
    if args.drop:
        _admin(args.server, f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
