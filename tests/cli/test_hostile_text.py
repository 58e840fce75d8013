"""Terminal escape injection: the real console script refuses typed control characters and
never prints stored ones raw (issue 20, item 2)."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from socialcrm.cli import context
from socialcrm.crm import CRM
from socialcrm.models import Event, Note
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from tests.cli.conftest import Run
from tests.cli.test_console_script import SCRIPT, cli

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")

OSC_TITLE = "\x1b]0;pwn\x07"
OSC_CLIPBOARD = "\x1b]52;c;SGVsbG8=\x07"
#: What a terminal must never receive raw from the data.
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x01")
HOSTILE_NAME = f"{OSC_TITLE}Evil\u202egnp.exe [bold]x[/bold] \x9b31m"


@pytest.fixture
def env(env: dict[str, str]) -> dict[str, str]:
    """The console script's environment (conftest), with a wide colour terminal."""
    return {**env, "COLUMNS": "250", "TERM": "xterm-256color"}


def store_bytes(path: Path) -> dict[str, bytes]:
    """Every file of the store and its bytes (the lock file's mtime may change, not these)."""
    return {
        str(f.relative_to(path)): f.read_bytes() for f in sorted(path.rglob("*")) if f.is_file()
    }


def legacy_store(path: Path) -> str:
    """A store as an older socialcrm could have written it: control characters stored raw.

    The models now remove them, so they are put back behind the converters' back;
    the store writes what it is given, as it did before.
    """
    crm = CRM(open_repository(path), get_plugin_manager(entrypoints=False))
    try:
        p = crm.add("Evil", company="Acme", tags=["t"])
        object.__setattr__(p, "name", HOSTILE_NAME)
        object.__setattr__(p, "company", "\x1b[31mred")
        object.__setattr__(p, "notes", f"line 1\nline 2{OSC_CLIPBOARD}")
        note = Note("placeholder")
        object.__setattr__(note, "text", f"hi {OSC_CLIPBOARD} there \u202e")
        with crm.repository.transaction():
            crm.repository.put(p)
            crm.repository.append_event(
                Event(
                    id=crm.recording.new_id(crm.now()), prospect_id=p.id, at=crm.now(), payload=note
                )
            )
        return p.id
    finally:
        crm.close()


def assert_nothing_raw(*texts: str) -> None:
    for text in texts:
        for char in RAW:
            assert char not in text, (char, text)


