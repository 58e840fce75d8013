"""Generic CSV: mapping syntax, recognised column names, detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError, ValidationError
from socialcrm.io import import_file
from socialcrm.io.generic_csv import parse_mapping

from .helpers import FIXTURES


def test_parse_mapping() -> None:
    assert parse_mapping("Full name=name, Mail=email,X=custom:origin") == {
        "Full name": "name",
        "Mail": "email",
        "X": "custom:origin",
    }
    with pytest.raises(ValidationError, match="unknown field 'mail'"):
        parse_mapping("Mail=mail")
    with pytest.raises(ValidationError, match="bad mapping"):
        parse_mapping("Mail")
    with pytest.raises(ValidationError, match="empty mapping"):
        parse_mapping(" , ")


def test_recognised_columns_without_mapping(store: CRM) -> None:
    report = import_file(store, FIXTURES / "aliases.csv")
    assert report.format == "csv"
    assert report.counts()["created"] == 2
    amina = store.resolve("amina@globex.example")
    assert (amina.first_name, amina.last_name, amina.name) == ("Amina", "Benali", "Amina Benali")
    assert amina.title == "Founder"
    assert amina.tags == ("paris", "vip")
    assert amina.notes == "Met at a conference"
    assert [i.key for i in amina.identities] == ["linkedin:amina-benali"]
    karl = store.resolve("Karl Müller")
    assert karl.company == "Beispiel GmbH" and karl.emails == ()


def test_mapping_with_custom_fields(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Qui,Où,Source\nLéa Roux,Lyon,salon\n", encoding="utf-8")
    report = import_file(
        store, path, mapping={"Qui": "name", "Où": "location", "Source": "custom:origin"}
    )
    assert report.counts()["created"] == 1
    lea = store.resolve("Léa Roux")
    assert lea.location == "Lyon" and lea.custom == {"origin": "salon"}


def test_mapping_whose_columns_are_absent(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("A,B\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="no header row found"):
        import_file(store, path, mapping={"Full name": "name", "Mail": "email"})


def test_csv_without_name_column_is_not_detected(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="unrecognised file format"):
        import_file(store, path)
