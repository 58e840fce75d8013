"""docs/playbook.md walks a rep from profile to won: run its commands as written."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "playbook.md"
SCRIPT = Path(sys.executable).parent / "socialcrm"


def _bash_blocks(text: str) -> str:
    return "\n".join(re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL))


@pytest.mark.skipif(
    importlib.util.find_spec("socialcrm_linkedin") is None or not SCRIPT.exists(),
    reason="needs the socialcrm console script and the LinkedIn plugin",
)
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = _bash_blocks(DOC.read_text(encoding="utf-8"))
    assert script.count("socialcrm ") > 30
    script += '\nsocialcrm show "$JANE" --format json > final.json\n'
    env = {
        **os.environ,
        "PATH": f"{SCRIPT.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "200",
        "SOCIALCRM_DISABLE_PLUGINS": "",
    }
    env.pop("SOCIALCRM_DB", None)
    env.pop("SOCIALCRM_PIPELINE", None)
    done = subprocess.run(
        ["bash", "-u", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "unexpected" not in out, out
    for expected in (
        "your own LinkedIn profile fails its checklist (8 missing)",
        "score 60 / threshold 50: qualifies",
        "ICP score 30 is below the threshold 50 (sector +20; location +10)",
        "Jane Doe: warmth 4.00 (warm)",
        "1 post(s): engagement 2.1 % (target 4.0 %) — below target",
        "typo: unknown variable {frist_name}",
        "message is 328 characters, 28 over the 300-character limit of linkedin",
        "step 1/3 of 'warm-intro' recorded as sent to Jane Doe",
        "no follow-up after a reply",
        "no e-mail or phone is recorded",
    ):
        assert expected in out, f"{expected!r} not in:\n{out}"
    final = json.loads((tmp_path / "final.json").read_text())
    assert final["status"] == "won" and final["emails"] == ["jane@acme.example"]
    assert final["stage"] == "convert"
