"""Network columns of the flat exports and vCard service names, as the adapters declare them.

The exporters name no network: the five built-in plugins declare today's
columns (tested here exactly, as a data contract), a network declaring
nothing gets columns derived from its id and name, and two networks claiming
one header or one name never both get it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from socialcrm import CRM, hookimpl
from socialcrm.hooks import Hooks
from socialcrm.interchange import Clash, ExportColumn
from socialcrm.io import import_file
from socialcrm.io.exports import CSVExporter, export_prospects
from socialcrm.io.formats import ExportContext
from socialcrm.networks import BaseNetworkAdapter, Channel, ChecklistItem, NetworkAdapter
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock
from socialcrm.testing.networks import network_clashes

CSV_HEADER = [
    "id", "name", "first_name", "last_name", "pipeline", "stage", "status", "lost_reason",
    "company", "title", "sector", "company_size", "location", "emails", "phones",
    "linkedin", "x", "facebook", "instagram", "youtube",
    "other_profiles", "tags", "notes", "custom", "owner", "created_at", "updated_at",
]  # fmt: skip
HUBSPOT_HEADER = [
    "First Name", "Last Name", "Email", "Company Name", "Job Title", "Phone Number", "City",
    "Lifecycle Stage", "Twitter Username", "LinkedIn URL", "Company Domain Name",
    "socialcrm Stage",
]  # fmt: skip
TWENTY_HEADER = [
    "Name / First Name", "Name / Last Name", "Emails / Primary Email",
    "Emails / Additional Emails", "Phones / Primary Phone Number",
    "Phones / Primary Phone Calling Code", "Linkedin / Link URL", "X / Link URL", "Job Title",
    "City", "Company Name", "companyDomain",
]  # fmt: skip


class Net(BaseNetworkAdapter):
    """A network whose profiles are ``https://<domain>/<letters>``."""

    def handle_from_url(self, parts: Any) -> str:
        return self.handle_from_text(parts.path.strip("/"))

    def handle_from_text(self, text: str) -> str:
        if not text.isalpha():
            raise ValueError("letters only")
        return text.lower()

    def profile_url(self, handle: str) -> str:
        return f"https://{self.domains[0]}/{handle}"


def net(network_id: str, name: str, **declarations: Any) -> Net:
    return Net(
        id=network_id,
        name=name,
        domains=(f"{network_id}.example",),
        channels=[Channel("dm", "DM", 500)],
        checklist=[ChecklistItem("photo", "Photo", "people answer a face they recognise")],
        **declarations,
    )


class Networks:
    """A plugin registering the given adapters."""

    def __init__(self, *adapters: object) -> None:
        self.adapters = adapters

    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        for adapter in self.adapters:
            register(adapter)  # type: ignore[arg-type]


@pytest.fixture
def make_crm(tmp_path: Path) -> Iterator[Callable[..., CRM]]:
    """A CRM over the real store; the installed plugins (Mastodon blocked) plus ``plugins``."""
    opened: list[CRM] = []

    def make(*plugins: object) -> CRM:
        manager = get_plugin_manager(block=["mastodon"], plugins=plugins)
        crm = CRM(open_repository(tmp_path / f"store{len(opened)}"), manager, clock=FrozenClock())
        opened.append(crm)
        return crm

    yield make
    for crm in opened:
        crm.close()


