"""Unbounded inputs (issue 20): limits hold on what the parsers build, memory stays bounded.

End-to-end cases run the installed ``socialcrm`` console script on real files
and a real store: exit code, one-line message, and the store's files compared
byte for byte when the import is refused.  Peak memory is read from the child
process (``os.wait4``'s ``ru_maxrss``) or, in process, from tracemalloc.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.io.csvsafe import LINE_LIMIT
from socialcrm.io.importing import report as report_module
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

SCRIPT = Path(sys.executable).with_name("socialcrm")
LIMIT_BYTES = 200_000_000


def store_bytes(store: Path) -> dict[str, bytes]:
    """Every file of the store, by relative path (to prove nothing changed)."""
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.suffix != ".lock"
    }


TIME = Path("/usr/bin/time")


def cli(store: Path, *args: str) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak RSS bytes) of one ``socialcrm`` process.

    The peak comes from GNU ``time`` when installed: a child's ``ru_maxrss``
    counts the memory this process had when it forked.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time"
        prefix = [str(TIME), "-f", "%M", "-o", str(report)] if TIME.exists() else []
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen(
                [*prefix, str(SCRIPT), "--db", str(store), *args],
                stdout=stdout,
                stderr=stderr,
                env=env,
            )
            _pid, status, usage = os.wait4(proc.pid, 0)
        kib = int(report.read_text().split()[-1]) if prefix else usage.ru_maxrss
        code = os.waitstatus_to_exitcode(status)
        return code, out.read_text(), err.read_text(), kib * 1024


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    code, _out, err, _peak = cli(path, "add", "Existing Person", "--email", "e@example.com")
    assert code == 0, err
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- vCard: limits while reading ------------------------------------------------------
def test_a_note_folded_over_200000_lines_is_refused_while_unfolding(
    tmp_path: Path, store: Path
) -> None:
    """It peaked at 1,961 MiB (vobject unfolded it whole before the length check)."""
    path = tmp_path / "note.vcf"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoé\r\nNOTE:start")
        for _ in range(200_000):
            fh.write("\r\n " + "x" * 70)
        fh.write("\r\nEND:VCARD\r\n")
    before = store_bytes(store)
    code, _out, err, peak = cli(store, "import", str(path), "--strict")
    assert code == 4
    assert "nothing was written" in one_line(err)
    assert peak < LIMIT_BYTES
    assert store_bytes(store) == before
    code, out, _err, _peak = cli(store, "--format", "json", "import", str(path), "--dry-run")
    (row,) = json.loads(out)["rows"]
    assert (row["row"], row["action"], row["field"]) == (1, "invalid", "note")
    assert row["reason"] == (
        "NOTE is longer than 131,072 characters (the card beginning at line 1)"
    )


@pytest.mark.parametrize(
    ("prop", "count", "field", "reason"),
    [
        ("EMAIL:z{i}@example.org", 20_000, "emails", "more than 20 e-mails (the limit)"),
        ("TEL:+3361234{i:04d}", 21, "phones", "more than 20 phones (the limit)"),
        ("URL:https://example.org/{i}", 51, "urls", "more than 50 URLs and profiles (the limit)"),
        ("CATEGORIES:" + ",".join(f"t{n}" for n in range(60)) + ",x{i}", 2, "tags", "more than"),
        ("ORG:Acme {i}", 51, "org", "more than 50 lines of single-valued properties"),
    ],
)
def test_a_card_over_a_cap_is_an_invalid_row_naming_the_field(
    store_crm: CRM, tmp_path: Path, prop: str, count: int, field: str, reason: str
) -> None:
    path = tmp_path / "many.vcf"
    lines = "".join(prop.format(i=i) + "\r\n" for i in range(count))
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ok\r\nEND:VCARD\r\n"
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoé\r\n{lines}END:VCARD\r\n",
        encoding="utf-8",
    )
    report = import_file(store_crm, path)
    assert [(r.row, r.action, r.field) for r in report.rows] == [
        (1, "created", None),
        (2, "invalid", field),
    ]
    assert reason in report.rows[1].reason
    assert "(the card beginning at line 5)" in report.rows[1].reason


@pytest.fixture
def store_crm(tmp_path: Path) -> CRM:
    from socialcrm.storage import open_repository

    return CRM(open_repository(tmp_path / "crm"), get_plugin_manager(), clock=FrozenClock())


def test_nested_cards_stop_the_import_with_the_line(tmp_path: Path, store: Path) -> None:
    """5,000 nested BEGIN:VCARD ended in RecursionError (exit 1, 'please report')."""
    path = tmp_path / "nested.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoé\r\n" * 5000 + "END:VCARD\r\n" * 5000,
        encoding="utf-8",
    )
    before = store_bytes(store)
    code, _out, err, _peak = cli(store, "import", str(path))
    assert code == 4
    assert one_line(err) == (
        f"error: {path}, row 1: invalid vCard: a card nested 3 levels deep "
        "(at most 2 are read) (line 7)"
    )
    assert store_bytes(store) == before


def test_a_photo_and_an_agent_card_are_skipped_unread(store_crm: CRM, tmp_path: Path) -> None:
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + "".join("\r\n " + "B" * 74 for _ in range(3000))
    path = tmp_path / "photo.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Zoé Martin\r\n"
        + photo
        + "\r\nAGENT:\r\nBEGIN:VCARD\r\nVERSION:2.1\r\nFN:Assistant\r\nEND:VCARD\r\n"
        "EMAIL;INTERNET:zoe@example.org\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    report = import_file(store_crm, path)
    assert report.counts()["created"] == 1
    assert store_crm.resolve("zoe@example.org").name == "Zoé Martin"


# -- caps on every importer's records --------------------------------------------------
def test_generic_csv_refuses_a_cell_of_too_many_values(store_crm: CRM, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    emails = ";".join(f"p{i}@example.org" for i in range(500))
    path.write_text(f'Name,Email,Title\nZoé,"{emails}",CTO\nJean,,{"x" * 1001}\n')
    report = import_file(store_crm, path, "csv")
    assert [(r.row, r.action, r.field) for r in report.rows] == [
        (2, "invalid", "emails"),
        (3, "invalid", "title"),
    ]
    assert report.rows[0].reason == "emails holds 500 values, over the cap of 20"
    assert report.rows[1].reason == "title is longer than the cap of 1,000 characters (1,001)"


# -- encodings and line limits ----------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_files_with_a_bom_are_imported(
    store_crm: CRM, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "people.csv"
    text = "Name,Email\nZoé Martin,zoe@example.org\n王小明,wang@example.cn\n"
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + text.encode(encoding))
    report = import_file(store_crm, path)
    assert report.counts()["created"] == 2
    assert store_crm.resolve("wang@example.cn").name == "王小明"


def test_utf16_without_a_bom_says_what_it_is(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("Name,Email\nZoé,z@example.org\n".encode("utf-16-le"))
    code, _out, err, _peak = cli(store, "import", str(path))
    assert code == 4
    assert "this looks like UTF-16 text without a byte order mark" in one_line(err)
    assert "save the file as UTF-8" in err


def test_the_line_limit_message_says_what_is_enforced(tmp_path: Path, store: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"Name,Email\n" + b"A" * (LINE_LIMIT + 10) + b",x@example.org\n")
    before = store_bytes(store)
    code, _out, err, _peak = cli(store, "import", str(path), "--format", "csv")
    assert code == 4
    assert f"row 2: a line is longer than {LINE_LIMIT:,} bytes" in one_line(err)
    assert LINE_LIMIT == 262_144
    assert store_bytes(store) == before


# -- bounded report and plan ---------------------------------------------------------------
def test_the_report_counts_every_row_and_lists_the_first(
    store_crm: CRM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "LISTED_PER_ACTION", 3)
    path = tmp_path / "people.csv"
    rows = [f"Person {i},p{i}@example.org" for i in range(5)] + ["Bad,not-an-email"] * 4
    path.write_text("Name,Email\n" + "\n".join(rows) + "\n\n\n\n\n")
    report = import_file(store_crm, path)
    assert report.counts() == {
        "created": 5,
        "updated": 0,
        "attached": 0,
        "skipped": 4,
        "invalid": 4,
    }
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "created"),
        (3, "created"),
        (4, "created"),
        (7, "invalid"),
        (8, "invalid"),
        (9, "invalid"),
        (11, "skipped"),
        (12, "skipped"),
        (13, "skipped"),
    ]
    assert report.omitted() == {
        "created": 2,
        "updated": 0,
        "attached": 0,
        "skipped": 1,
        "invalid": 1,
    }
    assert [g.to_dict() for g in report.skip_groups()] == [
        {"reason": "blank line", "rows": 4, "first_rows": [11, 12, 13, 14]}
    ]
    assert report.to_dict()["rows_not_listed"]["created"] == 2


def _peak_of_dry_run(tmp_path: Path, rows: int) -> int:
    sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
    from bench_import import make_connections

    source = tmp_path / f"Connections-{rows}.csv"
    make_connections(source, rows)
    crm = CRM(None, get_plugin_manager(), clock=FrozenClock())
    tracemalloc.start()
    try:
        report = import_file(crm, source, dry_run=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.counts()["created"] == rows
    return peak


def test_a_dry_run_does_not_grow_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan kept every prospect as a model and every row's outcome: a
    1,000,000-row dry run peaked at 2 GB.  Four times the rows must not take
    twice the memory (the buffers are made small so both sizes fill them)."""
    from socialcrm.io.importing import engine, index

    monkeypatch.setattr(index, "PENDING_MAX", 200)
    monkeypatch.setattr(engine, "FLUSH_EVENTS", 400)
    monkeypatch.setattr(report_module, "LISTED_PER_ACTION", 100)
    small = _peak_of_dry_run(tmp_path, 1_500)
    large = _peak_of_dry_run(tmp_path, 6_000)
    assert large < 2 * small, (small, large)
