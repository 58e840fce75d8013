"""``kill -9`` of real CLI processes, at moments measured from each command's own duration.

For each command that writes — ``add``, ``move``, ``import`` (a CSV of 2,000
rows), ``backup``, ``restore``, and a schema migration (any command opening an
old-schema store) — the installed console script is first run to completion on
a copy of a starting store: its duration ``T`` and the state it leaves (the
*new* state) are the reference.  Then, each time on a fresh copy of the same
store, the command is run again and sent ``SIGKILL``: first at 0.3 T and 0.6 T,
then at the middle of the interval in which its commit happened (after the
latest kill that left the old state, before the earliest that left the new
one), halving it each time.  A Python command spends most of its time starting
up; this puts most kills within milliseconds of the commit: while data files
are written, around the manifest swap, during the sweep.  After each kill:

* ``doctor`` reports the store healthy, or explains it with a known finding
  (a migration not done yet: ``schema-older``), never crashes;
* the store is exactly the old state, or the new one — never a mix;
* a run that exited 0 before its kill (an acknowledged write) left the new state;
* one more write succeeds and leaves no unlisted file behind (what the kill left
  is swept: the next commit proves it garbage).

``doctor`` is the library's (the same code the command runs, in-process: a
process per kill would double the test's time); the console script's ``doctor``
runs after the last kill of each command, and whenever a kill left a problem.
"""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from attrs import frozen

from socialcrm.errors import SchemaVersionError
from socialcrm.storage import layout, open_repository
from socialcrm.storage.archives import check_archive
from socialcrm.storage.backups import backup, list_backups
from socialcrm.storage.doctor import doctor

from .console import SCRIPT, command, run, script_env
from .helpers import dump_state, populate

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed"),
]

FIXTURES = Path(__file__).with_name("fixtures")
#: The first kills, as fractions of the command's measured duration; the next
#: ones halve the interval in which the commit happened (see the module's docstring).
SPREAD = (0.3, 0.6)
#: Findings a kill may leave that explain themselves (exit 6, never a crash).
KNOWN_PROBLEMS = {"schema-older"}
IMPORT_ROWS = 2000


def small_store(path: Path) -> None:
    repo = open_repository(path)
    populate(repo, 6)
    repo.close()


def store_with_backup_then_changes(path: Path) -> None:
    small_store(path)
    backup(path)
    repo = open_repository(path)
    populate(repo, 3, prefix="01Q")  # after the backup: what a restore takes away
    repo.close()


def old_schema_store(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True)
    path.chmod(0o700)
    shutil.copy(FIXTURES / "schema1" / layout.MANIFEST_NAME, path / layout.MANIFEST_NAME)
    (path / layout.MANIFEST_NAME).chmod(0o600)


def connections_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position"])
        for i in range(IMPORT_ROWS):
            out.writerow(
                [
                    f"First{i}",
                    f"Last{i}",
                    f"https://www.linkedin.com/in/kill-test-{i}",
                    f"kill{i}@example.org",
                    f"Company {i % 40}",
                    "Engineer",
                ]
            )
    return path


@frozen
class Scenario:
    name: str
    build: Callable[[Path], None]
    args: Callable[[Path], list[str]]  # from the test's tmp directory
    kills: int = 10


SCENARIOS = [
    Scenario("add", small_store, lambda _: ["add", "Kill Test", "--email", "kill@example.org"]),
    Scenario("move", small_store, lambda _: ["move", "01P00001", "identify", "--force"]),
    Scenario("backup", small_store, lambda _: ["backup"]),
    Scenario("restore", store_with_backup_then_changes, lambda _: ["restore", "--yes"]),
    Scenario("migration", old_schema_store, lambda _: ["list"]),
    Scenario(
        "import",
        small_store,
        lambda tmp: ["import", str(connections_csv(tmp / "connections.csv"))],
        kills=6,
    ),
]


def logical_state(store: Path) -> Any:
    """The store's content, exactly (documents as stored), or an old-schema manifest's bytes."""
    try:
        return dump_state(store)
    except SchemaVersionError:
        return ("schema 1", (store / layout.MANIFEST_NAME).read_bytes())


