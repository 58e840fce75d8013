"""``--update`` never makes a fact worse: a read date stays, a mixed-case name stays."""

from __future__ import annotations

from pathlib import Path

from socialcrm.crm import CRM
from socialcrm.io.generic_csv import parse_mapping
from socialcrm.io.importing import import_file


def _connections(tmp_path: Path, connected_on: str) -> Path:
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Zoé,Martin,https://www.linkedin.com/in/zoe-martin-4b2a1c,,Acme,Gérante,"
        f"{connected_on}\n",
        encoding="utf-8",
    )
    return path


def test_excel_date_is_stored_as_iso(store: CRM, tmp_path: Path) -> None:
    report = import_file(store, _connections(tmp_path, "27-Nov-24"))
    assert report.counts()["created"] == 1
    assert store.query()[0].custom["linkedin_connected_on"] == "2024-11-27"


def test_unreadable_date_is_an_invalid_row_never_stored(store: CRM, tmp_path: Path) -> None:
    report = import_file(store, _connections(tmp_path, "le mois dernier"))
    assert report.counts()["invalid"] == 1 and report.counts()["created"] == 0
    assert report.invalid[0].field == "Connected On"
    assert "le mois dernier" in report.invalid[0].reason


def test_update_never_replaces_a_read_date_with_a_worse_one(store: CRM, tmp_path: Path) -> None:
    import_file(store, _connections(tmp_path, "08 Jul 2025"))
    worse = tmp_path / "sheet.csv"
    worse.write_text(
        "Name,Profile,Connected\n"
        "Zoé Martin,https://www.linkedin.com/in/zoe-martin-4b2a1c,8-Jul-25\n",
        encoding="utf-8",
    )
    mapping = parse_mapping("Name=name,Profile=url,Connected=custom:linkedin_connected_on")
    kept = import_file(store, worse, mapping=mapping, update=True)
    assert kept.skipped[0].reason == "unchanged"
    assert store.query()[0].custom["linkedin_connected_on"] == "2025-07-08"
    better = tmp_path / "better.csv"
    better.write_text(
        "Name,Profile,Connected\n"
        "Zoé Martin,https://www.linkedin.com/in/zoe-martin-4b2a1c,2025-07-09T10:00:00+00:00\n",
        encoding="utf-8",
    )
    better_report = import_file(store, better, mapping=mapping, update=True)
    assert better_report.counts()["updated"] == 1, better_report.rows
    assert store.query()[0].custom["linkedin_connected_on"] == "2025-07-09T10:00:00+00:00"


def test_capitals_never_replace_mixed_case_names(store: CRM, tmp_path: Path) -> None:
    import_file(store, _connections(tmp_path, "08 Jul 2025"))
    shouting = tmp_path / "caps.csv"
    shouting.write_text(
        "First Name,Last Name,Profile,Title\n"
        "ZOÉ,MARTIN,https://www.linkedin.com/in/zoe-martin-4b2a1c,Directrice\n",
        encoding="utf-8",
    )
    report = import_file(store, shouting, update=True)
    assert report.counts()["updated"] == 1
    zoe = store.query()[0]
    assert (zoe.first_name, zoe.last_name, zoe.title) == ("Zoé", "Martin", "Directrice")