def _export(crm: CRM, fmt: str) -> list[dict[str, str]]:
    out = io.StringIO()
    export_prospects(crm, crm.exporters()[fmt], out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _header(crm: CRM, fmt: str) -> list[str]:
    out = io.StringIO()
    export_prospects(crm, crm.exporters()[fmt], out)
    return next(csv.reader(io.StringIO(out.getvalue())))


def _card(directory: Path, name: str, profile: str) -> Path:
    """A one-card vCard 3.0 file holding one social profile line."""
    path = directory / "card.vcf"
    text = f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\n{profile}\nEND:VCARD\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_five_networks_keep_the_exports_columns(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm()
    assert _header(crm, "csv") == CSV_HEADER
    assert _header(crm, "hubspot") == HUBSPOT_HEADER
    assert _header(crm, "twenty") == TWENTY_HEADER


def test_the_five_networks_keep_their_cells(make_crm: Callable[..., CRM]) -> None:
    crm = make_crm()
    crm.add(
        "Zoé Martin",
        urls=[
            "https://www.linkedin.com/in/zoe-martin",
            "x:zoemartin",
            "https://www.facebook.com/zoe.martin",
            "instagram:zoe.m",
            "youtube:@zoemartin",
        ],
    )
    (row,) = _export(crm, "csv")
    assert [row[n] for n in ("linkedin", "x", "facebook", "instagram", "youtube")] == [
        "https://www.linkedin.com/in/zoe-martin",
        "https://x.com/zoemartin",
        "https://www.facebook.com/zoemartin",
        "https://www.instagram.com/zoe.m",
        "https://www.youtube.com/@zoemartin",
    ]
    assert row["other_profiles"] == ""
    (hubspot,) = _export(crm, "hubspot")
    assert (hubspot["Twitter Username"], hubspot["LinkedIn URL"]) == (
        "zoemartin",
        "https://www.linkedin.com/in/zoe-martin",
    )


def test_a_network_declaring_nothing_gets_columns_named_after_it(
    make_crm: Callable[..., CRM], tmp_path: Path
) -> None:
    crm = make_crm(Networks(net("tiktok", "TikTok")))
    crm.add("Ana Lima", urls=["https://tiktok.example/ana"])
    assert _header(crm, "csv")[15:21] == [
        "linkedin", "x", "facebook", "instagram", "youtube", "tiktok",
    ]  # fmt: skip
    assert _export(crm, "csv")[0]["tiktok"] == "https://tiktok.example/ana"
    assert _export(crm, "hubspot")[0]["TikTok URL"] == "https://tiktok.example/ana"
    assert _export(crm, "twenty")[0]["TikTok / Link URL"] == "https://tiktok.example/ana"
    for fmt, line in (
        ("vcard", "X-SOCIALPROFILE;TYPE=tiktok:https://tiktok.example/ana"),
        ("vcard4", "SOCIALPROFILE;SERVICE-TYPE=TikTok:https://tiktok.example/ana"),
    ):
        path = tmp_path / f"{fmt}.vcf"
        export_prospects(crm, crm.exporters()[fmt], path)
        assert line in path.read_text(encoding="utf-8").splitlines()


def test_declarations_choose_order_header_value_and_vcard_names(
    make_crm: Callable[..., CRM], tmp_path: Path
) -> None:
    first = net(
        "acme",
        "Acme",
        export_order=15,  # between linkedin (10) and x (20)
        export_columns={
            "csv": ExportColumn("acme_profile"),
            "hubspot": ExportColumn("Acme Handle", value="handle", standard=True),
            "twenty": None,
        },
        vcard_type="acme-social",
        vcard_service="Acme Social",
    )
    crm = make_crm(Networks(first))
    crm.add("Ana Lima", urls=["https://acme.example/ana"])
    assert _header(crm, "csv")[15:18] == ["linkedin", "acme_profile", "x"]
    hubspot = _header(crm, "hubspot")
    # standard fields first (acme, x), in column order; then the custom ones (linkedin)
    assert hubspot[8:11] == ["Acme Handle", "Twitter Username", "LinkedIn URL"]
    assert _export(crm, "hubspot")[0]["Acme Handle"] == "ana"
    assert _header(crm, "twenty") == TWENTY_HEADER
    path = tmp_path / "ana.vcf"
    export_prospects(crm, crm.exporters()["vcard4"], path)
    assert "SERVICE-TYPE=Acme Social:https://acme.example/ana" in path.read_text(encoding="utf-8")
    fresh = make_crm(Networks(first))
    import_file(fresh, _card(tmp_path, "Bo Chen", "X-SOCIALPROFILE;TYPE=acme-social:x-apple:bo"))
    assert fresh.resolve("acme:bo").name == "Bo Chen"


def test_an_adapter_without_declarations_gets_the_defaults(make_crm: Callable[..., CRM]) -> None:
    """An adapter written against the protocol alone (no declaration attributes)."""

    class Bare:
        id = "bare"
        name = "Bare"
        domains = ("bare.example",)
        channels: ClassVar[dict[str, Channel]] = {"dm": Channel("dm", "DM", 10)}
        checklist = (ChecklistItem("photo", "Photo", "people answer a face they recognise"),)

        def parse(self, text: str) -> Any:
            from socialcrm.models import Identity

            handle = text.rsplit("/", 1)[-1]
            return Identity("bare", handle, self.profile_url(handle))

        def profile_url(self, handle: str) -> str:
            return f"https://bare.example/{handle}"

    crm = make_crm(Networks(Bare()))
    crm.add("Ana Lima", urls=["bare:ana"])
    assert _export(crm, "csv")[0]["bare"] == "https://bare.example/ana"
    assert _export(crm, "hubspot")[0]["Bare URL"] == "https://bare.example/ana"


def test_a_header_two_networks_claim_goes_to_the_first_in_column_order(
    make_crm: Callable[..., CRM],
) -> None:
    alpha = net("alpha", "Alpha", export_order=60, export_columns={"hubspot": ExportColumn("Fedi")})
    beta = net(
        "beta",
        "Beta",
        export_columns={"hubspot": ExportColumn("FEDI"), "csv": ExportColumn("alpha")},
    )
    crm = make_crm(Networks(beta, alpha))  # registration order does not matter
    crm.add("Ana Lima", urls=["https://alpha.example/ana", "https://beta.example/ana"])
    hubspot = _header(crm, "hubspot")
    assert "Fedi" in hubspot and "FEDI" not in hubspot
    (row,) = _export(crm, "csv")
    assert row["alpha"] == "https://alpha.example/ana"
    assert row["other_profiles"] == "https://beta.example/ana"  # no column: kept there
    assert [str(c) for c in network_clashes([alpha, beta])] == [
        "csv column 'alpha': kept by 'alpha', not given to 'beta'",
        "hubspot column 'FEDI': kept by 'alpha', not given to 'beta'",
        "CSV column 'alpha': kept by 'alpha', not given to 'beta'",
        "CSV column 'FEDI': kept by 'alpha', not given to 'beta'",
    ]


def test_a_network_cannot_take_a_formats_own_column(make_crm: Callable[..., CRM]) -> None:
    nosy = net("nosy", "Nosy", export_columns={"csv": ExportColumn("Emails")})
    crm = make_crm(Networks(nosy))
    assert _header(crm, "csv") == CSV_HEADER
    assert Clash("csv column", "Emails", "socialcrm", "nosy") in network_clashes([nosy])


def test_names_go_to_the_first_network_but_an_id_is_always_its_own(
    make_crm: Callable[..., CRM], tmp_path: Path
) -> None:
    """x (order 20) declares the alias "twitter": a later network claiming it does not get
    it; a network whose *id* is "twitter" does."""
    copycat = net("copycat", "Copycat", aliases=("twitter",))
    crm = make_crm(Networks(copycat))
    installed = list(Hooks(get_plugin_manager(block=["mastodon"])).networks)
    assert Clash("vCard service", "twitter", "x", "copycat") in network_clashes(
        [*installed, copycat]
    )
    card = _card(tmp_path, "Zoé Martin", "X-SOCIALPROFILE;TYPE=twitter:x-apple:zoemartin")
    import_file(crm, card)
    assert crm.resolve("x:zoemartin").name == "Zoé Martin"
    owner = make_crm(Networks(net("twitter", "Old Twitter")))
    import_file(owner, card)
    assert owner.resolve("twitter:zoemartin").name == "Zoé Martin"


@pytest.mark.parametrize(
    ("declarations", "reason"),
    [
        ({"export_order": "1"}, "export_order must be an integer"),
        ({"export_columns": {"csv": "acme"}}, "must be an ExportColumn or None"),
        ({"export_columns": {"csv": ExportColumn("")}}, "non-empty string"),
        ({"export_columns": {"csv": ExportColumn("a\nb")}}, "one line"),
        ({"export_columns": {"csv": ExportColumn("=cmd()")}}, "would read as a formula"),
        ({"export_columns": {"csv": ExportColumn("a", value="email")}}, "'url' or 'handle'"),  # type: ignore[arg-type]
        ({"vcard_type": "a;b"}, "holds one of"),
        ({"aliases": ("ok", " padded")}, "surrounding spaces"),
    ],
)
def test_unusable_declarations_are_refused_at_registration(
    declarations: dict[str, Any], reason: str
) -> None:
    plugin = Networks(net("acme", "Acme", **declarations))
    hooks = Hooks(get_plugin_manager(plugins=[plugin]))
    assert "acme" not in hooks.networks and "linkedin" in hooks.networks
    (failure,) = hooks.failures
    assert failure.hook == "register_networks" and reason in failure.error


def test_an_exporter_not_given_the_networks_has_no_network_column() -> None:
    """Only export_prospects knows the CRM's networks: a bare exporter puts every profile
    in other_profiles."""
    from socialcrm.models import Identity, Prospect

    p = Prospect(
        id="01J0000000000000000000000A",
        name="Ana",
        identities=(Identity("linkedin", "ana-lima", "https://www.linkedin.com/in/ana-lima"),),
    )
    out = io.StringIO()
    CSVExporter().write([(p, [])], out, ExportContext())
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert "linkedin" not in row and row["other_profiles"] == "https://www.linkedin.com/in/ana-lima"
