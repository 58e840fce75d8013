"""End-to-end: the installed ``socialcrm`` console script in real processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_help(env: dict[str, str]) -> None:
    result = cli(env, "--help")
    assert result.returncode == 0
    for command in ("add", "list", "move", "board", "demo", "pipeline"):
        assert f"  {command} " in result.stdout
    assert "\x1b[" not in result.stdout  # piped: plain


def test_list_json_piped_into_a_parser(env: dict[str, str]) -> None:
    added = cli(env, "add", "Jane Doe", "--email", "jane@acme.example", "--tag", "x")
    assert added.returncode == 0, added.stderr
    producer = subprocess.Popen(
        [str(SCRIPT), "list", "--format", "json"], env=env, stdout=subprocess.PIPE
    )
    consumer = subprocess.run(
        [sys.executable, "-c", "import json,sys; d=json.load(sys.stdin); print(d[0]['id'])"],
        stdin=producer.stdout,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert producer.stdout is not None
    producer.stdout.close()
    assert producer.wait(timeout=60) == 0
    assert consumer.returncode == 0, consumer.stderr
    assert consumer.stdout.strip() == added.stdout.strip()


def test_refused_move_exit_code_and_problems(env: dict[str, str]) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    result = cli(env, "move", "Jane Doe", "notoriety")
    assert result.returncode == 5
    assert result.stdout == ""
    assert "profile.has-identity" in result.stderr and "fix:" in result.stderr
    assert "Traceback" not in result.stderr
    shown = json.loads(cli(env, "show", "Jane Doe", "--format", "json").stdout)
    assert shown["stage"] == "profile"


def test_not_found_exit_code(env: dict[str, str]) -> None:
    result = cli(env, "show", "nobody")
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_python_dash_m(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "socialcrm.cli", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.startswith("socialcrm ")


def test_version_is_the_installed_one_without_importlib_metadata(env: dict[str, str]) -> None:
    """--version prints socialcrm.__version__, the attribute the build reads (pyproject.toml)."""
    import importlib.metadata

    import socialcrm

    assert importlib.metadata.version("socialcrm") == socialcrm.__version__
    assert cli(env, "--version").stdout == f"socialcrm {socialcrm.__version__}\n"
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from socialcrm.cli.app import _version; _version(); "
            "print('importlib.metadata' in sys.modules)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip() == "False"


def _modules_after(
    env: dict[str, str], tmp_path: Path, *argv: str, top_level: bool = True
) -> set[str]:
    """Modules (top-level names by default) imported by one CLI run, in a fresh interpreter."""
    out = tmp_path / "modules.txt"
    name = "m.split('.')[0]" if top_level else "m"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(out)!r}, 'w').write("
        f"'\\n'.join(sorted({{{name} for m in sys.modules}}))))\n"
        "from socialcrm.cli import main\n"
        f"main({list(argv)!r})\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=60, check=False
    )
    return set(out.read_text().split())


def test_startup_stays_light(env: dict[str, str], tmp_path: Path) -> None:
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, socialcrm.cli; print(' '.join(sorted(sys.modules)))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    heavy = {"typer", "click", "rich", "tinydb", "pydantic"}
    assert heavy.isdisjoint(m.split(".")[0] for m in imported)
    # --help when piped: plain help, no store, no rich, no pydantic
    assert {"rich", "tinydb", "pydantic"}.isdisjoint(_modules_after(env, tmp_path, "--help"))
    # a command: the store, but never pydantic (Typer would build adapters with it)
    assert cli(env, "add", "Jane Doe").returncode == 0
    modules = _modules_after(env, tmp_path, "show", "Jane Doe")
    assert "tinydb" in modules
    assert "pydantic" not in modules and "rich" not in modules


@pytest.mark.parametrize(
    "argv",
    [
        ("today",),  # a Path option (--ics) not given: Typer built a pydantic adapter anyway
        ("today", "--ics", "calendar.ics"),
        ("export", "--out", "backup.json"),
    ],
)
def test_path_options_do_not_load_pydantic(
    env: dict[str, str], tmp_path: Path, argv: tuple[str, ...]
) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    resolved = [str(tmp_path / a) if a.endswith((".ics", ".json")) else a for a in argv]
    assert "pydantic" not in _modules_after(env, tmp_path, *resolved)
    assert all(not a.endswith((".ics", ".json")) or Path(a).is_file() for a in resolved)


def test_path_options_keep_typer_checks(env: dict[str, str], tmp_path: Path) -> None:
    """The light converter turns the text into a Path, then Typer's own checks run."""
    refused = cli(env, "today", "--ics", str(tmp_path))  # dir_okay=False
    assert refused.returncode == 2
    assert "--ics" in refused.stderr and "is a directory" in refused.stderr
    missing = cli(env, "import", str(tmp_path / "nowhere.csv"))
    assert missing.returncode != 0 and "nowhere.csv" in missing.stderr
    assert "Traceback" not in missing.stderr + refused.stderr


def test_show_and_move_do_not_load_the_network_adapters(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The stage-1 rule runs on each show and move: it reads the pipeline, not the adapters."""
    url = "https://www.linkedin.com/in/jane-doe"
    assert cli(env, "add", "Jane Doe", "--url", url).returncode == 0
    assert cli(env, "profile", "set", "linkedin", "photo=no").returncode == 0
    heavy = {"socialcrm.networks", "socialcrm.playbook.seller_profile"}
    shown = _modules_after(env, tmp_path, "show", "Jane Doe", top_level=False)
    assert "socialcrm.playbook.seller_profile_rule" in shown  # the rule did run
    assert heavy.isdisjoint(shown)
    moved = _modules_after(env, tmp_path, "move", "Jane Doe", "identify", top_level=False)
    assert heavy.isdisjoint(moved)
    # and the rule still refuses the move: the recorded profile lacks its photo
    refused = cli(env, "move", "Jane Doe", "identify")
    assert refused.returncode == 5 and "photo" in refused.stderr.lower()


def test_shell_completion_is_enabled(env: dict[str, str]) -> None:
    completing = dict(env, _SOCIALCRM_COMPLETE="complete_bash", COMP_WORDS="socialcrm list --st")
    completing["COMP_CWORD"] = "2"
    result = subprocess.run(
        [str(SCRIPT)], env=completing, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0
    assert {"--stage", "--status"} <= set(result.stdout.split())


def test_edit_records_its_changes_without_cattrs(env: dict[str, str], tmp_path: Path) -> None:
    """An edit's Edited event is built from the stored form (the fast codec): importing
    cattrs, the reference converter, cost every ``edit`` ~7 % of its CPU instructions."""
    assert cli(env, "add", "Jane Doe").returncode == 0
    modules = _modules_after(env, tmp_path, "edit", "Jane Doe", "--set", "title=CTO")
    assert "socialcrm" in modules and "cattrs" not in modules
    history = cli(env, "--format", "json", "history", "Jane Doe")
    edited = [e for e in json.loads(history.stdout) if e["kind"] == "edited"]
    assert [e["data"]["changes"] for e in edited] == [{"title": [None, "CTO"]}]
