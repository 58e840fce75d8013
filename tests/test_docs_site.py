"""The documentation site builds with ``--strict`` (broken links and references fail) and its
API reference lists every public name: ``socialcrm.__all__``, ``socialcrm.testing.__all__``
and every hook specification."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import socialcrm
import socialcrm.hookspecs
import socialcrm.testing

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mkdocstrings_handlers.python", reason="docs tools: requirements-dev.txt")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr
    return out


def _anchors(page: Path) -> set[str]:
    return set(re.findall(r'id="(socialcrm\.[A-Za-z_0-9.]+)"', page.read_text("utf-8")))


def test_the_reference_lists_every_public_name(site: Path) -> None:
    anchors = _anchors(site / "api" / "index.html")
    assert [n for n in socialcrm.__all__ if f"socialcrm.{n}" not in anchors] == []


def test_the_testing_reference_lists_every_public_name(site: Path) -> None:
    anchors = _anchors(site / "api" / "testing" / "index.html")
    names = {a.rsplit(".", 1)[-1] for a in anchors}
    assert [n for n in socialcrm.testing.__all__ if n not in names] == []


def test_every_hook_specification_is_in_the_reference(site: Path) -> None:
    anchors = _anchors(site / "api" / "hookspecs" / "index.html")
    hooks = [
        name
        for name, f in inspect.getmembers(socialcrm.hookspecs, inspect.isfunction)
        if hasattr(f, "socialcrm_spec")
    ]
    assert hooks, "no hook specification found: the marker's name changed?"
    assert [h for h in hooks if f"socialcrm.hookspecs.{h}" not in anchors] == []


def test_the_french_user_guide_mirrors_the_english_one() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=yaml.BaseLoader)
    nav = {next(iter(entry)): next(iter(entry.values())) for entry in config["nav"]}
    english = [next(iter(e.values())) for e in nav["User guide"]][:3]
    french = [next(iter(e.values())) for e in nav["Français"]]
    assert [f"fr/{page}" for page in english] == french[: len(english)]
    for page in french:
        assert (ROOT / "docs" / page).read_text("utf-8").strip(), page
