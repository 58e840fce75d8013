"""docs/cli.md stays in sync with the real application, and every command has an example."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from socialcrm.cli import make_app
from socialcrm.plugins import get_plugin_manager

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
GLOBAL = {"--db", "--pipeline", "--format", "--lang"}


def leaf_commands() -> Iterator[tuple[str, Any]]:
    """(``"pipeline create"``, click command) for every command of the real app."""
    app = make_app(get_plugin_manager(entrypoints=False))
    root = typer.main.get_command(app)

    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, [*path, name])
        else:
            yield " ".join(path), command

    yield from walk(root, [])


def sections() -> dict[str, str]:
    """The text of each ``### `socialcrm …` `` section of docs/cli.md, by command path."""
    text = DOC.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    parts = re.split(r"^### `socialcrm ([^`]+)`\s*$", text, flags=re.MULTILINE)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        found[name.strip()] = body.split("\n## ", 1)[0]
    return found


COMMANDS = dict(leaf_commands())


def test_every_command_has_a_section() -> None:
    missing = sorted(set(COMMANDS) - set(sections()))
    assert not missing, f"docs/cli.md lacks a '### `socialcrm NAME`' section for: {missing}"


def test_no_section_for_a_command_that_does_not_exist() -> None:
    stale = sorted(set(sections()) - set(COMMANDS))
    assert not stale, f"docs/cli.md documents commands that do not exist: {stale}"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_option_and_argument_is_documented(path: str) -> None:
    body = sections().get(path)
    if body is None:
        pytest.fail(f"no section for {path}")
    for param in COMMANDS[path].params:
        if param.param_type_name == "option":
            names = [o for o in param.opts if o.startswith("--")]
            if not names or (set(names) & GLOBAL and not param.expose_value):
                continue  # the global options are documented once, at the top
            assert any(n in body for n in names), f"{path}: option {names[0]} not in docs/cli.md"
        else:
            metavar = (param.metavar or param.name or "").strip("[]")
            assert metavar in body or metavar.upper() in body, f"{path}: argument {metavar}"
    assert "```console" in body, f"{path}: the docs section has no example"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_help_has_an_example(path: str) -> None:
    assert "Example" in (COMMANDS[path].help or ""), f"'{path} --help' has no example"


def test_global_options_and_exit_codes_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for option in (
        "--db",
        "--pipeline",
        "--format",
        "--version",
        "SOCIALCRM_DB",
        "SOCIALCRM_PIPELINE",
        "NO_COLOR",
    ):
        assert option in text
    from socialcrm.cli import errors

    for name in dir(errors):
        if name.startswith("EXIT_"):
            code = getattr(errors, name)
            assert re.search(rf"^\| {code} \|", text, flags=re.MULTILINE), name
