"""Mastodon in exports and address books, with nothing written in socialcrm's core.

socialcrm's exporters, vCard reader/writer and CSV reader name no network: the
installed adapters say how their network appears in files.  This plugin only
declares ``aliases=("fediverse",)``; its columns and vCard service names are
the defaults socialcrm derives from its id and name.  Every test here goes
through the installed distribution (the ``crm`` fixture's plugin manager
finds it by its entry point).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialcrm import CRM
from socialcrm.io import import_file
from socialcrm.io.exports import export_prospects
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

ANA_URL = "https://mastodon.social/@ana"


@pytest.fixture
def ana(crm: CRM) -> CRM:
    crm.add(
        "Ana Lima",
        urls=[ANA_URL, "https://www.linkedin.com/in/ana-lima"],
        emails=["ana@example.org"],
        title="Founder",
    )
    return crm


def _export(crm: CRM, fmt: str) -> list[list[str]]:
    out = io.StringIO()
    assert export_prospects(crm, crm.exporters()[fmt], out) == 1
    return list(csv.reader(io.StringIO(out.getvalue())))


def _fresh() -> CRM:
    return CRM(None, get_plugin_manager(), clock=FrozenClock())


def test_the_plugin_is_the_installed_distribution(crm: CRM) -> None:
    adapter = crm.networks.get("mastodon")
    assert type(adapter).__module__ == "socialcrm_mastodon.adapter"
    assert adapter.aliases == ("fediverse",)  # its only export declaration


def test_csv_export_has_a_mastodon_column_after_the_builtin_networks(ana: CRM) -> None:
    header, row = _export(ana, "csv")
    networks = header[header.index("phones") + 1 : header.index("other_profiles")]
    assert networks == ["linkedin", "x", "facebook", "instagram", "youtube", "mastodon"]
    values = dict(zip(header, row, strict=True))
    assert values["mastodon"] == ANA_URL
    assert values["linkedin"] == "https://www.linkedin.com/in/ana-lima"
    assert values["other_profiles"] == ""  # it has its own column now


def test_hubspot_export_has_a_mastodon_url_column(ana: CRM) -> None:
    header, row = _export(ana, "hubspot")
    assert header[header.index("Lifecycle Stage") + 1 :] == [
        "Twitter Username",
        "LinkedIn URL",
        "Mastodon URL",
        "Company Domain Name",
        "socialcrm Stage",
    ]
    assert dict(zip(header, row, strict=True))["Mastodon URL"] == ANA_URL


def test_twenty_export_has_a_mastodon_links_column(ana: CRM) -> None:
    header, row = _export(ana, "twenty")
    assert header[header.index("Phones / Primary Phone Calling Code") + 1 :] == [
        "Linkedin / Link URL",
        "X / Link URL",
        "Mastodon / Link URL",
        "Job Title",
        "City",
        "Company Name",
        "companyDomain",
    ]
    assert dict(zip(header, row, strict=True))["Mastodon / Link URL"] == ANA_URL


@pytest.mark.parametrize(
    ("fmt", "line"),
    [
        ("vcard", f"X-SOCIALPROFILE;TYPE=mastodon:{ANA_URL}"),
        ("vcard4", f"SOCIALPROFILE;SERVICE-TYPE=Mastodon:{ANA_URL}"),
    ],
)
def test_vcard_round_trip_keeps_the_mastodon_identity(
    ana: CRM, tmp_path: Path, fmt: str, line: str
) -> None:
    path = tmp_path / f"ana.{fmt}.vcf"
    export_prospects(ana, ana.exporters()[fmt], path)
    assert line in path.read_text(encoding="utf-8").splitlines()
    fresh = _fresh()
    assert import_file(fresh, path).counts()["created"] == 1
    (back,) = fresh.query()
    assert sorted(i.key for i in back.identities) == [
        "linkedin:ana-lima",
        "mastodon:ana@mastodon.social",
    ]
    assert back.identity("mastodon") == ana.query()[0].identity("mastodon")


def test_vcard_handles_are_read_by_the_networks_names(tmp_path: Path) -> None:
    """A handle without URL needs its service named: id, name or the plugin's alias."""
    path = tmp_path / "fediverse.vcf"
    path.write_text(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ana Lima\r\n"
        "SOCIALPROFILE;SERVICE-TYPE=Fediverse;VALUE=text:@ana@mastodon.social\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo Chen\r\n"
        "X-SOCIALPROFILE;TYPE=Mastodon;x-user=bo_chen@fosstodon.org:x-apple:bo_chen\r\n"
        "END:VCARD\r\n",
        encoding="utf-8",
    )
    fresh = _fresh()
    assert import_file(fresh, path).counts()["created"] == 2
    assert fresh.resolve("mastodon:ana@mastodon.social").name == "Ana Lima"
    assert fresh.resolve("mastodon:bo_chen@fosstodon.org").name == "Bo Chen"


@pytest.mark.parametrize("fmt", ["csv", "hubspot"])
def test_flat_exports_import_back_with_the_mastodon_identity(
    ana: CRM, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"ana.{fmt}.csv"
    export_prospects(ana, ana.exporters()[fmt], path)
    fresh = _fresh()
    assert import_file(fresh, path, "csv").counts()["created"] == 1
    (back,) = fresh.query()
    assert back.identity("mastodon") == ana.query()[0].identity("mastodon")


def test_a_fediverse_column_of_handles_is_read_as_mastodon(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "Name,Fediverse\nAna Lima,@ana@mastodon.social\nBo Chen,https://fosstodon.org/@bo_chen\n",
        encoding="utf-8",
    )
    fresh = _fresh()
    report = import_file(fresh, path)
    assert (report.format, report.counts()["created"]) == ("csv", 2)
    assert fresh.resolve("mastodon:ana@mastodon.social").name == "Ana Lima"
    assert fresh.resolve("mastodon:bo_chen@fosstodon.org").name == "Bo Chen"


def test_the_console_script_exports_the_mastodon_column(tmp_path: Path) -> None:
    """End to end: the installed ``socialcrm`` script, a real store, the plugin found by its
    entry point."""
    script = Path(sys.executable).with_name("socialcrm")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    env["SOCIALCRM_DB"] = str(tmp_path / "store")

    def run(*args: str) -> str:
        done = subprocess.run(
            [str(script), *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("add", "Ana Lima", "--url", "mastodon:@ana@mastodon.social")
    (row,) = csv.DictReader(io.StringIO(run("export", "--format", "csv")))
    assert row["mastodon"] == ANA_URL
    (row,) = csv.DictReader(io.StringIO(run("export", "--format", "hubspot")))
    assert row["Mastodon URL"] == ANA_URL
