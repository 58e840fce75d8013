"""Importing activities twice attaches them once, whether their prospects' stored
events are read one by one or, past ``READ_ONE_BY_ONE``, in one pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.io.formats import ActivityRecord, ImportItem
from socialcrm.io.importing import activities, index, run_import
from socialcrm.networks import NetworkRegistry

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


class Messages:
    """A minimal activities importer: ``(row, url, text, minutes)`` tuples."""

    name = "test-messages"
    description = "messages for the test"

    def __init__(self, rows: list[tuple[int, str, str, int]]) -> None:
        self.rows = rows

    def sniff(self, path: Path, head: bytes) -> bool:
        return False

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        for row, url, text, minutes in self.rows:
            at = T + timedelta(minutes=minutes)
            yield ActivityRecord(row, (url,), "message_sent", text, at, "linkedin")


def url(i: int) -> str:
    return f"https://www.linkedin.com/in/person-{i}"


@pytest.fixture
def people(store: CRM) -> list[str]:
    ids = [store.add(f"Person {i}", urls=[url(i)]).id for i in range(12)]
    store.log_message(ids[0], "sent by hand", network="linkedin")
    return ids


@pytest.mark.parametrize("one_by_one", [100, 3, 0], ids=["one-by-one", "mixed", "one-pass"])
def test_second_import_attaches_nothing_and_new_messages_only_once(
    store: CRM,
    people: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    one_by_one: int,
) -> None:
    monkeypatch.setattr(activities, "READ_ONE_BY_ONE", one_by_one)
    path = tmp_path / "messages.csv"
    first = [(i + 2, url(i), f"hello {i}", i) for i in range(12)]
    report = run_import(store, path, Messages(first))
    assert report.counts()["attached"] == 12
    again = run_import(store, path, Messages(first))
    assert report.written and again.counts()["attached"] == 0
    assert {r.reason for r in again.rows} == {"already imported"}
    # one new message (same text, another time), one repeated twice in the same file
    mixed = [
        (2, url(5), "hello 5", 5),
        (3, url(5), "hello 5", 6),
        (4, url(7), "follow-up", 30),
        (5, url(7), "follow-up", 30),
        (6, url(0), "sent by hand", 0),  # not the hand-logged one: another time
    ]
    third = run_import(store, path, Messages(mixed))
    assert [(r.row, r.action) for r in third.rows] == [
        (2, "skipped"),
        (3, "attached"),
        (4, "attached"),
        (5, "skipped"),
        (6, "attached"),
    ]
    texts = [
        e.payload.text  # type: ignore[attr-defined]
        for e in store.repository.events(people[7])
        if e.kind.value == "message_sent"
    ]
    assert texts == ["hello 7", "follow-up"]


def test_plugins_told_of_attached_activities_get_the_prospect(tmp_path: Path) -> None:
    """``on_event`` promises ``prospect=None`` only once erased, also for activities."""
    from socialcrm.hookspecs import hookimpl
    from socialcrm.models import Event, Prospect
    from socialcrm.plugins import get_plugin_manager

    seen: list[tuple[str, str, str | None]] = []

    class Listener:
        @hookimpl
        def on_event(self, event: Event, prospect: Prospect | None) -> None:
            seen.append((event.kind.value, event.prospect_id, prospect and prospect.id))

    crm = CRM(None, get_plugin_manager(plugins=[Listener()]))
    ids = [crm.add(f"Person {i}", urls=[url(i)]).id for i in range(3)]
    seen.clear()
    rows = [(2, url(0), "hello", 0), (3, url(2), "hello", 1), (4, url(9), "nobody", 2)]
    report = run_import(crm, tmp_path / "m.csv", Messages(rows))
    assert report.counts()["attached"] == 3 and report.counts()["created"] == 1
    nobody = crm.resolve(url(9)).id  # the person messaged becomes a prospect
    sent = [s for s in seen if s[0] == "message_sent"]
    assert sent == [
        ("message_sent", ids[0], ids[0]),
        ("message_sent", ids[2], ids[2]),
        ("message_sent", nobody, nobody),
    ]
    assert all(prospect is not None for _kind, _pid, prospect in seen)


def test_activities_alone_never_keep_the_pipeline_as_models(
    store: CRM, people: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They look prospects up by profile URL only: id, name and pipeline are kept
    (the whole pipeline as models took ~75 MB at 30,000 prospects), never a
    prospect's document."""

    def no_full_index(p: object) -> bytes:
        raise AssertionError("an activities import kept a prospect's whole document")

    monkeypatch.setattr(index, "_encode", no_full_index)
    monkeypatch.setattr(activities, "READ_ONE_BY_ONE", 3)  # the one pass lists every prospect
    store.add("No Profile", emails=["np@example.org"])  # in the pipeline, without identity
    rows = [(i + 2, url(i), f"hello {i}", i) for i in range(12)]
    report = run_import(store, tmp_path / "m.csv", Messages(rows))
    assert report.counts()["attached"] == 12
    assert {r.name for r in report.rows if r.action == "attached"} == {
        f"Person {i}" for i in range(12)
    }


def test_targets_follow_a_prospect_whose_profile_changes() -> None:
    from socialcrm.models import Identity, Prospect

    def li(handle: str) -> Identity:
        return Identity("linkedin", handle, f"https://www.linkedin.com/in/{handle}")

    targets = index.PlanIndex()
    try:
        targets.load("default", [Prospect("01A", "Ann", identities=[li("ann")])], docs=False)
        targets.add(Prospect("01B", "Bob", identities=[li("bob")]), scored=False)
        targets.add(Prospect("01A", "Ann B.", identities=[li("ann-b")]), scored=False)
        found = {
            key: targets.target("default", key)
            for key in ("linkedin:ann", "linkedin:bob", "linkedin:ann-b")
        }
        assert found == {
            "linkedin:ann": None,
            "linkedin:bob": ("01B", "Bob", "default"),
            "linkedin:ann-b": ("01A", "Ann B.", "default"),
        }
        assert [i for chunk in targets.ids("default", 1) for i in chunk] == ["01A", "01B"]
    finally:
        targets.close()
