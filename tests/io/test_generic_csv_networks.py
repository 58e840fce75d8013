"""Generic CSV: a network's columns, named as its adapter declares, hold its URLs or handles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError, ValidationError
from socialcrm.io import import_file
from socialcrm.io.generic_csv import parse_mapping

CORE = Path(__file__).resolve().parents[2] / "src" / "socialcrm"


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_networks_column_reads_handles_and_urls(store: CRM, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Name,Twitter,Instagram Profile,X / Link URL\n"
        "Zoé Martin,@zoemartin,zoe.m,\n"
        "Bo Chen,https://twitter.com/bochen,,\n"
        "Léa Roux,,,https://x.com/learoux\n",
    )
    report = import_file(store, path)
    assert (report.format, report.counts()["created"]) == ("csv", 3)
    zoe = store.resolve("Zoé Martin")
    assert sorted(i.key for i in zoe.identities) == ["instagram:zoe.m", "x:zoemartin"]
    assert store.resolve("x:bochen").name == "Bo Chen"
    assert store.resolve("x:learoux").name == "Léa Roux"


def test_a_url_of_another_network_in_a_networks_column_is_an_invalid_row(
    store: CRM, tmp_path: Path
) -> None:
    path = _csv(tmp_path, "Name,LinkedIn\nZoé Martin,https://x.com/zoemartin\n")
    (row,) = import_file(store, path).rows
    assert row.action == "invalid" and "linkedin.com" in row.reason


def test_mapping_to_a_network(store: CRM, tmp_path: Path) -> None:
    assert parse_mapping("Qui=name,Insta=url:instagram") == {
        "Qui": "name",
        "Insta": "url:instagram",
    }
    path = _csv(tmp_path, "Qui,Insta\nZoé Martin,@zoe.m\nBo Chen,https://www.instagram.com/bo\n")
    import_file(store, path, mapping={"Qui": "name", "Insta": "url:instagram"})
    assert store.resolve("instagram:zoe.m").name == "Zoé Martin"
    assert store.resolve("instagram:bo").name == "Bo Chen"
    with pytest.raises(ValidationError, match="unknown network 'myspace'"):
        import_file(store, path, mapping={"Qui": "name", "Insta": "url:myspace"})
    with pytest.raises(ValidationError, match="bad network 'My Space'"):
        parse_mapping("Insta=url:My Space")


def test_a_networks_columns_count_towards_the_cap_of_urls(store: CRM, tmp_path: Path) -> None:
    handles = ";".join(f"user{i}" for i in range(30))
    path = _csv(
        tmp_path, f"Name,Profile URL,Twitter\nZoé,{handles.replace('user', 'x:u')},{handles}\n"
    )
    (row,) = import_file(store, path).rows
    assert (row.action, row.field) == ("invalid", "urls")
    assert "urls holds 60 values, over the cap of 50" in row.reason


def test_detection_without_networks_looks_at_the_first_row(store: CRM, tmp_path: Path) -> None:
    """Detection sees no network: a name plus a column of profile URLs is a CSV of people."""
    path = _csv(tmp_path, "Name,LinkedIn\nZoé Martin,https://www.linkedin.com/in/zoe-martin\n")
    assert import_file(store, path).format == "csv"
    assert store.resolve("linkedin:zoe-martin").name == "Zoé Martin"
    products = _csv(tmp_path, "Name,Price\nBolt,3.5\n")
    with pytest.raises(ImportFormatError, match="unrecognised file format"):
        import_file(store, products)


def test_the_core_names_no_network() -> None:
    """Exports, vCards and the generic CSV learn every network from its adapter."""
    names = re.compile(r"\b(linkedin|facebook|instagram|youtube|twitter|mastodon)\b", re.I)
    modules = ["interchange.py", "network_plugin.py"] + [
        f"io/{m}.py" for m in ("exports", "vcard", "vcard_cards", "generic_csv")
    ]
    for module in modules:
        text = (CORE / module).read_text(encoding="utf-8")
        assert not names.search(text), f"{module} names a network: {names.search(text)}"
