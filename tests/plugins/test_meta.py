"""Meta-tests: every hook is tested, documented with its exact signature, and wrapped."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from socialcrm import hookspecs
from socialcrm.hooks import Hooks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
TESTS = Path(__file__).resolve().parent

HOOKS: dict[str, Callable[..., Any]] = {
    name: fn
    for name, fn in vars(hookspecs).items()
    if callable(fn) and hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")
}

# Registration hooks are exposed as cached registries; the others as methods.
WRAPPERS = {
    "register_networks": "networks",
    "register_importers": "importers",
    "register_exporters": "exporters",
}


def signature(name: str) -> str:
    """``def name(arg: Annotation, …) -> Return`` as written in hookspecs.py."""
    sig = inspect.signature(HOOKS[name])
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}"


def test_hooks_are_found() -> None:
    assert {
        "register_networks",
        "register_importers",
        "register_exporters",
        "register_commands",
        "check_transition",
        "score_prospect",
        "on_event",
    } <= set(HOOKS)


def _test_names() -> set[str]:
    names = set()
    for path in TESTS.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return names


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_has_a_test(hook: str) -> None:
    assert f"test_hook_{hook}" in _test_names(), f"write test_hook_{hook} in tests/plugins/"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_is_documented_with_its_exact_signature(hook: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    assert f"### `{hook}`" in docs, f"add a '### `{hook}`' section to docs/plugins.md"
    assert signature(hook) in docs, f"docs/plugins.md must show: {signature(hook)}"


def test_docs_document_no_hook_that_does_not_exist() -> None:
    documented = set(re.findall(r"^### `([a-z_]+)`", DOCS.read_text(encoding="utf-8"), re.M))
    assert documented - set(HOOKS) == set()


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_has_a_typed_wrapper(hook: str) -> None:
    assert hasattr(Hooks, WRAPPERS.get(hook, hook)), f"add a typed wrapper for {hook} to hooks.py"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_spec_explains_its_arguments(hook: str) -> None:
    doc = inspect.getdoc(HOOKS[hook]) or ""
    assert "Called" in doc, "say when the hook is called"
    for param in inspect.signature(HOOKS[hook]).parameters:
        assert f":param {param}:" in doc


def test_only_hooks_py_calls_pm_hook() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "src" / "socialcrm").rglob("*.py")
        if path.name != "hooks.py" and re.search(r"\.hook\.[a-z_]+\(", path.read_text("utf-8"))
    ]
    assert offenders == []
