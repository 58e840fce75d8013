"""The installed console script run in one language: how the i18n tests run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("socialcrm")


def run_console(*args: str, lang: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    """``socialcrm ARGS`` under ``LANG=lang``, no locale or socialcrm variable of ours,
    no configuration file, no colour (``extra``: more environment variables)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "SOCIALCRM_"))}
    env.pop("LANGUAGE", None)
    env.update(LANG=lang, SOCIALCRM_CONFIG=str(cwd / "none.toml"), NO_COLOR="1", **extra)
    return subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
