"""CSV files as French SMEs have them: ``;`` or tab separated, Windows-1252 or UTF-16."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.io.csvsafe import read_head, sniff_delimiter
from socialcrm.io.importing import import_file

SHEET = "Nom;Prénom;E-mail;Société;Poste\r\nMartin;Zoé;zoe@acme.fr;Acme, SA;Gérante\r\n"


def test_semicolon_windows_1252_generic_csv(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "prospects.csv"
    path.write_bytes(SHEET.encode("cp1252"))
    report = import_file(store, path)
    assert report.format == "csv" and report.counts()["created"] == 1, report.rows
    (zoe,) = store.query()
    assert (zoe.first_name, zoe.last_name, zoe.company, zoe.title) == (
        "Zoé",
        "Martin",
        "Acme, SA",
        "Gérante",
    )


def test_tab_separated_utf16_with_bom(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(b"\xff\xfe" + SHEET.replace(";", "\t").encode("utf-16-le"))
    assert import_file(store, path).counts()["created"] == 1
    assert store.query()[0].title == "Gérante"


def test_linkedin_connections_saved_by_french_excel(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    text = (
        "First Name;Last Name;URL;Email Address;Company;Position;Connected On\r\n"
        "Zoé;Martin;https://www.linkedin.com/in/zoe-martin-4b2a1c;;Acme;Gérante;27-Nov-24\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    report = import_file(store, path)
    assert report.format == "linkedin-connections", report.rows
    assert report.counts()["created"] == 1
    zoe = store.query()[0]
    assert zoe.title == "Gérante" and zoe.custom["linkedin_connected_on"] == "2024-11-27"


def test_utf8_with_and_without_bom_unchanged(tmp_path: Path) -> None:
    for prefix in (b"", b"\xef\xbb\xbf"):
        path = tmp_path / "a.csv"
        path.write_bytes(prefix + SHEET.encode("utf-8"))
        assert read_head(path).removeprefix(b"\xef\xbb\xbf") == SHEET.encode("utf-8")


cells = st.from_regex(r"[A-Za-zéèàç0-9][A-Za-zéèàç0-9 .@-]{0,10}", fullmatch=True)


@given(
    st.sampled_from([",", ";", "\t"]),
    st.integers(min_value=2, max_value=6).flatmap(
        lambda width: st.lists(st.lists(cells, min_size=width, max_size=width), min_size=2)
    ),
)
def test_delimiter_found(delimiter: str, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    assert sniff_delimiter(out.getvalue().encode("utf-8")) == delimiter


def test_excel_export_bom_and_semicolon_in_french(store: CRM, tmp_path: Path) -> None:
    import pytest

    from socialcrm.errors import ValidationError
    from socialcrm.io.exports import excel_delimiter, export_prospects

    store.add("Zoé Martin", title="Gérante", company="Acme, SA")
    csv_exporter = store.exporters()["csv"]
    out = tmp_path / "fr.csv"
    export_prospects(store, csv_exporter, out, excel=True, locale_name="fr_FR.UTF-8")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["id", "name"] and "Gérante" in rows[1]
    assert '"Acme, SA"' not in data.decode("utf-8-sig")  # no comma to quote around here
    plain = tmp_path / "en.csv"
    export_prospects(store, csv_exporter, plain, excel=True, locale_name="en_US.UTF-8")
    assert plain.read_bytes().startswith(b"\xef\xbb\xbfid,name,")
    assert import_file(store, out, update=True).counts()["invalid"] == 0  # reads back
    assert excel_delimiter("de_DE") == ";" and excel_delimiter(None) == ","
    with pytest.raises(ValidationError):
        export_prospects(store, store.exporters()["vcard"], tmp_path / "x.vcf", excel=True)
