"""The Repository contract: one test-suite every storage backend must pass.

Use it by subclassing :class:`RepositoryContract` in your own tests and
providing a ``repository`` fixture that yields a fresh, empty backend::

    from socialcrm.testing.contract import RepositoryContract

    class TestMyStore(RepositoryContract):
        @pytest.fixture
        def repository(self, tmp_path):
            store = MyStore(tmp_path / "db")
            yield store
            store.close()

A backend that can be reopened (files, databases) may also define
``reopen(self, repository)`` returning a new instance over the same data; the
durability tests then check that everything survives a close and reopen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from attrs import evolve

from socialcrm.errors import DuplicateIdentityError
from socialcrm.models import (
    Created,
    Event,
    Identity,
    MessageReceived,
    Note,
    Pipeline,
    PointOfInterest,
    Prospect,
    Source,
    StageChanged,
)
from socialcrm.repository import Query, Repository, put_all
from socialcrm.stages import Stage, Status

__all__ = ["RepositoryContract", "make_event", "make_prospect"]

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def make_prospect(pid: str, name: str = "Zoé Durand", **fields: Any) -> Prospect:
    """A prospect with sensible defaults for contract tests."""
    fields.setdefault("created_at", T0)
    fields.setdefault("updated_at", T0)
    return Prospect(id=pid, name=name, **fields)


def make_event(eid: str, pid: str, payload: Any = None, **fields: Any) -> Event:
    fields.setdefault("at", T0)
    return Event(id=eid, prospect_id=pid, payload=payload or Note("hello"), **fields)


def li(handle: str) -> Identity:
    return Identity("linkedin", handle, f"https://www.linkedin.com/in/{handle}")


class RepositoryContract:
    """Behaviour shared by every :class:`~socialcrm.repository.Repository`."""

    @pytest.fixture
    def repository(self) -> Iterator[Repository]:  # pragma: no cover - overridden
        raise NotImplementedError("provide a 'repository' fixture")

    def reopen(self, repository: Repository) -> Repository | None:
        """Return a new instance over the same data, or ``None`` if not durable."""
        return None

    # -- prospects ---------------------------------------------------------------
    def test_satisfies_protocol(self, repository: Repository) -> None:
        assert isinstance(repository, Repository)

    def test_get_missing_is_none(self, repository: Repository) -> None:
        assert repository.get("01NOPE") is None

    def test_put_get_roundtrip_keeps_every_field(self, repository: Repository) -> None:
        p = make_prospect(
            "01AAA",
            "Иван Петров",
            first_name="Иван",
            last_name="Петров",
            title="CTO",
            company="Société Générale d'Édition",
            sector="publishing",
            company_size=42,
            location="Lyon",
            emails=["ivan@example.org"],
            phones=["+33612345678"],
            identities=[li("ivan-petrov")],
            tags=["vip", "lyon"],
            notes="met at a fair",
            custom={"budget": "10k"},
            stage=Stage.CONTACT,
            point_of_interest=PointOfInterest("post about 王小明", "https://x.example", T0),
            owner="rep1",
            source=Source("linkedin", "https://www.linkedin.com/in/ivan-petrov", T0, "import"),
        )
        repository.put(p)
        assert repository.get("01AAA") == p

    def test_put_replaces(self, repository: Repository) -> None:
        p = make_prospect("01AAA")
        repository.put(p)
        repository.put(evolve(p, company="ACME"))
        got = repository.get("01AAA")
        assert got is not None and got.company == "ACME"
        assert repository.count("default") == 1

    def test_put_all_writes_in_order_like_put(self, repository: Repository) -> None:
        """A batch (``put_many`` when the backend has it) ends as one ``put`` per prospect."""
        p = make_prospect("01AAA", identities=[li("zoe")], emails=["zoe@example.fr"])
        repository.put(p)
        moved = evolve(p, stage=Stage.CONTACT, identities=[li("zoe-d")], emails=["z@ex.fr"])
        new = make_prospect("01BBB", "Bob", identities=[li("zoe")], emails=["Z@EX.fr"])
        put_all(repository, [moved, new, evolve(new, company="ACME")])
        assert repository.get("01AAA") == moved
        assert repository.get("01BBB") == evolve(new, company="ACME")
        found = repository.find_by_identity("default", "linkedin:zoe")
        assert found is not None and found.id == "01BBB"
        assert sorted(x.id for x in repository.find_by_email("default", "z@ex.fr")) == [
            "01AAA",
            "01BBB",
        ]
        assert repository.find_by_email("default", "zoe@example.fr") == []

    def test_put_all_with_a_duplicate_identity_writes_none(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA", identities=[li("zoe")]))
        batch = [make_prospect("01BBB", "Bob"), make_prospect("01CCC", identities=[li("zoe")])]
        with pytest.raises(DuplicateIdentityError) as info:
            put_all(repository, batch)
        assert info.value.owner_id == "01AAA"
        assert repository.get("01BBB") is None and repository.count("default") == 1

    def test_delete_removes_prospect_and_events(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        repository.append_event(make_event("E1", "01AAA"))
        repository.delete("01AAA")
        assert repository.get("01AAA") is None
        assert repository.events("01AAA") == []

    def test_delete_missing_is_noop(self, repository: Repository) -> None:
        repository.delete("01NOPE")

    def test_identity_unique_within_pipeline(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA", identities=[li("zoe")]))
        with pytest.raises(DuplicateIdentityError) as info:
            repository.put(make_prospect("01BBB", "Other", identities=[li("zoe")]))
        assert info.value.owner_id == "01AAA"
        assert repository.get("01BBB") is None

    def test_same_identity_allowed_in_other_pipeline(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA", identities=[li("zoe")]))
        repository.put(make_prospect("01BBB", pipeline="other", identities=[li("zoe")]))
        assert repository.find_by_identity("other", "linkedin:zoe") is not None

    def test_identity_freed_when_removed(self, repository: Repository) -> None:
        p = make_prospect("01AAA", identities=[li("zoe")])
        repository.put(p)
        repository.put(evolve(p, identities=()))
        repository.put(make_prospect("01BBB", identities=[li("zoe")]))
        found = repository.find_by_identity("default", "linkedin:zoe")
        assert found is not None and found.id == "01BBB"

    def test_find_by_identity(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA", identities=[li("zoe")]))
        found = repository.find_by_identity("default", "linkedin:zoe")
        assert found is not None and found.id == "01AAA"
        assert repository.find_by_identity("default", "linkedin:nobody") is None

    def test_find_by_email_ignores_case(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA", emails=["Zoe.Durand@Example.fr"]))
        assert [p.id for p in repository.find_by_email("default", "zoe.durand@example.FR")] == [
            "01AAA"
        ]
        assert repository.find_by_email("other", "zoe.durand@example.fr") == []

    def test_find_by_id_prefix(self, repository: Repository) -> None:
        for pid in ("01AAA1", "01AAA2", "01BBB1"):
            repository.put(make_prospect(pid))
        assert [p.id for p in repository.find_by_id_prefix("default", "01AAA")] == [
            "01AAA1",
            "01AAA2",
        ]
        assert [p.id for p in repository.find_by_id_prefix("default", "01BBB1")] == ["01BBB1"]
        assert repository.find_by_id_prefix("default", "01C") == []

    # -- queries -----------------------------------------------------------------
    def _populate(self, repository: Repository) -> None:
        rows = [
            ("01A", "Alice Martin", Stage.CONTACT, Status.OPEN, ["vip"], "ACME", "rep1"),
            ("01B", "Bruno Petit", Stage.PROFILE, Status.OPEN, [], "Globex", "rep2"),
            ("01C", "Chloé Roux", Stage.CONTACT, Status.LOST, ["vip"], "Initech", "rep1"),
            ("01D", "Dmitri Orlov", Stage.CONVERT, Status.WON, ["lyon"], "ACME", None),
        ]
        for i, (pid, name, stage, status, tags, company, owner) in enumerate(rows):
            repository.put(
                make_prospect(
                    pid,
                    name,
                    stage=stage,
                    status=status,
                    tags=tags,
                    company=company,
                    owner=owner,
                    identities=[li(name.split()[0].lower())] if i % 2 == 0 else [],
                    created_at=T0 + timedelta(days=i),
                    updated_at=T0 + timedelta(days=i),
                )
            )
        repository.put(make_prospect("01Z", "Zed Other", pipeline="other"))

    def test_query_filters(self, repository: Repository) -> None:
        self._populate(repository)

        def ids(**kw: Any) -> list[str]:
            return [p.id for p in repository.query(Query(**kw))]

        assert ids() == ["01A", "01B", "01C", "01D"]
        assert ids(pipeline="other") == ["01Z"]
        assert ids(stage=Stage.CONTACT) == ["01A", "01C"]
        assert ids(status=Status.OPEN) == ["01A", "01B"]
        assert ids(tag="VIP") == ["01A", "01C"]
        assert ids(network="linkedin") == ["01A", "01C"]
        assert ids(text="acme") == ["01A", "01D"]
        assert ids(text="chloé") == ["01C"]
        assert ids(owner="rep1") == ["01A", "01C"]
        assert ids(owner="rep2", unowned=True) == ["01B", "01D"]
        assert ids(owner="rep1", status=Status.OPEN, unowned=True) == ["01A"]
        assert ids(owner="nobody") == []
        assert ids(stage=Stage.CONTACT, status=Status.OPEN) == ["01A"]

    def test_query_sort_and_limit(self, repository: Repository) -> None:
        self._populate(repository)
        names = [p.name for p in repository.query(Query(sort="-name"))]
        assert names == sorted(names, key=str.casefold, reverse=True)
        assert [p.id for p in repository.query(Query(sort="-created_at", limit=2))] == [
            "01D",
            "01C",
        ]
        stages = [p.stage for p in repository.query(Query(sort="stage"))]
        assert stages == sorted(stages)
        assert repository.query(Query(limit=0)) == []

    def test_count(self, repository: Repository) -> None:
        self._populate(repository)
        assert repository.count("default") == 4
        assert repository.count("other") == 1
        assert repository.count("none") == 0

    # -- events ------------------------------------------------------------------
    def test_events_ordered_oldest_first(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        later = make_event("E2", "01AAA", MessageReceived("yes"), at=T0 + timedelta(hours=1))
        first = make_event("E1", "01AAA", Created(), at=T0)
        repository.append_event(later)
        repository.append_event(first)
        repository.append_event(
            make_event(
                "E3", "01AAA", StageChanged(Stage.PROFILE, Stage.IDENTIFY), at=T0 + timedelta(2)
            )
        )
        assert [e.id for e in repository.events("01AAA")] == ["E1", "E2", "E3"]
        assert repository.events("01AAA")[1] == later

    def test_events_same_time_ordered_by_id(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        for eid in ("E3", "E1", "E2"):
            repository.append_event(make_event(eid, "01AAA"))
        assert [e.id for e in repository.events("01AAA")] == ["E1", "E2", "E3"]

    def test_events_are_per_prospect(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        repository.put(make_prospect("01BBB", "Other"))
        repository.append_event(make_event("E1", "01AAA"))
        repository.append_event(make_event("E2", "01BBB"))
        assert [e.id for e in repository.events("01BBB")] == ["E2"]

    def test_events_for_gives_each_prospect_once_with_its_events(
        self, repository: Repository
    ) -> None:
        for pid in ("01AAA", "01BBB", "01CCC"):
            repository.put(make_prospect(pid, f"Name {pid}"))
        repository.append_event(make_event("E2", "01AAA", at=T0 + timedelta(1)))
        repository.append_event(make_event("E1", "01AAA"))
        repository.append_event(make_event("E3", "01BBB"))
        pairs = list(repository.events_for(["01BBB", "01AAA", "01AAA", "01CCC", "01ZZZ"]))
        assert sorted(pid for pid, _events in pairs) == ["01AAA", "01BBB", "01CCC", "01ZZZ"]
        got = dict(pairs)
        for pid in got:
            assert got[pid] == repository.events(pid)
        assert [e.id for e in got["01AAA"]] == ["E1", "E2"]
        assert got["01CCC"] == [] and got["01ZZZ"] == []
        assert list(repository.events_for([])) == []

    def test_events_for_inside_transaction_sees_own_writes(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        with repository.transaction():
            repository.append_event(make_event("E1", "01AAA"))
            assert [e.id for _pid, events in repository.events_for(["01AAA"]) for e in events] == [
                "E1"
            ]

    def test_move_events(self, repository: Repository) -> None:
        repository.put(make_prospect("01AAA"))
        repository.put(make_prospect("01BBB", "Other"))
        repository.append_event(make_event("E1", "01AAA"))
        repository.append_event(make_event("E2", "01BBB", at=T0 + timedelta(1)))
        repository.move_events("01BBB", "01AAA")
        assert [(e.id, e.prospect_id) for e in repository.events("01AAA")] == [
            ("E1", "01AAA"),
            ("E2", "01AAA"),
        ]
        assert repository.events("01BBB") == []

    # -- pipelines and settings --------------------------------------------------
    def test_pipelines(self, repository: Repository) -> None:
        assert repository.list_pipelines() == []
        b = Pipeline("beta", T0, "second offer", {"limits": {"contact": 14}})
        a = Pipeline("alpha", T0)
        repository.put_pipeline(b)
        repository.put_pipeline(a)
        assert [p.name for p in repository.list_pipelines()] == ["alpha", "beta"]
        assert repository.get_pipeline("beta") == b
        assert repository.get_pipeline("nope") is None

    def test_rename_pipeline_repoints_prospects_and_events(self, repository: Repository) -> None:
        repository.put_pipeline(Pipeline("old", T0))
        repository.put(make_prospect("01AAA", pipeline="old", identities=[li("zoe")]))
        repository.append_event(make_event("E1", "01AAA", pipeline="old"))
        repository.rename_pipeline("old", "new")
        assert repository.get_pipeline("old") is None
        assert repository.get_pipeline("new") is not None
        got = repository.get("01AAA")
        assert got is not None and got.pipeline == "new"
        assert repository.find_by_identity("new", "linkedin:zoe") is not None
        assert [e.pipeline for e in repository.events("01AAA")] == ["new"]

    def test_delete_pipeline_deletes_its_prospects(self, repository: Repository) -> None:
        repository.put_pipeline(Pipeline("gone", T0))
        repository.put_pipeline(Pipeline("kept", T0))
        repository.put(make_prospect("01AAA", pipeline="gone"))
        repository.append_event(make_event("E1", "01AAA", pipeline="gone"))
        repository.put(make_prospect("01BBB", pipeline="kept"))
        repository.delete_pipeline("gone")
        assert repository.get("01AAA") is None
        assert repository.events("01AAA") == []
        assert repository.get("01BBB") is not None
        assert [p.name for p in repository.list_pipelines()] == ["kept"]

    def test_meta(self, repository: Repository) -> None:
        assert repository.get_meta("current_pipeline") is None
        repository.set_meta("current_pipeline", "beta")
        repository.set_meta("limits", {"linkedin.connection_note": 200})
        assert repository.get_meta("current_pipeline") == "beta"
        assert repository.get_meta("limits") == {"linkedin.connection_note": 200}
        repository.set_meta("current_pipeline", None)
        assert repository.get_meta("current_pipeline") is None

    # -- transactions --------------------------------------------------------------
    def test_transaction_commits(self, repository: Repository) -> None:
        with repository.transaction():
            repository.put(make_prospect("01AAA"))
            repository.append_event(make_event("E1", "01AAA"))
        assert repository.get("01AAA") is not None
        assert len(repository.events("01AAA")) == 1

    def test_transaction_rolls_back_everything(self, repository: Repository) -> None:
        repository.put(make_prospect("01KEEP"))
        with pytest.raises(RuntimeError), repository.transaction():
            repository.put(make_prospect("01AAA"))
            repository.append_event(make_event("E1", "01AAA"))
            repository.put(evolve(make_prospect("01KEEP"), company="changed"))
            repository.put_pipeline(Pipeline("p", T0))
            repository.set_meta("k", "v")
            raise RuntimeError("boom")
        assert repository.get("01AAA") is None
        assert repository.events("01AAA") == []
        kept = repository.get("01KEEP")
        assert kept is not None and kept.company is None
        assert repository.get_pipeline("p") is None
        assert repository.get_meta("k") is None

    def test_nested_transaction_rolls_back_with_outer(self, repository: Repository) -> None:
        with pytest.raises(RuntimeError), repository.transaction():
            with repository.transaction():
                repository.put(make_prospect("01AAA"))
            raise RuntimeError("boom")
        assert repository.get("01AAA") is None

    def test_reads_inside_transaction_see_own_writes(self, repository: Repository) -> None:
        with repository.transaction():
            repository.put(make_prospect("01AAA", identities=[li("zoe")]))
            assert repository.get("01AAA") is not None
            assert repository.find_by_identity("default", "linkedin:zoe") is not None
            with pytest.raises(DuplicateIdentityError):
                repository.put(make_prospect("01BBB", identities=[li("zoe")]))

    # -- durability ------------------------------------------------------------------
    def test_survives_reopen(self, repository: Repository) -> None:
        p = make_prospect("01AAA", identities=[li("zoe")], emails=["z@example.fr"])
        repository.put(p)
        repository.append_event(make_event("E1", "01AAA"))
        repository.put_pipeline(Pipeline("default", T0))
        repository.set_meta("current_pipeline", "default")
        again = self.reopen(repository)
        if again is None:
            pytest.skip("backend is not durable (in-memory)")
        try:
            assert again.get("01AAA") == p
            assert [e.id for e in again.events("01AAA")] == ["E1"]
            assert again.get_meta("current_pipeline") == "default"
            assert again.find_by_identity("default", "linkedin:zoe") == p
        finally:
            again.close()