def on_terminal(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run the script with its standard output on a pseudo-terminal."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [str(SCRIPT), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.wait(timeout=60), b"".join(chunks).decode(), err


# -- typed input is refused -------------------------------------------------------------


#: Typed text holding a control character, and the start of the error naming it.
REFUSED = [
    (["add", f"{OSC_TITLE}Evil"], "name contains the control character U+001B at position 1"),
    (["add", "A\x01B"], "name contains the control character U+0001 at position 2"),
    (["add", "Jane", "--tag", "x\u202ey"], "tags contains a bidirectional override (U+202E)"),
    (["add", "Jane", "--company", "a\nb"], "company contains a line break (U+000A)"),
    (["note", "Jane Doe", f"hi {OSC_CLIPBOARD}"], "text contains the control character"),
    (["message", "Jane Doe", "--received", "a\x9bb"], "text contains the control character"),
    (["interest", "Jane Doe", "x\u2066y"], "text contains a bidirectional isolate"),
    (["edit", "Jane Doe", "--set", "title=\x1b[2J"], "title contains the control character"),
    (["edit", "Jane Doe", "--set", "budget=\x07"], "custom.budget contains the control"),
    (["lost", "Jane Doe", "--reason", "no\rbudget"], "reason contains a carriage return"),
    (["pipeline", "create", "p\x1bq"], "pipeline contains the control character"),
    (["template", "set", "hi", "Hi \x1b]8;;http://x\x07"], "contains the control character"),
]


def test_typed_control_characters_are_refused_and_nothing_is_written(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    before = store_bytes(tmp_path / "store")
    for args, message in REFUSED:
        result = cli(env, *args)
        assert result.returncode == 4, (args, result.stderr)
        assert result.stderr.startswith("error: ") and message in result.stderr, args
        assert result.stderr.count("\n") == 1 and result.stdout == "", args
        assert_nothing_raw(result.stderr)
        assert store_bytes(tmp_path / "store") == before, args


def test_legitimate_marks_and_multi_line_notes_are_accepted(env: dict[str, str]) -> None:
    name = "\u200fמרים\u200e Cohen"  # RLM/LRM shape a right-to-left name
    assert cli(env, "add", name, "--tag", "👩‍💻").returncode == 0
    assert cli(env, "note", name, "line 1\n\tline 2\r\nline 3").returncode == 0
    [event] = json.loads(cli(env, "history", name, "--format", "json").stdout)[1:]
    assert event["data"]["text"] == "line 1\n\tline 2\nline 3"


# -- stored control characters are escaped ----------------------------------------------


def test_every_view_of_a_legacy_store_escapes_control_characters(
    env: dict[str, str], tmp_path: Path
) -> None:
    pid = legacy_store(tmp_path / "store")
    views = [
        ["list"],
        ["board"],
        ["show", pid],
        ["history", pid],
        ["today"],
        ["dupes"],
        ["list", "--format", "json"],
        ["show", pid, "--format", "json"],
        ["history", pid, "--format", "json"],
        ["board", "--format", "json"],
        ["note", pid, "a note"],
    ]
    for args in views:
        result = cli(env, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert_nothing_raw(result.stdout, result.stderr)
    listed = cli(env, "list").stdout
    assert "\\x1b]0;pwn\\x07Evil\\u202egnp.exe [bold]x[/bold] \\x9b31m" in listed
    assert "\\x1b[31mred" in listed
    assert "hi \\x1b]52;c;SGVsbG8=\\x07 there \\u202e" in cli(env, "history", pid).stdout
    shown = cli(env, "show", pid).stdout
    assert "line 1\nline 2\\x1b]52;c;SGVsbG8=\\x07" in shown  # line breaks kept
    # JSON: escapes only; parsed, the data is exactly what is stored
    raw = cli(env, "list", "--format", "json").stdout
    assert "\\u009b31m" in raw and "\\u202e" in raw
    [record] = json.loads(raw)
    assert (record["name"], record["company"]) == (HOSTILE_NAME, "\x1b[31mred")


def test_csv_is_escaped_on_a_terminal_and_exact_in_a_pipe(
    env: dict[str, str], tmp_path: Path
) -> None:
    pid = legacy_store(tmp_path / "store")
    piped = cli(env, "list", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(piped, newline="")))
    assert rows[1][1] == HOSTILE_NAME  # data for a spreadsheet: as stored
    for args in (["list", "--format", "csv"], ["export", "--format", "csv"], ["export"]):
        code, out, err = on_terminal(env, *args)
        assert code == 0, err
        assert_nothing_raw(out, err)
        escaped = "\\u001b]0;pwn\\u0007" if args == ["export"] else "\\x1b]0;pwn\\x07"
        assert escaped + "Evil" in out  # JSON escapes C0 itself
    code, out, err = on_terminal(env, "show", pid)
    assert code == 0 and "[bold]x[/bold]" in out  # rich markup in data is text
    assert_nothing_raw(out.replace("\x1b[", ""), err)  # rich's own styling aside
    assert "\x1b]" not in out and "\x07" not in out and "\u202e" not in out


def test_rich_tables_on_a_terminal_escape_and_never_read_markup(
    env: dict[str, str], tmp_path: Path
) -> None:
    legacy_store(tmp_path / "store")
    for args in (["list"], ["board"]):
        code, out, err = on_terminal(env, *args)
        assert code == 0, err
        assert "\x1b]" not in out and "\x07" not in out and "\u202e" not in out
        assert "\\x1b]0;pwn\\x07Evil" in out


def test_the_import_report_escapes_the_file_name(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / f"{OSC_TITLE}people.csv"
    path.write_text("Name,Email\nJane,jane@acme.example\n", encoding="utf-8")
    result = cli(env, "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "\\x1b]0;pwn\\x07people.csv (csv): 1 created" in result.stdout
    assert_nothing_raw(result.stdout, result.stderr)
    history = cli(env, "history", "Jane").stdout
    assert "created from csv ]0;pwnpeople.csv" in history  # stored cleaned
    missing = cli(env, "import", f"{path}.missing")
    assert missing.returncode == 4 and "\\x1b]0;pwn\\x07people.csv.missing" in missing.stderr
    assert_nothing_raw(missing.stderr)


@pytest.mark.parametrize(
    "args",
    [
        [OSC_TITLE],
        ["list", "--limit", OSC_TITLE],
        ["list", f"--{OSC_TITLE}"],
        [f"--{OSC_TITLE}", "list"],
        ["show", OSC_TITLE],
        ["list", "--stage", OSC_TITLE],
    ],
)
def test_errors_quoting_what_was_typed_escape_it(env: dict[str, str], args: list[str]) -> None:
    result = cli(env, *args)
    assert result.returncode in (2, 3, 4)
    assert "\\x1b]0;pwn\\x07" in result.stderr
    assert_nothing_raw(result.stdout, result.stderr)


def test_commands_print_only_through_render_and_errors() -> None:
    """One place escapes output: a command printing on its own would bypass it."""
    import re

    import socialcrm.cli

    printing = re.compile(
        r"typer\.(echo|secho)\(|(?<![\w.])print\(|console\.print\(|sys\.std(out|err)\.write"
    )
    package = Path(socialcrm.cli.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if path.name in {"render.py", "errors.py"} and path.parent == package:
            continue
        found = printing.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.relative_to(package)} prints directly: {found.group()}"


def test_a_confirmation_question_escapes_the_name(
    run: Run, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = legacy_store(db)
    monkeypatch.setattr(context, "stdin_is_terminal", lambda: True)
    refused = run("rm", pid, input="n\n", code=1)
    assert "Erase \\x1b]0;pwn\\x07Evil" in refused.stdout
    assert_nothing_raw(refused.stdout, refused.stderr)


def test_a_prospect_over_a_cap_is_refused_by_the_cli_and_nothing_is_written(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    before = store_bytes(tmp_path / "store")
    tags = [arg for i in range(101) for arg in ("--tag", f"t{i}")]
    result = cli(env, "add", "Zoé Durand", *tags)
    assert result.returncode == 4
    assert result.stderr.startswith("error: tags holds 101 values, over the cap of 100")
    note = cli(env, "note", "Jane Doe", "x" * 20_001)
    assert note.returncode == 4
    assert note.stderr.startswith(
        "error: text is longer than the cap of 20,000 characters (20,001)"
    )
    assert store_bytes(tmp_path / "store") == before
