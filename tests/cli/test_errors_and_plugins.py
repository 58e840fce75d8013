"""Error reporting, exit codes and plugins seen from the CLI."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from socialcrm import hookimpl
from socialcrm.cli import make_app
from socialcrm.cli.app import run as run_cli
from socialcrm.errors import PluginError
from socialcrm.plugins import get_plugin_manager
from tests.cli.conftest import Run, SampleNetPlugin


def test_store_problem_exits_6_with_one_line(tmp_path: Path, app: typer.Typer) -> None:
    not_a_store = tmp_path / "file.txt"
    not_a_store.write_text("hello")
    result = CliRunner().invoke(app, ["--db", str(not_a_store), "list"])
    assert result.exit_code == 6
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert not_a_store.read_text() == "hello"


def test_bad_format_is_a_usage_error(run: Run) -> None:
    run("list", "--format", "xml", code=2)
    run("--format", "yaml", "list", code=2)


def test_unknown_command_is_a_usage_error(run: Run) -> None:
    result = run("lsit", code=2)
    assert "list" in result.stderr  # the suggestion


class FailingOnEvent:
    @hookimpl
    def on_event(self, event: Any, prospect: Any) -> None:
        raise RuntimeError("webhook down")


def test_failing_plugin_is_reported_and_the_command_goes_on(db: Path) -> None:
    pm = get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin()])
    pm.register(FailingOnEvent(), name="boom")
    result = CliRunner().invoke(make_app(pm), ["--db", str(db), "add", "Jane Doe"])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.strip()) == 26  # the id, on stdout only
    assert "warning: plugin 'boom' failed in on_event: RuntimeError: webhook down" in result.stderr
    listed = CliRunner().invoke(make_app(pm), ["--db", str(db), "list", "--format", "json"])
    assert '"Jane Doe"' in listed.stdout  # the prospect was stored


class HelloCommand:
    @hookimpl
    def register_commands(self, app: typer.Typer) -> None:
        @app.command()
        def hello(ctx: typer.Context, name: str) -> None:
            """Say hello (a plugin command)."""
            from socialcrm.cli.context import get_state

            state = get_state(ctx)
            typer.echo(f"hello {name} as {state.output_format} from {state.db_path.name}")

        @app.command()
        def explode() -> None:
            """Fail like a broken plugin."""
            raise PluginError("hello", "register_commands", "boom")

        @app.command()
        def crash() -> None:
            """An unexpected bug."""
            raise RuntimeError("bug")


def test_plugin_commands_get_global_options_and_error_handling(db: Path) -> None:
    pm = get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin(), HelloCommand()])
    app = make_app(pm)
    runner = CliRunner()
    assert "hello" in runner.invoke(app, ["--help"]).stdout
    result = runner.invoke(app, ["hello", "Ann", "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "hello Ann as json from store"
    exploded = runner.invoke(app, ["explode"])
    assert exploded.exit_code == 7
    assert exploded.stderr.startswith("error: plugin 'hello' failed in register_commands")


class BrokenRegistration:
    @hookimpl
    def register_commands(self, app: typer.Typer) -> None:
        raise ValueError("cannot register")


def test_broken_register_commands_is_a_warning(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pm = get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin()])
    pm.register(BrokenRegistration(), name="broken")
    app = make_app(pm)  # commands are registered while the app is built
    assert "warning: plugin 'broken' failed in register_commands" in capsys.readouterr().err
    result = CliRunner().invoke(app, ["--db", str(db), "init"])
    assert result.exit_code == 0, result.stderr


def test_unexpected_error_is_one_line_exit_1(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOCIALCRM_DEBUG", raising=False)
    pm = get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin(), HelloCommand()])
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["crash"], pm)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RuntimeError: bug")
    assert "Traceback" not in err
    monkeypatch.setenv("SOCIALCRM_DEBUG", "1")
    with pytest.raises(RuntimeError, match="bug"):
        run_cli(["crash"], pm)


def test_bare_command_prints_an_overview(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert "socialcrm demo --db ./demo-store" in result.stdout
    assert len(result.stdout.splitlines()) < 20


def test_version(app: typer.Typer) -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"socialcrm {version('socialcrm')}"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["show", "jane"], "show"),
        (["--db", "x", "--format", "json", "list"], "list"),
        (["--db=x", "pipeline", "list"], "pipeline"),
        (["--help"], None),
        (["--version"], ""),
        (["--db", "x", "--version", "list"], ""),
        ([], None),
        (["--db", "x"], None),
    ],
)
def test_requested_command(argv: list[str], expected: str | None) -> None:
    from socialcrm.cli.app import requested_command

    assert requested_command(argv) == expected


def test_module_commands_names_what_each_module_registers() -> None:
    """The table a run uses to import only its command's module is complete and exact."""
    import importlib

    from socialcrm.cli.app import MODULE_COMMANDS

    for dotted, names in MODULE_COMMANDS.items():
        app = typer.Typer()
        importlib.import_module(dotted).register(app)
        registered = [
            (c.name or c.callback.__name__).lower().replace("_", "-")  # type: ignore[union-attr]
            for c in app.registered_commands
        ] + [g.name or g.typer_instance.info.name for g in app.registered_groups]  # type: ignore[union-attr]
        assert sorted(registered) == sorted(names), dotted


def test_command_signatures_are_not_strings() -> None:
    """Typer reads the run's command signatures with typing.get_type_hints on every run.

    Under ``from __future__ import annotations`` each annotation is a string that
    it compiles and evaluates again (and every ``typer.Option(...)`` in it is built
    again): a few ms of each command.  The modules Typer reads keep real annotations.
    """
    import ast

    from socialcrm.cli.app import MODULE_COMMANDS

    for dotted in ["socialcrm.cli.app", *MODULE_COMMANDS]:
        path = Path(importlib.import_module(dotted).__file__ or "")
        futures = [
            node
            for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.ImportFrom) and node.module == "__future__"
        ]
        assert not futures, f"{dotted}: drop 'from __future__ import annotations'"


def test_single_command_app_imports_only_its_module() -> None:
    code = (
        "import sys; from socialcrm.cli.app import make_app; make_app(command='board'); "
        "print(sorted(m for m in sys.modules if m.startswith('socialcrm.cli.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "socialcrm.cli.board" in out
    assert "socialcrm.cli.prospects" not in out and "socialcrm.cli.playbook" not in out


def test_single_command_app_runs_only_that_command(db: Path) -> None:
    pm = get_plugin_manager(entrypoints=False, plugins=[SampleNetPlugin()])
    app = make_app(pm, command="pipeline")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "pipeline", "list"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(db), "list"]).exit_code == 2  # not built
    everything = make_app(pm, command="lsit")  # unknown: every command, for suggestions
    result = runner.invoke(everything, ["--db", str(db), "lsit"])
    assert result.exit_code == 2 and "list" in result.stderr