def fingerprint(state: Any) -> Any:
    """What a reference run and a killed run must agree on: the people, their stages
    and their histories, without the ids and times each run draws anew."""
    if isinstance(state, tuple):
        return state
    kinds = {
        pid: sorted(e["payload"]["kind"] for e in doc["events"])
        for pid, doc in state.get("events", {}).items()
    }
    people = sorted(
        (
            p["name"],
            p["stage"],
            p["pipeline"],
            tuple(p.get("emails", ())),
            tuple(kinds.get(pid, ())),
        )
        for pid, p in state.get("prospects", {}).items()
    )
    return people, sorted(state.get("meta", {}))


def backups_of(store: Path) -> list[str]:
    return [b.path.name for b in list_backups(store) if b.kind == "backup"]


def assert_valid_backups(store: Path) -> None:
    for b in list_backups(store):
        with b.path.open("rb") as fh:
            check_archive(b.path, fh)


def run_until(store: Path, args: list[str], delay: float | None) -> int | None:
    """Run the command; kill it after ``delay`` seconds unless done. Its exit code
    if it finished by itself, ``None`` if it was killed."""
    proc = subprocess.Popen(
        command(store, *args),
        env=script_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        code = proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        if code == -signal.SIGKILL:
            return None
        # it exited on its own between the timeout and the signal: as if not killed
    finally:
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert code == 0, err
    return code


def cli_doctor_explains(store: Path) -> None:
    result = run(store, "doctor", "--format", "json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    problems = {f["code"] for f in report["findings"] if f["level"] in ("warning", "error")}
    assert result.returncode == (6 if problems else 0), result.stdout
    assert problems <= KNOWN_PROBLEMS, report


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_sigkill_at_measured_moments(tmp_path: Path, scenario: Scenario) -> None:
    base = tmp_path / "base"
    scenario.build(base)
    args = scenario.args(tmp_path)
    old = logical_state(base)
    old_backups = backups_of(base)

    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    started = time.monotonic()
    run_until(reference, args, None)
    duration = time.monotonic() - started
    new = logical_state(reference)
    if scenario.name != "backup":
        assert fingerprint(new) != fingerprint(old)  # the command changes something

    outcomes = []
    before, after = 0.0, duration  # the commit happens between these delays
    for i in range(scenario.kills):
        # first across the run, then halving the interval around the commit point
        if i < len(SPREAD):
            delay = SPREAD[i] * duration
        else:
            if after <= before:  # runs vary in length: widen the interval again
                after = before + 0.2 * duration
            delay = (before + after) / 2
        store = tmp_path / f"kill-{i}"
        shutil.copytree(base, store)
        code = run_until(store, args, delay)
        state = logical_state(store)
        report = doctor(store)
        problems = {f.code for f in report.problems}
        assert problems <= KNOWN_PROBLEMS, (delay, [f.to_dict() for f in report.problems])
        if problems:
            cli_doctor_explains(store)
        if scenario.name == "backup":
            assert state == old
            added = set(backups_of(store)) - set(old_backups)
            assert len(added) <= 1 and set(old_backups) <= set(backups_of(store))
            assert_valid_backups(store)
            outcome = "new" if added else "old"
        elif state == old:
            outcome = "old"
        else:
            assert fingerprint(state) == fingerprint(new), f"killed after {delay:.3f}s: a mix"
            outcome = "new"
        if code == 0:  # acknowledged: the write must be there
            assert outcome == "new", f"{scenario.name} exited 0 but its change is missing"
        if outcome == "old":
            before = max(before, delay)
        else:
            after = min(after, delay)
        outcomes.append(outcome if code is None else "done")
        # one more write: it works, and leaves no unlisted file behind
        repo = open_repository(store)
        repo.set_meta("after-kill", i)
        repo.close()
        leftovers = {"leftovers", "stale-files", "newer-files"}
        assert not leftovers & {f.code for f in doctor(store, deep=False).findings}, delay
    print(
        "OUTCOMES", scenario.name, round(duration, 3), round(before, 3), round(after, 3), outcomes
    )  # DEBUG
    cli_doctor_explains(store)
    assert "old" in outcomes, outcomes  # at least one kill landed before the commit
