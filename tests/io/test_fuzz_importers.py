"""Fuzz harness: every importer (built-ins and the network plugins) on hostile files.

Files are real fixtures (``tests/io/fixtures`` and each plugin's
``tests/fixtures``) mutated by hypothesis — bytes flipped, inserted,
deleted, slices repeated, structural tokens (quotes, ``BEGIN:VCARD``,
brackets, byte order marks…) spliced in, re-encoded as UTF-16 — or raw
bytes.  Each is imported with every importer found through the plugin
manager, as the CLI finds them (``--format NAME``, or ``auto``), into a real
TinyDB store.  Whatever the file:

* the only exceptions are :class:`~socialcrm.errors.ValidationError` and its
  children (``ImportFormatError``…): what the CLI turns into exit code 4;
* a refused import (an error, ``--strict`` with an invalid row, a dry run)
  leaves every file of the store byte for byte as it was;
* memory stays bounded: tracemalloc's peak per import of these small files,
  and the peak RSS of a few large generated files imported by the console
  script (under 200 MB).

The number of examples is small by default (the harness runs in the suite in
about 30 s).  Run it longer with::

    SOCIALCRM_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/io/test_fuzz_importers.py
"""

from __future__ import annotations

import codecs
import contextlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.errors import ValidationError
from socialcrm.io import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock

from .test_bounded_inputs import LIMIT_BYTES, cli, store_bytes

ROOT = Path(__file__).parents[2]
SEEDS = sorted(
    [*ROOT.glob("tests/io/fixtures/*"), *ROOT.glob("plugins/*/tests/fixtures/*")],
    key=str,
)
EXAMPLES = int(os.environ.get("SOCIALCRM_FUZZ_EXAMPLES", "60"))
#: tracemalloc peak allowed for one import of a fuzzed file (all are under ~200 KB).
SMALL_PEAK = 48 * 2**20
TOKENS = [
    b"\x00",
    b'"',
    b"\r",
    b"\n",
    b"\r\n ",
    b",",
    b";",
    b"=",
    b"BEGIN:VCARD\r\n",
    b"END:VCARD\r\n",
    b"EMAIL:a@b.c\r\n",
    b"NOTE:",
    b"{",
    b"}",
    b"[",
    b"]",
    b"]}",
    b'{"prospect": ',
    b"\\u00c3\\u00a9",
    b"window.YTD.follower.part0 = [",
    b"https://www.linkedin.com/in/",
    b"\xef\xbb\xbf",
    codecs.BOM_UTF16_LE,
    b"\xff",
    b"\xc3",
]

importers = CRM(None, get_plugin_manager()).importers()
#: ``auto`` half the time (the format found by content), else each importer forced.
FORMATS = ["auto"] * len(importers) + sorted(importers)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A fixture file with a few mutations, or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2_000))
    data = bytearray(draw(st.sampled_from(SEEDS)).read_bytes())
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat", "cut"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "token":
            data[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 20))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 400))])
            data[at:at] = piece * draw(st.integers(1, 50))
        elif op == "cut":
            del data[at:]
    blob = bytes(data)
    if draw(st.integers(0, 14)) == 0:  # the same content saved as UTF-16 (with its BOM)
        with contextlib.suppress(UnicodeDecodeError):
            blob = blob.decode("utf-8").encode("utf-16")
    return blob


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CRM, Path]]:
    """One real store for every example, holding a prospect to match against."""
    path = tmp_path_factory.mktemp("fuzz") / "store"
    crm = CRM(open_repository(path), get_plugin_manager(), clock=FrozenClock(), actor="rep")
    crm.add(
        "Zoé Martin",
        emails=["zoe.martin@example.com"],
        urls=["https://www.linkedin.com/in/zoe-martin-4b2a1c"],
    )
    yield crm, path
    crm.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=mutated(),
    file_format=st.sampled_from(FORMATS),
    strict=st.booleans(),
    dry_run=st.booleans(),
)
def test_any_file_is_imported_or_refused_cleanly(
    fuzz_store: tuple[CRM, Path],
    tmp_path_factory: pytest.TempPathFactory,
    data: bytes,
    file_format: str,
    strict: bool,
    dry_run: bool,
) -> None:
    crm, store = fuzz_store
    path = tmp_path_factory.mktemp("input") / "input.dat"
    path.write_bytes(data)
    before = store_bytes(store)
    tracemalloc.start()
    try:
        report = import_file(crm, path, file_format, strict=strict, dry_run=dry_run)
    except ValidationError as exc:  # exit code 4 in the CLI, with this message
        assert str(path) in str(exc) or exc.context.get("field") in {"format", "map"}
        report = None
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < SMALL_PEAK, peak
    event("refused" if report is None else "written" if report.written else "not written")
    if report is None or not report.written:
        assert store_bytes(store) == before
    else:
        assert sum(report.counts().values()) >= len(report.rows)


def _huge_quoted_field(path: Path) -> None:
    with path.open("wb") as fh:
        fh.write(b"Name,Email\n")
        fh.write(b'"' + (b"A" * 1000 + b"\n") * 40_000 + b'",x@example.com\n')


def _many_cards(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(20_000):
            fh.write(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:P {i}\r\n")
            fh.write("".join(f"EMAIL:p{i}.{k}@example.org\r\n" for k in range(30)))
            fh.write("END:VCARD\r\n")


def _long_json_lines(path: Path) -> None:
    entry = b'{"prospect": {"name": "' + b"x" * (8 * 2**20) + b'"}, "events": []}'
    path.write_bytes(b'{"format": "socialcrm", "v": 1, "prospects": [\n' + entry + b"\n]}\n")


def _big_friends(path: Path) -> None:
    friends = b",".join(
        b'{"name": "Friend %d", "timestamp": 1600000000}' % i for i in range(400_000)
    )
    path.write_bytes(b'{"friends_v2": [' + friends + b"]}")


@pytest.mark.parametrize(
    "make",
    [_huge_quoted_field, _many_cards, _long_json_lines, _big_friends],
    ids=lambda f: f.__name__,
)
def test_large_hostile_files_stay_under_200_mb(tmp_path: Path, make: object) -> None:
    path = tmp_path / "big.dat"
    make(path)  # type: ignore[operator]
    store = tmp_path / "store"
    code, _out, err, peak = cli(store, "import", str(path), "--dry-run")
    assert code in (0, 4), err
    assert peak < LIMIT_BYTES, (peak, err)
