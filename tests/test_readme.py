"""The README's two commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme, flags=re.S)


def test_readme_has_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands), "each command is one copy-paste line"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    demo, tests = _commands()
    assert tests in ci
    assert "pytest" in tests and "demo" in demo
    assert demo in ci


def test_requirements_name_existing_packages() -> None:
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text().splitlines():
            if line.startswith("-e ") and not line.startswith("-e ."):
                assert (ROOT / line[3:].strip() / "pyproject.toml").is_file(), line
