"""On a terminal: rich tables, confirmations, progress on stderr; NO_COLOR stays plain."""

from __future__ import annotations

import io

import pytest

from socialcrm.cli import context
from tests.cli.conftest import Run


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI believe stdout and stderr are terminals."""
    monkeypatch.setattr(context, "_rich_allowed", lambda stream: True)


def test_rich_tables_on_a_terminal(run: Run, jane: str, terminal: None) -> None:
    out = run("list").stdout
    assert "┃" in out or "│" in out  # box drawing
    assert "Jane Doe" in out
    shown = run("show", jane).stdout
    assert "Jane Doe" in shown and "History" in shown
    assert "profile" in run("board").stdout
    assert "✓" in run("note", jane, "hello").stdout


def test_json_is_never_rich(run: Run, jane: str, terminal: None) -> None:
    run("note", jane, "[bold]not markup[/bold] " + "x" * 300)
    out = run("history", jane, "--format", "json").stdout
    assert "[bold]not markup[/bold]" in out
    assert "x" * 300 in out  # not wrapped


def test_demo_progress_goes_to_stderr_on_a_terminal(run: Run, terminal: None) -> None:
    result = run("demo")
    assert "Karim Benali" in result.stdout
    assert "building the demo" in result.stderr


def test_rm_asks_on_a_terminal(run: Run, jane: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "stdin_is_terminal", lambda: True)
    refused = run("rm", jane, input="n\n", code=1)
    assert "Aborted" in refused.stderr or "Aborted" in refused.stdout
    run("show", jane)
    run("rm", jane, input="y\n")
    run("show", jane, code=3)


def test_no_color_means_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = FakeTTY()
    assert context._rich_allowed(tty)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not context._rich_allowed(tty)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not context._rich_allowed(tty)
    assert not context._rich_allowed(io.StringIO())


def test_a_long_list_draws_a_screenful_on_a_terminal(
    run: Run, terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing 30,000 rich rows took 16 s: a terminal gets the first ones and a count."""
    from socialcrm.cli import prospects

    monkeypatch.setattr(prospects, "TERMINAL_LIST_LIMIT", 2)
    for name in ("Ann Able", "Bob Baker", "Cy Cole"):
        run("add", name)
    drawn = run("list", "--sort", "name").stdout
    assert "Ann Able" in drawn and "Bob Baker" in drawn and "Cy Cole" not in drawn
    assert "… and 1 more (of 3)" in drawn and "--limit N" in drawn
    asked = run("list", "--sort", "name", "--limit", "3").stdout
    assert "Cy Cole" in asked and "more (of" not in asked


def test_a_long_list_piped_gives_every_row(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialcrm.cli import prospects

    monkeypatch.setattr(prospects, "TERMINAL_LIST_LIMIT", 2)
    for name in ("Ann Able", "Bob Baker", "Cy Cole"):
        run("add", name)
    piped = run("list").stdout
    assert all(name in piped for name in ("Ann Able", "Bob Baker", "Cy Cole"))
    assert "more (of" not in piped
