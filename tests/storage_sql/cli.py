"""Running the installed ``socialcrm`` console script, as a rep would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT


def clean_env(**values: str) -> dict[str, str]:
    """The environment without any SOCIALCRM_ variable, plus ``values``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    env.pop("PGPASSWORD", None)
    env.update(values)
    return env


def run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def ok(env: dict[str, str], *args: str) -> str:
    """stdout of a command that must succeed."""
    result = run(env, *args)
    assert result.returncode == 0, (args, result.returncode, result.stderr)
    return result.stdout


def exported(env: dict[str, str], db: str) -> Any:
    """The store's JSON export (every pipeline), without its export time: the CLI's."""
    data = json.loads(ok(env, "--db", db, "export", "--format", "json", "--all-pipelines"))
    data.pop("exported_at")
    return data


def exported_by_library(db: str) -> Any:
    """The same as :func:`exported`, through the library (no process to start)."""
    import io

    from socialcrm.crm import CRM
    from socialcrm.io.exports import export_prospects
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository

    crm = CRM(open_repository(db), get_plugin_manager())
    try:
        out = io.StringIO()
        export_prospects(crm, crm.exporters()["json"], out, all_pipelines=True)
    finally:
        crm.close()
    data = json.loads(out.getvalue())
    data.pop("exported_at")
    return data
