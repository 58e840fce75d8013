"""CLI fixtures: the real app over a real TinyDB store in tmp_path, a small test network."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from socialcrm import hookimpl
from socialcrm.cli import make_app
from socialcrm.networks import BaseNetworkAdapter, Channel, NetworkAdapter
from socialcrm.plugins import SocialPluginManager, get_plugin_manager

_HANDLE = re.compile(r"^[a-z0-9_]{1,20}$")


class SampleNetAdapter(BaseNetworkAdapter):
    """Profiles at ``https://testnet.example/u/<handle>``; a 20-character ``dm`` channel."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) != 2 or segments[0] != "u":
            raise ValueError("not a profile URL (expected /u/<handle>)")
        return self.handle_from_text(segments[1])

    def handle_from_text(self, text: str) -> str:
        handle = text.strip().lstrip("@").lower()
        if not _HANDLE.match(handle):
            raise ValueError("a handle is 1-20 of a-z, 0-9, _")
        return handle

    def profile_url(self, handle: str) -> str:
        return f"https://testnet.example/u/{handle}"


def testnet() -> SampleNetAdapter:
    return SampleNetAdapter(
        id="testnet",
        name="TestNet",
        domains=("testnet.example",),
        channels=[Channel("dm", "Direct message", 20)],
        checklist=[],
        handle_example="jane",
    )


class SampleNetPlugin:
    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(testnet())


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SOCIALCRM_DB",
        "SOCIALCRM_PIPELINE",
        "SOCIALCRM_DISABLE_PLUGINS",
        "SOCIALCRM_DEBUG",
        "SOCIALCRM_FORMAT",
        "SOCIALCRM_USER",
        "SOCIALCRM_ACTOR",
        "SOCIALCRM_LANG",
        "SOCIALCRM_TIMEZONE",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pm() -> SocialPluginManager:
    """Built-ins plus the test network; installed entry points stay out of these tests."""
    return get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin()])


@pytest.fixture
def app(pm: SocialPluginManager) -> typer.Typer:
    return make_app(pm)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store"


Run = Callable[..., Result]


@pytest.fixture
def run(app: typer.Typer, db: Path) -> Iterator[Run]:
    """``run("list", "--format", "json")`` against the store ``db``; exit code checked.

    ``code=`` is the expected exit code (default 0); stderr is shown on mismatch.
    """
    runner = CliRunner()

    def invoke(*args: str, code: int = 0, input: str | None = None, **kw: Any) -> Result:
        result = runner.invoke(app, ["--db", str(db), *args], input=input, **kw)
        assert result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}\nexception: {result.exception!r}"
        )
        return result

    yield invoke


@pytest.fixture
def jane(run: Run) -> str:
    """A prospect with an identity and an e-mail; returns its id."""
    result = run(
        "add",
        "Jane Doe",
        "--url",
        "https://testnet.example/u/jane",
        "--email",
        "jane@acme.example",
        "--company",
        "Acme",
        "--tag",
        "fintech",
    )
    return result.stdout.strip()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a console-script run: the store in ``tmp_path``, no SOCIALCRM_* else."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    clean["SOCIALCRM_DB"] = str(tmp_path / "store")
    clean.pop("NO_COLOR", None)
    # English whatever the machine's locale (tests/i18n run the CLI in French)
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        clean.pop(name, None)
    clean["LANG"] = "C.UTF-8"
    return clean
