"""The safe CSV reader: exact round trips, row numbers, BOM/CRLF, header found by content."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.errors import ImportFormatError
from socialcrm.io.csvsafe import header_key, read_csv, read_csv_dicts

cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=8))
def test_whatever_csv_writes_is_read_back(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]]
) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    read = [cells for _line, cells in read_csv(path, delimiter=",")]
    expected = [row if row != [""] else [] for row in rows]  # csv writes [""] as an empty line
    assert [r if r != [""] else [] for r in read] == expected


plain = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters=',;\t"'
    ),
    min_size=1,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t"]),
    width=st.integers(min_value=2, max_value=5),
    data=st.data(),
)
def test_the_delimiter_is_found_whatever_it_is(
    tmp_path_factory: pytest.TempPathFactory, delimiter: str, width: int, data: st.DataObject
) -> None:
    """Auto-detection reads back a table written with `,`, `;` or a tab (2+ columns,
    cells free of the three delimiters: the unambiguous files)."""
    rows = data.draw(st.lists(st.lists(plain, min_size=width, max_size=width), min_size=1))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "data.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    assert [cells for _line, cells in read_csv(path)] == rows


def test_a_line_of_delimiters_only_is_no_evidence(tmp_path: Path) -> None:
    path = tmp_path / "one-column.csv"
    path.write_text("name\n;\nJane\n", encoding="utf-8")
    assert [cells for _line, cells in read_csv(path)] == [["name"], [";"], ["Jane"]]


def test_rows_are_numbered_where_they_start(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('h1,h2\r\n"multi\r\nline",x\r\nlast,y\r\n', encoding="utf-8")
    assert [line for line, _ in read_csv(path)] == [1, 2, 4]


def test_header_found_after_a_preamble(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('Notes:\n"a, b"\n\nName,Email\nZoé,z@example.com\n,\n', encoding="utf-8")
    rows = list(read_csv_dicts(path, lambda c: "Name" in c, expected="Name"))
    assert rows == [(5, {"Name": "Zoé", "Email": "z@example.com"}), (6, None)]


def test_no_header(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n" * 30, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"no header row found \(expected Name\)"):
        list(read_csv_dicts(path, lambda c: "Name" in c, expected="Name"))


def test_header_key() -> None:
    assert header_key("  E-Mail_Address ") == "e mail address"
    assert header_key("inviteeProfileUrl") == "inviteeprofileurl"


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b'Name,Email\r"Zo\xc3\xa9\rMartin",z@example.com\rJean,j@example.org\r')
    assert list(read_csv(path)) == [
        (1, ["Name", "Email"]),
        (2, ["Zoé\rMartin", "z@example.com"]),
        (4, ["Jean", "j@example.org"]),
    ]
    long_line = tmp_path / "long.csv"
    long_line.write_bytes(b"Name\r" + b"A" * 300_000)
    with pytest.raises(ImportFormatError, match="row 2: a line is longer than"):
        list(read_csv(long_line))
