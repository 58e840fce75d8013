"""Messages that used to glue an English word into a translated sentence ("{where} …",
"{verb} …") are whole sentences: French through the console script, English unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("socialcrm")


def _run(*args: str, lang: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "SOCIALCRM_"))}
    env.pop("LANGUAGE", None)
    env.update(LANG=lang, SOCIALCRM_CONFIG=str(cwd / "none.toml"), NO_COLOR="1")
    return subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_demo_refusing_a_store_in_use_is_one_french_sentence(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("add", "Jo Bo", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    french = _run("demo", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode != 0
    assert f"la base {store} contient déjà des prospects\u202f;" in french.stderr
    assert "the store" not in french.stderr
    english = _run("demo", "--db", store, lang="C", cwd=tmp_path)
    assert f"the store {store} already holds prospects;" in english.stderr


def test_a_purge_says_what_it_would_do_in_one_french_sentence(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    purge = ("privacy", "purge", "--expired", "--dry-run", "--db", store)
    french = _run(*purge, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 0, french.stderr
    assert "effacerait 0 personne(s) dont les données ont expiré" in french.stdout
    assert "would erase" not in french.stdout
    english = _run(*purge, lang="C", cwd=tmp_path)
    assert "would erase 0 person(s) whose data expired" in english.stdout
