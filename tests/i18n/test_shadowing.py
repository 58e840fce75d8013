"""No function binds ``_`` (the translation function) as a throwaway variable.

``name, _, value = item.partition("=")`` makes ``_`` a local of the whole
function: every ``_("…")`` in it then fails (``UnboundLocalError``) on the paths
where the assignment did not run, as ``report content`` did in a table run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [*(ROOT / "src" / "socialcrm").rglob("*.py"), *(ROOT / "plugins").glob("*/src/**/*.py")]
)


def rebinds_underscore(tree: ast.AST) -> list[int]:
    """Lines where a function's own scope binds ``_`` (comprehensions have their own)."""
    found: list[int] = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        todo: list[ast.AST] = list(func.body)
        while todo:
            node = todo.pop()
            if isinstance(
                node,
                ast.FunctionDef
                | ast.AsyncFunctionDef
                | ast.ClassDef
                | ast.Lambda
                | ast.ListComp
                | ast.SetComp
                | ast.DictComp
                | ast.GeneratorExp,
            ):
                continue
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                found.append(node.lineno)
            todo.extend(ast.iter_child_nodes(node))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_function_rebinds_the_translation_function(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not any(
        isinstance(n, ast.alias) and (n.asname or n.name) == "_" for n in ast.walk(tree)
    ) and not any(
        isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "_" for t in n.targets)
        for n in tree.body
    ):
        return  # no module-level "_" to shadow
    lines = rebinds_underscore(tree)
    assert not lines, f"{path.name}: '_' rebound on line(s) {lines}; name the variable"


def test_the_check_finds_a_throwaway_underscore() -> None:
    source = """
def f(items):
    for name, _, value in items:
        pass
    return [_ for _ in items], _("x")

def g(item):
    return [v for _, v in item], _("y")
"""
    assert rebinds_underscore(ast.parse(source)) == [3]
