"""The import engine: matching, idempotence, --update, dry runs, strict mode, one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.io.importing import ImportReport
from socialcrm.models import EventKind
from socialcrm.testing import FrozenClock

from .helpers import FIXTURES, snapshot, store_snapshot

MAP = {
    "Full name": "name",
    "Mail": "email",
    "Firm": "company",
    "Profile": "url",
    "Phone": "phone",
    "Labels": "tags",
}


def _import(crm: CRM, name: str, **kw: object) -> ImportReport:
    return import_file(crm, FIXTURES / name, mapping=MAP, **kw)  # type: ignore[arg-type]


def test_mapped_csv_creates_people_with_normalised_values(store: CRM) -> None:
    report = _import(store, "mapped.csv")
    assert report.counts() == {
        "created": 3,
        "updated": 0,
        "attached": 0,
        "skipped": 1,
        "invalid": 1,
    }
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "created"),
        (3, "created"),
        (4, "skipped"),
        (5, "created"),
        (6, "invalid"),
    ]
    assert report.rows[2].reason == "blank line"
    bad = report.invalid[0]
    assert bad.field == "email" and "not-an-email" in bad.reason
    zoe = store.resolve("zoe.martin@example.com")  # e-mails compared ignoring case
    assert zoe.name == "Zoé Martin"
    assert zoe.company == "Acme SAS"
    assert zoe.phones == ("+33612345678",)
    assert zoe.tags == ("fr", "hot")
    assert [i.key for i in zoe.identities] == ["linkedin:zoe-martin-4b2a1c"]
    assert zoe.source is not None and zoe.source.network == "linkedin"
    jean = store.resolve("jean@example.org")
    assert jean.name == "Dupont, Jean"
    assert (jean.first_name, jean.last_name) == ("Jean", "Dupont")
    assert jean.emails == ("jean@example.org", "j.dupont@example.org")
    kinds = [e.kind for e in store.history(zoe.id)]
    assert kinds == [EventKind.CREATED, EventKind.IMPORTED]
    imported = store.history(zoe.id)[1].payload
    assert (imported.format, imported.file, imported.row, imported.created) == (  # type: ignore[union-attr]
        "csv",
        "mapped.csv",
        2,
        True,
    )


def test_reimporting_the_same_file_changes_nothing(store: CRM, store_path: Path) -> None:
    _import(store, "mapped.csv")
    before = store_snapshot(store_path)
    again = _import(store, "mapped.csv")
    assert again.counts()["created"] == 0
    assert again.events == 0
    assert {r.reason.split(" as ")[0] for r in again.skipped} == {"already known", "blank line"}
    assert store_snapshot(store_path) == before
    with_update = _import(store, "mapped.csv", update=True)
    assert with_update.counts()["updated"] == 0
    assert {r.reason for r in with_update.skipped} == {"unchanged", "blank line"}
    assert store_snapshot(store_path) == before


def test_known_person_is_updated_only_with_update(store: CRM, clock: FrozenClock) -> None:
    store.add("Zoé M.", emails=["Zoe.Martin@example.com"], company="Old Co")
    skipped = _import(store, "mapped.csv")
    row2 = skipped.rows[0]
    assert row2.action == "skipped" and row2.reason.startswith("already known as")
    assert store.resolve("zoe.martin@example.com").company == "Old Co"
    clock.advance(minutes=5)
    updated = _import(store, "mapped.csv", update=True, tags=["batch-2"])
    assert updated.rows[0].action == "updated"
    zoe = store.resolve("zoe.martin@example.com")
    assert zoe.name == "Zoé M."  # a name the rep typed is kept
    assert zoe.company == "Acme SAS"
    assert zoe.tags == ("batch-2", "fr", "hot")
    assert [i.key for i in zoe.identities] == ["linkedin:zoe-martin-4b2a1c"]
    assert len(store.query()) == 3  # Zoé once, plus the two new people
    kinds = [e.kind for e in store.history(zoe.id)]
    assert kinds[-2:] == [EventKind.IMPORTED, EventKind.EDITED]
    changes = store.history(zoe.id)[-1].payload.changes  # type: ignore[union-attr]
    assert changes["company"] == ["Old Co", "Acme SAS"]


def test_dry_run_writes_nothing_and_reports_the_same(store: CRM, store_path: Path) -> None:
    store.init()
    before = store_snapshot(store_path)
    dry = _import(store, "mapped.csv", dry_run=True)
    assert dry.dry_run and not dry.written
    assert store_snapshot(store_path) == before
    real = _import(store, "mapped.csv")
    assert [(r.row, r.action) for r in dry.rows] == [(r.row, r.action) for r in real.rows]
    assert dry.events == real.events == 6


def test_strict_refuses_the_whole_batch(store: CRM, store_path: Path) -> None:
    store.init()
    before = store_snapshot(store_path)
    report = _import(store, "mapped.csv", strict=True)
    assert report.invalid and not report.written
    assert store_snapshot(store_path) == before


def test_same_person_twice_in_one_file_is_created_once(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "Name,Email,Company\nZoé Martin,zoe@example.com,Acme\nZOÉ MARTIN,ZOE@example.com,\n",
        encoding="utf-8",
    )
    report = import_file(store, path)
    assert [(r.row, r.action) for r in report.rows] == [(2, "created"), (3, "skipped")]
    assert report.rows[1].reason == "same person as row 2: details merged into it"
    assert len(store.query()) == 1


def test_row_matching_two_prospects_is_invalid(store: CRM, tmp_path: Path) -> None:
    store.add("A", emails=["a@example.com"])
    store.add("B", urls=["https://www.linkedin.com/in/bee"])
    path = tmp_path / "both.csv"
    path.write_text(
        "Name,Email,LinkedIn\nAB,a@example.com,https://www.linkedin.com/in/bee\n",
        encoding="utf-8",
    )
    report = import_file(store, path, update=True)
    assert report.rows[0].action == "invalid"
    assert "matches several prospects" in report.rows[0].reason


def test_conflicting_identity_on_update_is_invalid(store: CRM, tmp_path: Path) -> None:
    store.add("Zoé", emails=["zoe@example.com"], urls=["https://www.linkedin.com/in/zoe-a"])
    path = tmp_path / "other.csv"
    path.write_text(
        "Name,Email,LinkedIn\nZoé,zoe@example.com,https://www.linkedin.com/in/zoe-b\n",
        encoding="utf-8",
    )
    report = import_file(store, path, update=True)
    assert report.rows[0].action == "invalid"
    assert "already has linkedin identity zoe-a" in report.rows[0].reason


def test_name_only_records_are_recognised_by_name_and_company(store: CRM, tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Name,Company\nKarl Müller,Beispiel\nKarl Müller,Other\n", encoding="utf-8")
    first = import_file(store, path)
    assert first.counts()["created"] == 2  # same name, different companies: two people
    second = import_file(store, path)
    assert second.counts()["created"] == 0
    assert len(store.query()) == 2


def test_progress_is_reported_and_tags_applied(store: CRM) -> None:
    seen: list[int] = []
    report = _import(store, "mapped.csv", tags=["Salon-2025"], progress=seen.append)
    assert seen[-1] == 5  # rows read
    for row in report.created:
        assert "salon-2025" in store.get(row.prospect_id or "").tags


def test_tags_go_to_created_and_updated_prospects_not_to_skipped_ones(store: CRM) -> None:
    created = _import(store, "mapped.csv", tags=["first"]).created
    assert _import(store, "mapped.csv", tags=["skipped"]).skipped
    assert _import(store, "mapped.csv", tags=["updated"], update=True).updated
    assert created
    for row in created:
        tags = store.get(row.prospect_id or "").tags
        assert "first" in tags and "updated" in tags and "skipped" not in tags


def test_unknown_format_and_map_errors(store: CRM) -> None:
    from socialcrm.errors import ImportFormatError, ValidationError

    with pytest.raises(ValidationError, match="unknown import format"):
        import_file(store, FIXTURES / "mapped.csv", "nope")
    with pytest.raises(ValidationError, match="--map applies"):
        import_file(store, FIXTURES / "mapped.csv", "vcard", mapping={"a": "name"})
    with pytest.raises(ImportFormatError, match="no such file"):
        import_file(store, FIXTURES / "missing.csv")


def test_plugins_are_told_after_commit(tmp_path: Path) -> None:
    from socialcrm.hookspecs import hookimpl
    from socialcrm.plugins import get_plugin_manager

    seen: list[str] = []

    class Listener:
        @hookimpl
        def on_event(self, event: object, prospect: object) -> None:
            seen.append(event.kind.value)  # type: ignore[attr-defined]

    crm = CRM(None, get_plugin_manager(plugins=[Listener()]), clock=FrozenClock())
    import_file(crm, FIXTURES / "mapped.csv", mapping=MAP, dry_run=True)
    assert seen == []
    import_file(crm, FIXTURES / "mapped.csv", mapping=MAP)
    assert seen.count("created") == 3 and seen.count("imported") == 3
    assert snapshot(crm)  # the store holds what was announced


@pytest.mark.parametrize("strict", [False, True])
def test_a_failed_import_into_a_new_store_writes_nothing(
    store: CRM, store_path: Path, tmp_path: Path, strict: bool
) -> None:
    """Not even the default pipeline: the store stays new (no manifest)."""
    from socialcrm.errors import ImportFormatError

    bad = tmp_path / "bad.vcf"
    bad.write_text("BEGIN:VCARD\nVERSION:3.0\nFN:Zoé\nEND:VCAR\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="invalid vCard"):
        import_file(store, bad, strict=strict)
    assert not (store_path / "store.json").exists()
    assert store.repository.list_pipelines() == []


def test_an_icp_scores_each_prospect_once_unless_a_later_row_changed_it(
    store: CRM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan scores each row's prospect; the end scores only those changed since
    (here Ann, whose second row brings her title): not every prospect twice."""
    from socialcrm.playbook import icp as icp_module
    from socialcrm.playbook.icp import ICP, set_icp

    set_icp(
        store,
        ICP.from_toml(
            'threshold = 30\n[[criteria]]\nfield = "title"\nweight = 30\nvalues = ["cto"]\n'
        ),
    )
    scored: list[str] = []
    real_score = icp_module.score

    def counting(p: Any, icp: Any, hooks: Any) -> Any:
        scored.append(p.name)
        return real_score(p, icp, hooks)

    monkeypatch.setattr(icp_module, "score", counting)
    path = tmp_path / "people.csv"
    path.write_text(
        "Full name,Mail,Title\nAnn Lee,ann@example.org,\nBob Roy,bob@example.org,CTO\n"
        "Ann Lee,ann@example.org,CTO\n",
        encoding="utf-8",
    )
    report = import_file(
        store, path, mapping={"Full name": "name", "Mail": "email", "Title": "title"}
    )
    assert [(r.row, r.action) for r in report.rows] == [
        (2, "created"),
        (3, "created"),
        (4, "skipped"),
    ]
    assert sorted(scored) == ["Ann Lee", "Ann Lee", "Bob Roy"]
    people = {p.name: p for p in store.query()}
    assert people["Ann Lee"].title == "CTO"
    assert {n: p.assessment and p.assessment.score for n, p in people.items()} == {
        "Ann Lee": 30,
        "Bob Roy": 30,
    }
