"""The access export: everything about one person, across pipelines, and nobody else."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from socialcrm import CRM
from socialcrm.privacy.access import access_document, person_records, write_access_export
from socialcrm.privacy.notice import record_notice
from socialcrm.privacy.settings import configure
from socialcrm.storage import open_repository
from socialcrm.storage.backups import backup
from socialcrm.testing import FrozenClock

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "docs" / "schema"


def _validator() -> Draft202012Validator:
    schemas = {
        name: json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text("utf-8"))
        for name in ("prospect", "event", "access-export")
    }
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    Draft202012Validator.check_schema(schemas["access-export"])
    return Draft202012Validator(schemas["access-export"], registry=registry)


def _assert_valid(document: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


OTHER = {
    "name": "Bruno Autre",
    "email": "bruno.autre@rival.example",
    "handle": "brunoautre",
    "note": "Bruno collects vintage synthesizers",
    "message": "Bruno's private reply about his budget",
}


def _journey(crm: CRM, clock: FrozenClock) -> str:
    configure(crm, {"controller": "Acme SAS", "contact": "dpo@acme.example"})
    jane = crm.add(
        "Jane Doe",
        urls=["https://testnet.example/u/janedoe"],
        emails=["jane@acme.example"],
        source="met at the Lyon fair",
        lawful_basis="consent",
    )
    other = crm.add(
        OTHER["name"],
        urls=[f"https://testnet.example/u/{OTHER['handle']}"],
        emails=[OTHER["email"]],
        note=OTHER["note"],
    )
    clock.advance(days=1)
    crm.log_message(jane.id, "Hello Jane", channel="dm")
    crm.log_message(other.id, OTHER["message"], received=True)
    crm.add_note(jane.id, "Prefers e-mail")
    record_notice(crm, jane.id, channel="email")
    # the same person in another pipeline, found by her e-mail
    crm.create_pipeline("events")
    second = CRM(crm.repository, crm.plugin_manager, clock=clock, pipeline="events")
    second.add("J. Doe", emails=["JANE@acme.example"])
    second.add(OTHER["name"], emails=[OTHER["email"]])
    return jane.id


def test_export_holds_every_record_and_validates(crm: CRM, clock: FrozenClock) -> None:
    jane_id = _journey(crm, clock)
    document = access_document(crm, "jane@acme.example")
    _assert_valid(document)
    assert [r["pipeline"] for r in document["records"]] == ["default", "events"]
    first = document["records"][0]
    assert first["prospect"]["id"] == jane_id
    assert first["lawful_basis"]["value"] == "consent"
    assert first["source"]["note"] == "met at the Lyon fair"
    assert first["notice"]["given"] and first["notice"]["channel"] == "email"
    assert first["retention"]["expires_at"].startswith("2029-03-02")
    assert [m["text"] for m in first["messages"]] == ["Hello Jane"]
    assert [n["text"] for n in first["notes"]] == ["Prefers e-mail"]
    assert document["suppression"]["suppressed"] is False
    assert document["backups"]["applicable"] is False


def test_export_holds_no_other_persons_data(crm: CRM, clock: FrozenClock) -> None:
    _journey(crm, clock)
    text = json.dumps(access_document(crm, "Jane Doe"), ensure_ascii=False)
    for value in OTHER.values():
        assert value not in text
    assert {p.name for p in person_records(crm, "Jane Doe")} == {"Jane Doe", "J. Doe"}


def test_written_files_are_private_and_list_backups(tmp_path: Path, clock: FrozenClock) -> None:
    store = tmp_path / "store"
    from socialcrm.plugins import get_plugin_manager

    from .conftest import _Net

    pm = get_plugin_manager(entrypoints=False, plugins=[_Net()])
    crm = CRM(open_repository(store), pm, clock=clock)
    _journey(crm, clock)
    crm.close()
    kept = backup(store)
    crm = CRM(open_repository(store), pm, clock=clock)
    crm.add("Late Comer", emails=["late@example.fr"])
    out = tmp_path / "jane.json"
    document, json_path, html_path = write_access_export(crm, "jane@acme.example", out)
    crm.close()
    assert html_path == tmp_path / "jane.html"
    for path in (json_path, html_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        body = path.read_text("utf-8")
        for value in OTHER.values():
            assert value not in body and value.replace("'", "&#x27;") not in body
    _assert_valid(json.loads(json_path.read_text("utf-8")))
    assert [h["file"] for h in document["backups"]["holding"]] == [kept.name]
    assert document["backups"]["scanned"] == 1
    late = access_document(crm_reopen(store, pm, clock), "late@example.fr")
    assert late["backups"]["holding"] == []  # added after the backup


def crm_reopen(store: Path, pm: Any, clock: FrozenClock) -> CRM:
    return CRM(open_repository(store), pm, clock=clock)


def test_html_escapes_everything(crm: CRM, clock: FrozenClock) -> None:
    from socialcrm.privacy.access import render_html

    p = crm.add("<script>alert(1)</script>", emails=["x@example.fr"])
    crm.add_note(p.id, '<b>bold</b> & "quoted"')
    page = render_html(access_document(crm, p.id))
    assert "<script>" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("ref", ["nobody@example.fr"])
def test_unknown_person_is_not_found(crm: CRM, ref: str) -> None:
    from socialcrm.errors import NotFoundError

    with pytest.raises(NotFoundError):
        access_document(crm, ref)
