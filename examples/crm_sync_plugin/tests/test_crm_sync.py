"""The sync plugin through the real plugin manager: file, loopback HTTP, failures isolated."""

from __future__ import annotations

import json
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import socialcrm_crm_sync
from socialcrm_crm_sync import CRMSync, check_loopback

from socialcrm import CRM, MemoryRepository, Stage, Status
from socialcrm.plugins import get_plugin_manager
from socialcrm.serialization import prospect_from_dict
from socialcrm.testing import FrozenClock


def _crm(*plugins: object) -> CRM:
    pm = get_plugin_manager(entrypoints=False, plugins=plugins)
    return CRM(MemoryRepository(), pm, clock=FrozenClock())


def _win(crm: CRM, name: str = "Jane Doe") -> str:
    p = crm.add(name, emails=["jane@acme.example"], company="Acme", allow_shared_email=True)
    crm.move(p.id, Stage.CONVERT, force=True)
    crm.add_note(p.id, "signed")
    crm.win(p.id)
    return p.id


def test_won_prospects_are_appended_to_a_private_jsonl_file(tmp_path: Path) -> None:
    out = tmp_path / "sync" / "won.jsonl"
    crm = _crm(CRMSync(file=out))
    first = _win(crm)
    crm.add("Not Won")  # other events are ignored
    second = _win(crm, "Bob Roe")
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["prospect"]["id"] for d in lines] == [first, second]
    assert lines[0]["event"]["payload"] == {
        "kind": "status_changed",
        "from_status": "open",
        "to_status": "won",
        "reason": None,
        "forced": False,
    }
    prospect = prospect_from_dict(lines[0]["prospect"])  # the full prospect, lossless
    assert prospect.status is Status.WON and prospect.emails == ("jane@acme.example",)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


class _Relay(BaseHTTPRequestHandler):
    received: ClassVar[list[Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Relay.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def relay() -> Iterator[str]:
    _Relay.received = []
    server = HTTPServer(("127.0.0.1", 0), _Relay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/won"
    server.shutdown()
    server.server_close()


def test_won_prospects_are_posted_to_a_loopback_endpoint(relay: str) -> None:
    crm = _crm(CRMSync(url=relay))
    pid = _win(crm)
    assert [d["prospect"]["id"] for d in _Relay.received] == [pid]


def test_entry_point_module_reads_the_environment(
    tmp_path: Path, relay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = _crm(socialcrm_crm_sync)
    _win(crm, "Quiet Quinn")  # not configured: nothing happens, nothing fails
    assert crm.failures == []
    monkeypatch.setenv("SOCIALCRM_SYNC_FILE", str(tmp_path / "won.jsonl"))
    monkeypatch.setenv("SOCIALCRM_SYNC_URL", relay)
    pid = _win(crm)
    assert json.loads((tmp_path / "won.jsonl").read_text())["prospect"]["id"] == pid
    assert [d["prospect"]["id"] for d in _Relay.received] == [pid]


@pytest.mark.parametrize(
    "url",
    ["http://example.com/hook", "http://10.0.0.1/hook", "ftp://127.0.0.1/x", "http://0.0.0.0/"],
)
def test_only_loopback_urls(url: str) -> None:
    with pytest.raises(ValueError):
        check_loopback(url)
    assert check_loopback("http://[::1]:9/x") and check_loopback("http://localhost:9/")


def test_a_failing_sync_never_loses_the_conversion(tmp_path: Path) -> None:
    crm = _crm(CRMSync(url="http://127.0.0.1:9/closed-port"))
    pid = _win(crm)
    assert crm.get(pid).status is Status.WON
    (failure,) = crm.failures
    assert failure.hook == "on_event"


def test_pyproject_declares_the_entry_point() -> None:
    import tomllib

    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["socialcrm"] == {"crm_sync": "socialcrm_crm_sync"}
