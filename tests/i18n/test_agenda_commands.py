"""The words a rep replaces in a suggested command are in their language in the table,
and in English in JSON (issue 27): ``--sent "VOTRE RÉPONSE"`` / ``"YOUR ANSWER"``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("socialcrm")


def _run(store: Path, lang: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCIALCRM_", "LC_"))}
    env.update(LANG=lang, NO_COLOR="1")
    done = subprocess.run(
        [str(SCRIPT), "--db", str(store), *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_placeholders_of_the_agenda_follow_the_language_but_json_stays_english(
    tmp_path: Path,
) -> None:
    store = tmp_path / "demo"
    _run(store, "C.UTF-8", "demo")
    french = _run(store, "fr_FR.UTF-8", "today")
    assert '--sent "VOTRE RÉPONSE"' in french and "YOUR ANSWER" not in french
    english = _run(store, "C.UTF-8", "today")
    assert '--sent "YOUR ANSWER"' in english
    items = json.loads(_run(store, "fr_FR.UTF-8", "today", "--format", "json"))
    assert any(i["command"].endswith('--sent "YOUR ANSWER"') for i in items)
    assert _run(store, "fr_FR.UTF-8", "today", "--format", "json") == _run(
        store, "C.UTF-8", "today", "--format", "json"
    )
