"""Fixtures for the plugin-system tests: real distributions with real entry points."""

from __future__ import annotations

import py_compile
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

InstallPlugin = Callable[..., None]


@pytest.fixture
def install_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstallPlugin]:
    """Install a throw-away distribution (module + ``*.dist-info``) on ``sys.path``.

    ``importlib.metadata`` finds its ``socialcrm`` entry point exactly as it
    finds a pip-installed plugin's; modules are unloaded after the test.
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(
        entry_name: str,
        source: str,
        *,
        module: str | None = None,
        distribution: str | None = None,
        version: str = "1.0",
    ) -> None:
        module = module or f"socialcrm_test_{entry_name.replace('-', '_')}"
        distribution = distribution or f"socialcrm-test-{entry_name}"
        source_file = site / f"{module}.py"
        source_file.write_text(textwrap.dedent(source), encoding="utf-8")
        # compiled now, as pip does at install: importing it later (when Python
        # writes bytecode) then touches site/__pycache__, not the sys.path
        # entry, whose mtime the entry-point cache watches
        py_compile.compile(str(source_file), doraise=True)
        info = site / f"{distribution.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            f"[socialcrm]\n{entry_name} = {module}\n", encoding="utf-8"
        )
        modules.append(module)

    yield install
    for name in modules:
        sys.modules.pop(name, None)
