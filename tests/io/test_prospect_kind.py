"""Organisations as a model notion (issue 25, item 4): the prospect's ``kind``.

Documents of format version 1 (before ``kind``) are read as persons, or as
organisations when an import of that version marked them with the custom field
``kind: organisation``; the store is real (TinyDB) and so is the CLI.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.crm import CRM
from socialcrm.errors import ValidationError
from socialcrm.io.exports import export_prospects
from socialcrm.models import Prospect, ProspectKind
from socialcrm.plugins import get_plugin_manager
from socialcrm.serialization import FORMAT_VERSION, from_dict, from_stored_dict, to_dict

V1 = {
    "v": 1,
    "id": "01HZX3V1DOC0000000000000AA",
    "name": "Growth, Sales & Co",
    "custom": {"kind": "organisation", "youtube_since": "2024-01-02"},
    "created_at": "2026-01-01T00:00:00+00:00",
    "updated_at": "2026-01-01T00:00:00+00:00",
}


@pytest.mark.parametrize("read", [from_dict, from_stored_dict])
def test_a_version_1_document_is_upgraded(read: object) -> None:
    assert callable(read)
    channel = read(Prospect, V1)
    assert channel.kind is ProspectKind.ORGANISATION
    assert channel.custom == {"youtube_since": "2024-01-02"}  # the marker became the field
    person = read(Prospect, {**V1, "name": "Zoé Martin", "custom": {"kind": "friend"}})
    assert person.kind is ProspectKind.PERSON
    assert person.custom == {"kind": "friend"}  # any other value is the rep's own field
    written = to_dict(channel)
    assert (
        (written["v"], written["kind"]) == (FORMAT_VERSION, "organisation") == (2, "organisation")
    )
    assert from_dict(Prospect, written) == channel


def test_a_newer_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="format version 3"):
        from_dict(Prospect, {**V1, "v": 3})


def test_an_organisation_is_never_split_nor_exported_as_a_person(store: CRM) -> None:
    org = store.add("Acme Studio", kind="organisation", emails=["hello@acme.fr"])
    assert (org.first_name, org.last_name, org.kind) == (None, None, ProspectKind.ORGANISATION)
    person = store.add("Zoé Martin", emails=["zoe@acme.fr"], allow_shared_email=True)
    assert (person.first_name, person.kind) == ("Zoé", ProspectKind.PERSON)
    for fmt in ("hubspot", "twenty"):
        out = io.StringIO()
        assert export_prospects(store, store.exporters()[fmt], out) == 1
        assert "Acme Studio" not in out.getvalue()
    out = io.StringIO()
    export_prospects(store, store.exporters()["json"], out)
    assert '"kind": "organisation"' in out.getvalue()  # the backup keeps it
    with pytest.raises(ValidationError, match="unknown kind"):
        store.add("Nobody", kind="robot")


def test_editing_the_kind_clears_the_split_name(store: CRM) -> None:
    p = store.add("Growth Sales")
    assert (p.first_name, p.last_name) == ("Growth", "Sales")
    org = store.edit(p.id, set_fields={"kind": "organisation"})
    assert (org.kind, org.first_name, org.last_name) == (ProspectKind.ORGANISATION, None, None)
    (edited,) = [e for e in store.history(p.id) if e.kind.value == "edited"]
    assert edited.payload.changes["kind"] == ["person", "organisation"]  # type: ignore[union-attr]
    back = store.edit(p.id, set_fields={"kind": "person", "first_name": "Growth"})
    assert (back.kind, back.first_name) == (ProspectKind.PERSON, "Growth")


def test_an_update_import_makes_a_known_channel_an_organisation(store: CRM, tmp_path: Path) -> None:
    from socialcrm.io.importing import import_file

    channel = "UC0123456789abcdefghijkl"
    known = store.add("Growth Sales", urls=[f"https://www.youtube.com/channel/{channel}"])
    assert known.kind is ProspectKind.PERSON
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "Channel Id,Channel Url,Channel Title\n"
        f"{channel},http://www.youtube.com/channel/{channel},Growth Sales\n",
        encoding="utf-8",
    )
    import_file(store, path, update=True)
    after = store.resolve(known.id)
    assert (after.kind, after.first_name, after.last_name) == (
        ProspectKind.ORGANISATION,
        None,
        None,
    )


def test_cli_add_show_list_and_export(tmp_path: Path) -> None:
    app = make_app(get_plugin_manager())
    runner = CliRunner()

    def run(*args: str) -> object:
        return runner.invoke(app, ["--db", str(tmp_path / "store"), *args])

    added = run("add", "Acme Studio", "--organisation")
    assert added.exit_code == 0, added.stderr  # type: ignore[attr-defined]
    run("add", "Zoé Martin")
    shown = run("show", "Acme Studio")
    assert "organisation (a channel, a company page: not a person)" in shown.stdout  # type: ignore[attr-defined]
    listed = run("list")
    assert "Acme Studio (organisation)" in listed.stdout  # type: ignore[attr-defined]
    records = json.loads(run("list", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert {r["name"]: (r["kind"], r["first_name"]) for r in records} == {
        "Acme Studio": ("organisation", None),
        "Zoé Martin": ("person", "Zoé"),
    }
    exported = run("export", "--format", "hubspot")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))  # type: ignore[attr-defined]
    assert [r["First Name"] for r in rows] == ["Zoé"]
    asked = run("export", "--format", "hubspot", "--include-organisations")
    rows = list(csv.DictReader(io.StringIO(asked.stdout)))  # type: ignore[attr-defined]
    assert [(r["First Name"], r["Company Name"]) for r in rows] == [
        ("", "Acme Studio"),  # asked for: the organisation's name is the company, not a person's
        ("Zoé", ""),
    ]


def test_a_linkedin_company_page_makes_an_organisation(store: CRM, tmp_path: Path) -> None:
    """Added by URL or imported from a spreadsheet, a company page is an organisation;
    the person working there who links to it is not a duplicate of it."""
    page = store.add("Acme SAS", urls=["https://www.linkedin.com/company/acme/about/"])
    assert (page.kind, page.first_name, page.identities[0].key) == (
        ProspectKind.ORGANISATION,
        None,
        "linkedin:company/acme",
    )
    assert store.resolve("linkedin:company/acme").id == page.id
    from socialcrm.dedupe import duplicates_in
    from socialcrm.io.importing import import_file

    path = tmp_path / "accounts.csv"
    path.write_text(
        "Name,LinkedIn,Website\n"
        "Globex Corp,https://www.linkedin.com/company/globex,\n"
        "Jean Dupont,https://www.linkedin.com/in/jean-dupont,linkedin.com/company/acme\n",
        encoding="utf-8",
    )
    mapping = {"Name": "name", "LinkedIn": "url", "Website": "custom:website"}
    import_file(store, path, mapping=mapping)
    kinds = {p.name: (p.kind, p.first_name) for p in store.query()}
    assert kinds == {
        "Acme SAS": (ProspectKind.ORGANISATION, None),
        "Globex Corp": (ProspectKind.ORGANISATION, None),
        "Jean Dupont": (ProspectKind.PERSON, "Jean"),
    }
    jean = store.resolve("linkedin:jean-dupont")
    assert "linkedin.com/company/acme" in " ".join(jean.custom.values())  # read, then skipped
    assert duplicates_in(store) == []
