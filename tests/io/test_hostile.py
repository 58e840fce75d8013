"""Hostile inputs: a clear ImportFormatError naming the file and row, the store unchanged.

Every case runs against the real TinyDB store and compares the store as a
fresh process reads it before and after.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError
from socialcrm.io import import_file

from .helpers import FIXTURES, store_snapshot

BIG = 50 * 1024 * 1024


def _seeded(store: CRM) -> None:
    store.add("Existing Person", emails=["existing@example.com"])


def _binary(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    return path


def _junk_without_nul(path: Path) -> Path:
    path.write_bytes(b"Name,Email\n" + bytes(range(0x80, 0x100)) * 10)
    return path


def _invalid_utf8_late(path: Path) -> Path:
    lines = ["Name,Email"] + [f"Person {n},p{n}@example.com" for n in range(3000)]
    data = "\n".join(lines).encode() + b"\nBad \xff\xfe Name,bad@example.com\n"
    path.write_bytes(data)
    return path


def _huge_field(path: Path) -> Path:
    with path.open("wb") as fh:
        fh.write(b"Name,Email\nZo\xc3\xa9,zoe@example.com\n")
        fh.write(b'"' + b"A" * BIG + b'",x@example.com\n')
    return path


def _huge_quoted_multiline(path: Path) -> Path:
    with path.open("wb") as fh:
        fh.write(b"Name,Email\n")
        fh.write(b'"' + (b"A" * 1000 + b"\n") * 300 + b'",x@example.com\n')
    return path


def _deep_json(path: Path) -> Path:
    depth = 100_000
    path.write_bytes(
        b'{"format": "socialcrm", "v": 1, "prospects": ' + b"[" * depth + b"]" * depth + b"}"
    )
    return path


def _deep_facebook(path: Path) -> Path:
    path.write_bytes(b'{"friends_v2": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    return path


def _broken_json(path: Path) -> Path:
    path.write_text('{"format": "socialcrm", "v": 1,\n "prospects": [\n  {"prospect": }\n]}')
    return path


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


CASES: list[tuple[str, Callable[[Path], Path], str, str, int | None]] = [
    ("binary", _binary, "auto", "binary file", 1),
    ("junk", _junk_without_nul, "auto", "not UTF-8", 2),
    ("invalid-utf8", _invalid_utf8_late, "csv", "invalid UTF-8", 3002),
    ("50MB-field", _huge_field, "auto", "longer than", 3),
    ("multiline-field", _huge_quoted_multiline, "auto", "field larger than field limit", 2),
    ("deep-json", _deep_json, "auto", "invalid JSON", 1),
    ("deep-facebook", _deep_facebook, "facebook-friends", "invalid JSON", 1),
    ("broken-json", _broken_json, "socialcrm-json", "invalid JSON", 3),
    ("empty", _empty, "auto", "empty", None),
]


@pytest.mark.parametrize(
    ("make", "file_format", "message", "row"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_hostile_file(
    store: CRM,
    store_path: Path,
    tmp_path: Path,
    make: Callable[[Path], Path],
    file_format: str,
    message: str,
    row: int | None,
) -> None:
    _seeded(store)
    before = store_snapshot(store_path)
    path = make(tmp_path / "input.dat")
    with pytest.raises(ImportFormatError) as caught:
        import_file(store, path, file_format)
    error = caught.value
    assert message in str(error)
    assert error.path == str(path)
    assert str(path) in str(error)
    assert error.row == row
    if row is not None:
        assert f"row {row}" in str(error)
    assert store_snapshot(store_path) == before


@pytest.mark.parametrize(
    ("fixture", "file_format", "message"),
    [
        ("contacts3.vcf", "linkedin-connections", "no header row found"),
        ("mapped.csv", "vcard", "invalid vCard"),
        ("aliases.csv", "socialcrm-json", "invalid JSON"),
        ("contacts4.vcf", "x-followers", "not an X archive file"),
        ("aliases.csv", "facebook-friends", "invalid JSON"),
    ],
)
def test_wrong_format(
    store: CRM, store_path: Path, fixture: str, file_format: str, message: str
) -> None:
    _seeded(store)
    before = store_snapshot(store_path)
    with pytest.raises(ImportFormatError, match=message) as caught:
        import_file(store, FIXTURES / fixture, file_format)
    assert caught.value.path == str(FIXTURES / fixture)
    assert store_snapshot(store_path) == before


def test_unreadable_file(
    store: CRM, store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seeded(store)
    before = store_snapshot(store_path)
    path = tmp_path / "secret.csv"
    path.write_text("Name\nZoé\n", encoding="utf-8")
    real_open = Path.open

    def denied(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ImportFormatError, match="cannot read the file: Permission denied"):
        import_file(store, path)
    monkeypatch.undo()
    assert store_snapshot(store_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_for_real(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_text("Name\nZoé\n", encoding="utf-8")
    path.chmod(0)
    with pytest.raises(ImportFormatError, match="Permission denied"):
        import_file(store, path)


def test_a_directory_is_not_a_file(store: CRM, tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="not a regular file"):
        import_file(store, tmp_path)


def test_huge_json_string_is_an_invalid_row(store: CRM, store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "your_friends.json"
    path.write_text(
        '{"friends_v2": [{"name": "Zoé", "timestamp": 1}, {"name": "' + "A" * 200_000 + '"}]}',
        encoding="utf-8",
    )
    report = import_file(store, path)
    assert report.format == "facebook-friends"
    assert [(r.row, r.action) for r in report.rows] == [(1, "created"), (2, "invalid")]
    assert "longer than" in report.rows[1].reason
