"""The architecture, checked: one write path, layers, no cycles, small modules.

* no module but the facade touches a private name of :class:`~socialcrm.crm.CRM`
  (features write through :mod:`socialcrm.recording`), checked on the syntax
  tree, not by grep;
* every module of the package is in a layer of the import-linter contracts
  (``pyproject.toml``; ``lint-imports`` in ``.ci/run`` checks the contracts);
* the package has no import cycle at all, lazy and ``TYPE_CHECKING`` imports
  included (import-linter's ``acyclic_siblings`` sees cycles between siblings
  only: this walks grimp's module graph);
* the facade stays a facade (at most 400 lines) and no module grows past 500.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

from socialcrm.crm import CRM
from socialcrm.plugins import get_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "socialcrm"

#: Layers outside the core, as packages or modules (the contracts name the same).
NOT_CORE = (
    "socialcrm.__main__",  # python -m socialcrm: the CLI
    "socialcrm.config",
    "socialcrm.playbook",
    "socialcrm.privacy",
    "socialcrm.io",
    "socialcrm.dedupe",
    "socialcrm.demo",
    "socialcrm.default_plugins",
    "socialcrm.reports",
    "socialcrm.privacy",
    "socialcrm.storage",
    "socialcrm.cli",
    "socialcrm.testing",
)


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def crm_private_names() -> set[str]:
    """Private methods, properties and attributes of the CRM class and of an instance."""
    crm = CRM(plugin_manager=get_plugin_manager(entrypoints=False))
    try:
        return {n for n in dir(CRM) if _private(n)} | {n for n in vars(crm) if _private(n)}
    finally:
        crm.close()


def test_the_private_names_are_found() -> None:
    assert {"_change", "_clock", "_pipeline"} <= crm_private_names()


def private_uses(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """``(line, "x._name")`` for each ``x._name`` in ``tree`` where ``x`` is not ``self``
    or ``cls`` (a class's own attribute)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in {"self", "cls"}:
                continue
            found.append((node.lineno, f"{ast.unparse(owner)}.{node.attr}"))
    return found


def test_no_module_but_the_facade_touches_a_private_name_of_the_crm() -> None:
    names = crm_private_names()
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {text}"
        for path in sorted(SRC.rglob("*.py"))
        if path != SRC / "crm.py"
        for line, text in private_uses(ast.parse(path.read_text("utf-8")), names)
    ]
    assert offenders == [], "write through crm.recording instead:\n" + "\n".join(offenders)


def test_the_private_name_check_finds_a_use() -> None:
    tree = ast.parse("def f(crm):\n    crm._change('x', g)\n    self._change\n")
    assert private_uses(tree, {"_change"}) == [(2, "crm._change")]


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _top_level_modules() -> set[str]:
    names = {"socialcrm"}
    for path in SRC.iterdir():
        if path.suffix == ".py" and path.stem != "__init__":
            names.add(f"socialcrm.{path.stem}")
        elif path.is_dir() and (path / "__init__.py").exists():
            names.add(f"socialcrm.{path.name}")
    return names


def test_every_module_is_in_a_layer() -> None:
    core = set(_contracts()["core"]["source_modules"])  # type: ignore[call-overload]
    assert core.isdisjoint(NOT_CORE)
    unplaced = _top_level_modules() - core - set(NOT_CORE)
    assert unplaced == set(), "add each to the core contract in pyproject.toml, or to a feature"


def test_the_contracts_forbid_every_other_layer_to_the_core() -> None:
    forbidden = set(_contracts()["core"]["forbidden_modules"])  # type: ignore[call-overload]
    assert set(NOT_CORE) <= forbidden


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def imported(module: str) -> Iterator[str]:
        return iter(sorted(graph.find_modules_directly_imported_by(module)))

    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, imported(start))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("socialcrm", exclude_type_checking_imports=False)


def test_no_import_cycle(graph: grimp.ImportGraph) -> None:
    cycles = _cycles(graph)
    assert cycles == [], "import cycles (lazy and TYPE_CHECKING imports count):\n" + "\n".join(
        " -> ".join(c) for c in cycles
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        graph.add_import(importer=a, imported=b)
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_the_facade_delegates_and_modules_stay_small() -> None:
    lines = {
        str(p.relative_to(SRC)): len(p.read_text("utf-8").splitlines()) for p in SRC.rglob("*.py")
    }
    assert lines["crm.py"] <= 400
    long = sorted(name for name, count in lines.items() if count > 500)
    assert long == [], f"split by concern: {long}"
