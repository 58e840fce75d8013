"""Messages that used to glue an English word into a translated sentence ("{where} …",
"{verb} …") are whole sentences: French through the console script, English unchanged."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.i18n.marking import glued_literals

from .console import run_console as _run

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    [*(ROOT / "src" / "socialcrm").rglob("*.py"), *(ROOT / "plugins").glob("*/src/**/*.py")]
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_english_literal_is_glued_into_a_translated_sentence(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{path.name}:{n.lineno}: {ast.unparse(n)[:60]}" for n in glued_literals(tree)]
    assert not found, "make each case its own whole message:\n" + "\n".join(found)


def test_the_glue_check_finds_literals_in_placeholders() -> None:
    source = """
_("{where} {path} is full").format(where="the store", path=p)
_("upgraded from {value}").format(value=before or "nothing")
_("{n} rows").format(n=3)
_("{name}: {reason}").format(name=name, reason=_("marked"))
t_("by {by}").format(by="2026-01-01")
"""
    found = [ast.unparse(n) for n in glued_literals(ast.parse(source))]
    assert found == ["'the store'", "'nothing'"]


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
