"""Fixtures and helpers of the privacy tests: a CRM on a frozen clock with a small test
network; every byte of a store, decompressed, searched."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from socialcrm import CRM, MemoryRepository, hookimpl
from socialcrm.networks import NetworkAdapter
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing import FrozenClock

from ..cli.conftest import testnet


class _Net:
    @hookimpl
    def register_networks(self, register: Callable[[NetworkAdapter], None]) -> None:
        register(testnet())


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def crm(clock: FrozenClock) -> CRM:
    pm = get_plugin_manager(entrypoints=False, plugins=[_Net()])
    return CRM(MemoryRepository(), pm, clock=clock, actor="rep")


SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, in a real process."""
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    clean["SOCIALCRM_DB"] = str(tmp_path / "store")
    clean.pop("NO_COLOR", None)
    return clean


def _expand(name: str, raw: bytes) -> Iterator[tuple[str, bytes]]:
    """``raw`` and, for a gzip or tar archive, every member, recursively."""
    yield name, raw
    if raw[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(raw)
        except OSError:
            return
        yield from _expand(name + "!gunzip", inner)
    if len(raw) > 262 and raw[257:262] == b"ustar":
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            for member in tar:
                extracted = tar.extractfile(member) if member.isfile() else None
                if extracted is not None:
                    yield from _expand(f"{name}!{member.name}", extracted.read())


def every_byte(*roots: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under ``roots``, and every member of every archive in them."""
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                yield from _expand(str(path), path.read_bytes())


def forms(value: str) -> set[bytes]:
    """The encodings a value may take in a store file: UTF-8, JSON ``\\u`` escapes,
    case variants."""
    found: set[bytes] = set()
    for v in {value, value.lower(), value.upper(), value.casefold()}:
        found.add(v.encode("utf-8"))
        found.add(json.dumps(v)[1:-1].encode("ascii"))  # \\u00e9
        found.add(v.encode("utf-16-le"))
    return found


def leaks(values: list[str], *roots: Path) -> list[str]:
    """Where any form of any of ``values`` occurs (empty: nowhere)."""
    needles = {f: v for v in values for f in forms(v)}
    found = []
    for name, raw in every_byte(*roots):
        for needle, value in needles.items():
            if needle in raw:
                found.append(f"{value!r} in {name}")
    return found
