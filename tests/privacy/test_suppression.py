"""Done-when: a suppressed person does not come back — by import, add, merge or restore."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcrm import CRM
from socialcrm.errors import SuppressedError, ValidationError
from socialcrm.privacy.erasure import erase
from socialcrm.privacy.identifiers import of_inputs
from socialcrm.privacy.suppression import SUPPRESSED, Suppression, suppress, unsuppress
from socialcrm.storage import open_repository

from .conftest import cli
from .test_erasure_reaches_every_byte import CONNECTIONS, EMAIL, HANDLE, NAME, URL

EXIT_SUPPRESSED = 8


def _ok(result: object) -> None:
    assert result.returncode == 0, result.stderr


def test_reimport_add_and_restore_leave_them_out(env: dict[str, str], tmp_path: Path) -> None:
    store = Path(env["SOCIALCRM_DB"])
    connections = tmp_path / "Connections.csv"
    connections.write_text(CONNECTIONS, encoding="utf-8")
    _ok(cli(env, "import", str(connections)))
    _ok(cli(env, "backup"))
    _ok(cli(env, "rm", EMAIL, "--yes"))

    again = cli(env, "import", str(connections))
    _ok(again)
    assert "0 created" in again.stdout and "(1 suppressed)" in again.stdout
    assert NAME not in again.stdout and "Quarrington" not in again.stdout
    report = json.loads(cli(env, "--format", "json", "import", str(connections)).stdout)
    assert report["suppressed"] == 1 and report["counts"]["created"] == 0
    assert all(r["name"] is None for r in report["rows"] if r["reason"] == "suppressed")

    for args in (["--email", EMAIL.upper()], ["--url", URL + "/"], ["--url", f"linkedin:{HANDLE}"]):
        refused = cli(env, "add", "Someone Else", *args)
        assert refused.returncode == EXIT_SUPPRESSED, refused.stderr
        assert "suppression list" in refused.stderr and NAME not in refused.stderr

    _ok(cli(env, "restore", "--yes"))  # the backup from before the erasure
    names = [p["name"] for p in json.loads(cli(env, "list", "--format", "json").stdout)]
    assert names == ["Bob Keeper"]
    assert list((store / "privacy").glob("*"))  # the list survived the restore


def test_suppress_before_ever_stored_and_unsuppress(tmp_path: Path) -> None:
    crm = CRM(open_repository(tmp_path / "s"))
    typed = of_inputs(crm.networks, emails=["Jane@Acme.example"], urls=[URL])
    assert suppress(crm, typed) == 3  # the e-mail; the handle and URL of the profile
    assert suppress(crm, typed) == 0
    with pytest.raises(SuppressedError):
        crm.add("Jane", emails=["jane@acme.example"])
    with pytest.raises(SuppressedError):
        crm.add("Other", urls=[f"linkedin:{HANDLE}"])
    assert unsuppress(crm, of_inputs(crm.networks, emails=["jane@acme.example"])) == 1
    crm.add("Jane", emails=["jane@acme.example"])  # she came back herself
    with pytest.raises(ValidationError, match="stored prospect holds"):
        suppress(crm, of_inputs(crm.networks, emails=["jane@acme.example"]))


def test_only_keyed_digests_are_kept(tmp_path: Path) -> None:
    crm = CRM(open_repository(tmp_path / "s"))
    crm.add(NAME, emails=[EMAIL], urls=[URL])
    erase(crm, EMAIL, reason="objection")
    privacy = tmp_path / "s" / "privacy"
    assert sorted(p.name for p in privacy.iterdir()) == [
        "audit.json",
        "journal.json",
        "key",
        "suppressed.json",
    ]
    for path in privacy.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600
        text = path.read_text("utf-8")
        for value in (EMAIL, HANDLE, "Quarrington", "Zoéline"):
            assert value not in text
    records = json.loads((privacy / f"{SUPPRESSED}.json").read_text())
    assert {r["reason"] for r in records} == {"objection"}
    assert all(len(r["digest"]) == 64 for r in records)
    # the digest is keyed: another store's key gives other digests
    other = CRM(open_repository(tmp_path / "t"))
    suppress(other, of_inputs(other.networks, emails=[EMAIL]))
    mine = {r["digest"] for r in records}
    theirs = {r["digest"] for r in json.loads((tmp_path / "t/privacy/suppressed.json").read_text())}
    assert mine.isdisjoint(theirs)
    assert len(Suppression(crm.repository)) == 3


def test_merge_refuses_a_suppressed_identifier(tmp_path: Path) -> None:
    from socialcrm.dedupe import merge

    crm = CRM(open_repository(tmp_path / "s"))
    a = crm.add("Ann One", emails=["ann@one.example"])
    b = crm.add("Ann Two", emails=["ann@two.example"])
    # suppressed after being stored by a tool outside the CLI's refusal
    supp = Suppression(crm.repository)
    with crm.repository.transaction():
        supp.add(
            of_inputs(crm.networks, emails=["ann@two.example"]), reason="objection", at=crm.now()
        )
    with pytest.raises(SuppressedError):
        merge(crm, a.id, b.id)
    assert crm.repository.get(b.id) is not None  # nothing was changed


def test_a_json_backup_import_skips_the_suppressed(tmp_path: Path) -> None:
    from socialcrm.io import import_file
    from socialcrm.io.exports import export_prospects

    crm = CRM(open_repository(tmp_path / "s"))
    crm.add(NAME, emails=[EMAIL], urls=[URL], note="met")
    crm.add("Bob Keeper", emails=["bob@keeper.example"])
    out = tmp_path / "everything.json"
    export_prospects(crm, crm.exporters()["json"], out)
    erase(crm, EMAIL)
    other = CRM(open_repository(tmp_path / "s"))  # the same store, a fresh CRM
    report = import_file(other, out)
    assert (report.suppressed, report.counts()["created"]) == (1, 0)  # Bob is known
    assert [p.name for p in other.query()] == ["Bob Keeper"]
