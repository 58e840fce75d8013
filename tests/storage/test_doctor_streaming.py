"""``doctor``'s deep check streams the store: one data file in memory at a time.

At 30,000 prospects × 10 events, holding every decoded file at once took
``doctor`` to 487 MB (storage issue #4 caps any command at 200 MB).  These
tests pin the streaming without measuring memory: a spy on the real decoder
counts how many decoded documents are still alive whenever a new file is
decoded.  They also pin that findings keep the order of the checks (prospects,
locator, id lists, identity index, events) although files are read in name
order (``e-``, ``i-``, ``k-``, ``l-``, ``p-``).
"""

from __future__ import annotations

import json
import weakref
from pathlib import Path
from typing import Any

import pytest

from socialcrm.storage import doctor as doctor_module
from socialcrm.storage import files, layout
from socialcrm.storage.doctor import doctor
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import make_event


class _Tracked(dict[str, Any]):
    """A decoded dict that can be watched (plain dicts take no weak references)."""


class _Alive:
    """How many watched dicts are still referenced (each decrements when freed)."""

    def __init__(self) -> None:
        self.count = 0

    def _freed(self) -> None:
        self.count -= 1

    def track(self, value: Any, depth: int) -> Any:
        """Wrap a file's top level, its tables and their documents in watched dicts."""
        if not isinstance(value, dict):
            return value
        tracked = _Tracked(
            (key, self.track(item, depth - 1) if depth > 1 else item) for key, item in value.items()
        )
        weakref.finalize(tracked, self._freed)
        self.count += 1
        return tracked


def test_deep_check_holds_one_data_file_at_a_time(
    healthy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_decode = files.decode_tables
    alive = _Alive()
    sizes: list[int] = []  # watched dicts in each data file
    alive_before: list[int] = []  # data-file dicts still alive when the next is decoded

    def spy(raw: bytes, path: Path) -> files.Tables:
        data = real_decode(raw, path)
        if path.name == layout.MANIFEST_NAME:
            return data
        alive_before.append(alive.count)
        tracked: files.Tables = alive.track(data, 3)
        sizes.append(alive.count - alive_before[-1])
        return tracked

    monkeypatch.setattr(doctor_module, "decode_tables", spy)
    report = doctor(healthy)

    # the deep check really ran, on the watched documents
    assert report.ok, report.to_dict()
    assert (report.prospects, report.events) == (12, 24)
    assert len(sizes) > 40  # 12 prospects spread over p-, l-, e-, k- and i- files
    # whole-store behaviour would keep sum(sizes) alive by the last file
    assert max(alive_before) == 0, (max(alive_before), sum(sizes))
    assert alive.count == 0  # the report keeps no document either


def _manifest(store: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((store / layout.MANIFEST_NAME).read_text())
    return data


def _edit(store: Path, logical: str, change: Any) -> None:
    """Hand-edit one data file and fix up its size and checksum in the manifest."""
    manifest = _manifest(store)
    entry = manifest["files"][logical]
    path = store / entry["path"]
    content = json.loads(path.read_text())
    change(content)
    raw = json.dumps(content).encode()
    path.write_bytes(raw)
    entry.update(size=len(raw), crc32=files.digest(raw))
    (store / layout.MANIFEST_NAME).write_text(json.dumps(manifest))


def _prospect_file(pid: str) -> str:
    return layout.prospect_file(pid, "profile", layout.DEFAULT_SHARDS["prospect_shards"])


def _events_file(pid: str) -> str:
    return layout.events_file(pid, layout.DEFAULT_SHARDS["event_shards"])


def test_deep_findings_keep_the_order_of_the_checks(healthy: Path) -> None:
    moved, host = "01P00005", "01P00006"
    assert _prospect_file(moved) != _prospect_file(host)
    held: dict[str, Any] = {}
    _edit(healthy, _prospect_file(moved), lambda c: held.update(doc=c["prospects"].pop(moved)))
    _edit(healthy, _prospect_file(host), lambda c: c["prospects"].update({moved: held["doc"]}))
    _edit(
        healthy,
        _prospect_file("01P00008"),
        lambda c: c["prospects"]["01P00008"].update(pipeline="sales"),
    )
    _edit(
        healthy,
        _events_file("01P00001"),
        lambda c: c["events"]["01P00001"]["events"][0].update(at="yesterday"),
    )
    repo = TinyDBRepository(healthy)
    repo.append_event(make_event("EORPHAN", "01GHOST"))
    repo.close()

    report = doctor(healthy)
    assert [(f.level, f.code) for f in report.findings] == [
        ("error", "misplaced"),
        ("error", "locator"),
        ("error", "ids-index"),
        ("info", "pipelines"),
        ("error", "identity-index"),
        ("error", "bad-event"),
        ("warning", "orphan-events"),
        # the moved record and the changed pipeline no longer match their summaries
        ("error", "summaries"),
        ("info", "backup-rotation"),  # the policy is stated (count and age)
        ("info", "no-backup"),
    ]
    by_code = {f.code: f for f in report.findings}
    assert by_code["misplaced"].message == f"prospect {moved} in wrong shard"
    assert by_code["locator"].message == (
        "the locator differs from where prospects are (0 not located, 0 located but absent)"
    )
    assert by_code["ids-index"].message == (
        "1 prospect(s) indexed under the wrong pipeline (e.g. 01P00008)"
    )
    assert by_code["pipelines"].message == "prospects in pipeline(s) not declared: sales"
    assert by_code["bad-event"].message.startswith("01P00001: ")
    assert by_code["orphan-events"].message == (
        "events of 1 deleted or unknown prospect(s) (e.g. 01GHOST)"
    )
    assert (report.prospects, report.events) == (12, 25)


def test_malformed_identity_or_event_is_reported_not_a_crash(healthy: Path) -> None:
    """Documents the validator rejects must not break the cross-file checks."""
    _edit(
        healthy,
        _prospect_file("01P00003"),
        lambda c: c["prospects"]["01P00003"].update(identities=[{"handle": "x"}]),
    )
    _edit(
        healthy,
        _events_file("01P00004"),
        lambda c: c["events"]["01P00004"]["events"].append("not an object"),
    )
    report = doctor(healthy)
    assert [f.code for f in report.problems] == ["bad-prospect", "identity-index", "bad-event"]
    assert report.problems[0].message.startswith("01P00003: ")
    assert report.problems[2].message.startswith("01P00004: ")
