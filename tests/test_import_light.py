"""``import socialcrm`` stays light: no CLI, no storage, no work at import time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FORBIDDEN = (
    "typer",
    "click",
    "rich",
    "tinydb",
    "orjson",
    "filelock",
    "platformdirs",
    "sqlalchemy",
    "alembic",
    "psycopg",
)
SQL_MODULES = ("sqlalchemy", "alembic", "psycopg")


def test_import_does_not_load_cli_or_storage() -> None:
    code = (
        "import sys, socialcrm, socialcrm.crm, socialcrm.plugins\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def test_import_scans_no_entry_points(monkeypatch: object) -> None:
    code = (
        "import importlib.metadata as md\n"
        "calls = []\n"
        "orig = md.entry_points\n"
        "md.entry_points = lambda *a, **k: calls.append(1) or orig(*a, **k)\n"
        "import socialcrm\n"
        "print(len(calls))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "0"


def test_the_directory_store_never_loads_sqlalchemy(tmp_path: Path) -> None:
    """A TinyDB store, from the library and from the CLI, imports no SQL library."""
    code = (
        "import sys\n"
        "from socialcrm.cli.app import run\n"
        f"for args in (['add', 'Zoé'], ['list'], ['doctor'], ['--help']):\n"
        f"    try:\n"
        f"        run(['--db', {str(tmp_path / 'store')!r}, *args])\n"
        "    except SystemExit as exc:\n"
        "        assert not exc.code, exc.code\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {SQL_MODULES!r})\n"
        "print('LOADED:' + ','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("LOADED:")
