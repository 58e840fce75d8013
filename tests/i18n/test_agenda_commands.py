"""The words a rep replaces in a suggested command are in their language in the table,
and in English in JSON (issue 27): ``--sent "VOTRE RÉPONSE"`` / ``"YOUR ANSWER"``."""

from __future__ import annotations

import json
from pathlib import Path

from .console import run_console


def _run(store: Path, lang: str, *args: str) -> str:
    done = run_console("--db", str(store), *args, lang=lang, cwd=store.parent)
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
