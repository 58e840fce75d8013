"""HubSpot and Twenty exports: no placeholder records unless asked; HubSpot's company
domain column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from socialcrm.crm import CRM
from socialcrm.io.exports import export_prospects
from socialcrm.io.importing import import_file
from socialcrm.models import ProspectKind


def _rows(store: CRM, fmt: str, **kw: bool) -> list[dict[str, str]]:
    out = io.StringIO()
    export_prospects(store, store.exporters()[fmt], out, **kw)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_placeholders_left_out_unless_asked(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "follower.js"
    path.write_text(
        'window.YTD.follower.part0 = [{"follower":{"accountId":"1234567","userLink":'
        '"https://twitter.com/intent/user?user_id=1234567"}}]'
    )
    import_file(store, path)
    store.add("Zoé Martin", emails=["zoe@acme.fr"], company="Acme")
    for fmt, first in (("hubspot", "First Name"), ("twenty", "Name / First Name")):
        assert [r[first] for r in _rows(store, fmt)] == ["Zoé"]
        assert len(_rows(store, fmt, include_unnamed=True)) == 2
    assert len(_rows(store, "csv")) == 2  # socialcrm's own flat export keeps everything


def test_hubspot_company_domain_from_a_work_email(store: CRM) -> None:
    store.add("Zoé Martin", emails=["zoe.perso@gmail.com", "zoe@acme.fr"], company="Acme")
    store.add("Jean Dupont", emails=["jean@gmail.com"], company="Dupont SARL")
    rows = {r["Last Name"]: r for r in _rows(store, "hubspot")}
    assert rows["Martin"]["Company Name"] == "Acme"
    assert rows["Martin"]["Company Domain Name"] == "acme.fr"
    assert rows["Dupont"]["Company Domain Name"] == ""


def test_channels_are_organisations_never_split_nor_exported_as_people(
    store: CRM, tmp_path: Path
) -> None:
    path = tmp_path / "subscriptions.csv"
    path.write_text(
        "Channel Id,Channel Url,Channel Title\n"
        "UC0123456789abcdefghijkl,http://www.youtube.com/channel/UC0123456789abcdefghijkl,"
        '"Growth, Sales & Co"\n',
        encoding="utf-8",
    )
    import_file(store, path)
    (channel,) = store.query()
    assert channel.name == "Growth, Sales & Co"
    assert (channel.first_name, channel.last_name) == (None, None)  # was ("Sales & Co", "Growth")
    assert channel.kind is ProspectKind.ORGANISATION
    assert channel.custom == {}  # a model field, not a custom-field marker
    store.add("Zoé Martin", emails=["zoe@acme.fr"])
    for fmt in ("hubspot", "twenty"):
        assert len(_rows(store, fmt)) == 1
        assert len(_rows(store, fmt, include_organisations=True)) == 2  # when asked
    (row,) = [r for r in _rows(store, "csv") if r["name"] == "Growth, Sales & Co"]
    assert (row["first_name"], row["last_name"]) == ("", "")


def test_twenty_company_name_and_domain_columns(store: CRM) -> None:
    """Twenty links a person to an existing company by its domain (``companyDomain``);
    the name comes along for the companies file."""
    store.add("Zoé Martin", emails=["zoe.perso@gmail.com", "zoe@acme.fr"], company="Acme")
    store.add("Jean Dupont", emails=["jean@gmail.com"], company="Dupont SARL")
    store.add("Ana Lima")
    out = io.StringIO()
    export_prospects(store, store.exporters()["twenty"], out)
    header, *rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[-4:] == ["Job Title", "City", "Company Name", "companyDomain"]
    cells = {row[1]: row[-2:] for row in rows}
    assert cells == {
        "Martin": ["Acme", "https://acme.fr"],
        "Dupont": ["Dupont SARL", ""],  # a free mailbox says nothing of the company
        "Lima": ["", ""],
    }


def test_hubspot_header_is_hubspots_contact_property_labels(store: CRM) -> None:
    """The default columns, exactly, with no network plugin contributing: the labels of
    HubSpot's default contact properties its import matches by name (docs/import-export.md
    cites the pages), then Company domain name (the company's unique identifier)."""
    from socialcrm.io.exports import HubSpotExporter

    assert HubSpotExporter().columns == (
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Job Title",
        "Phone Number",
        "City",
        "Lifecycle Stage",
        "Company Domain Name",
        "socialcrm Stage",
    )
