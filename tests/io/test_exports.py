"""CSV, HubSpot and Twenty exports: columns, formula neutralising, --stage, 0600 atomic files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.errors import ValidationError
from socialcrm.io.csvsafe import neutralise
from socialcrm.io.exports import export_prospects, write_atomically
from socialcrm.stages import Stage


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|x", "'-2+3+cmd|x"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("-12.5", "-12.5"),
        ("Zoé", "Zoé"),
        ("", ""),
    ],
)
def test_neutralise(value: str, expected: str) -> None:
    assert neutralise(value) == expected


@given(st.text())
def test_neutralised_cells_never_start_a_formula(value: str) -> None:
    out = neutralise(value)
    if out.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert all(c in "+-0123456789 ().-/" for c in out)  # a plain number or phone


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def people(store: CRM) -> CRM:
    store.add(
        '=HYPERLINK("http://evil","x")',
        first_name="@evil",
        last_name="Doe",
        emails=["evil@example.com"],
        company="-Corp",
    )
    zoe = store.add(
        "Zoé Martin",
        urls=["https://www.linkedin.com/in/zoe-martin-4b2a1c", "x:zoemartin"],
        emails=["zoe@example.com", "zoe.perso@example.net"],
        phones=["+33 6 12 34 56 78"],
        company="Acme",
        title="CEO",
        location="Paris",
    )
    store.move(zoe.id, Stage.CONVERT, force=True)
    return store


def test_csv_export_neutralises_formulas(people: CRM) -> None:
    out = io.StringIO()
    assert export_prospects(people, people.exporters()["csv"], out) == 2
    rows = _rows(out.getvalue())
    evil = rows[0]
    assert evil["name"] == '\'=HYPERLINK("http://evil","x")'
    assert evil["first_name"] == "'@evil"
    assert evil["company"] == "'-Corp"
    assert rows[1]["phones"] == "+33612345678"
    assert rows[1]["linkedin"] == "https://www.linkedin.com/in/zoe-martin-4b2a1c"
    assert rows[1]["emails"] == "zoe@example.com; zoe.perso@example.net"


def test_hubspot_columns(people: CRM) -> None:
    out = io.StringIO()
    export_prospects(people, people.exporters()["hubspot"], out)
    rows = _rows(out.getvalue())
    assert list(rows[0])[:7] == [
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Job Title",
        "Phone Number",
        "City",
    ]
    zoe = rows[1]
    assert (zoe["First Name"], zoe["Last Name"], zoe["Email"]) == (
        "Zoé",
        "Martin",
        "zoe@example.com",
    )
    assert zoe["Lifecycle Stage"] == "opportunity"
    assert zoe["Twitter Username"] == "zoemartin"
    assert rows[0]["First Name"] == "'@evil"


def test_twenty_columns_and_stage_filter(people: CRM) -> None:
    out = io.StringIO()
    assert export_prospects(people, people.exporters()["twenty"], out, stage="convert") == 1
    (zoe,) = _rows(out.getvalue())
    assert zoe["Name / First Name"] == "Zoé"
    assert zoe["Name / Last Name"] == "Martin"
    assert zoe["Emails / Primary Email"] == "zoe@example.com"
    assert zoe["Emails / Additional Emails"] == '["zoe.perso@example.net"]'
    assert zoe["Phones / Primary Phone Number"] == "612345678"
    assert zoe["Phones / Primary Phone Calling Code"] == "+33"
    assert zoe["Linkedin / Link URL"] == "https://www.linkedin.com/in/zoe-martin-4b2a1c"
    assert zoe["X / Link URL"] == "https://x.com/zoemartin"
    assert (zoe["Job Title"], zoe["City"]) == ("CEO", "Paris")


def test_out_file_is_private_and_atomic(people: CRM, tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("old content", encoding="utf-8")
    target.chmod(0o644)
    export_prospects(people, people.exporters()["csv"], target)
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text(encoding="utf-8").startswith("id,name,")

    def boom(stream: io.TextIOBase) -> int:
        stream.write("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(target, boom)  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8").startswith("id,name,")  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "store"]
    with pytest.raises(ValidationError, match="does not exist"):
        write_atomically(tmp_path / "nope" / "x.csv", lambda s: 0)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_events_read_in_windows_give_the_same_export(
    people: CRM, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prospects' events are read a window at a time; the order and content do not change."""
    from socialcrm.io import exports

    for i in range(5):
        p = people.add(f"Window Person {i}")
        people.add_note(p.id, f"note {i}")
    whole = io.StringIO()
    assert export_prospects(people, people.exporters()[fmt], whole) == 7
    monkeypatch.setattr(exports, "EVENTS_WINDOW", 2)
    windowed = io.StringIO()
    assert export_prospects(people, people.exporters()[fmt], windowed) == 7
    assert windowed.getvalue() == whole.getvalue()
    assert "note 4" in whole.getvalue() or fmt == "csv"
