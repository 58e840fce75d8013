"""Which language socialcrm speaks, and the CLI speaking it (real console-script runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm import i18n
from socialcrm.cli.app import COMMANDS
from socialcrm.cli.language import lang_argument

SCRIPT = Path(sys.executable).with_name("socialcrm")
if not SCRIPT.exists():  # pragma: no cover - another layout
    found = shutil.which("socialcrm")
    SCRIPT = Path(found) if found else SCRIPT


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.activate("en")


def test_choose_follows_the_documented_precedence() -> None:
    env = {"SOCIALCRM_LANG": "fr", "LC_ALL": "en_US.UTF-8", "LANG": "fr_FR.UTF-8"}
    assert i18n.choose("en", "fr", env) == "en"  # --lang first
    assert i18n.choose(None, "en", env) == "fr"  # then SOCIALCRM_LANG
    assert i18n.choose(None, "fr", {"LC_ALL": "en_US.UTF-8"}) == "fr"  # then the file
    assert i18n.choose(None, None, {"LC_ALL": "fr_CA.UTF-8", "LANG": "en_GB"}) == "fr"
    assert i18n.choose(None, None, {"LC_MESSAGES": "fr_BE", "LANG": "en_GB"}) == "fr"
    assert i18n.choose(None, None, {"LANG": "fr_FR.UTF-8"}) == "fr"
    assert i18n.choose(None, None, {"LANG": "C"}) == "en"
    assert i18n.choose(None, None, {}) == "en"  # English fallback
    # a language without a catalogue passes the choice on
    assert i18n.choose("de", None, {"LANG": "fr_FR.UTF-8"}) == "fr"
    assert i18n.choose(None, None, {"LANG": "de_DE.UTF-8"}) == "en"


@given(st.text(max_size=30))
def test_normalise_never_fails_and_only_names_known_languages(code: str) -> None:
    assert i18n.normalise(code) in (None, *i18n.LANGUAGES)


def test_lang_argument_reads_both_spellings_and_stops_at_double_dash() -> None:
    assert lang_argument(["--lang", "fr", "list"]) == "fr"
    assert lang_argument(["list", "--lang=fr"]) == "fr"
    assert lang_argument(["note", "x", "--", "--lang", "fr"]) is None
    assert lang_argument(["list"]) is None


def test_gettext_translates_only_when_french_is_active() -> None:
    assert i18n.gettext("Usage:") == "Usage:"
    assert i18n.ngettext("one", "many", 1) == "one"
    assert i18n.ngettext("one", "many", 2) == "many"
    i18n.activate("fr")
    assert i18n.gettext("Usage:") == "Usage\u00a0:"
    assert i18n.ngettext("one", "many", 2) == "many"  # not in the catalogue: as given
    assert i18n.gettext("not a message of ours") == "not a message of ours"


needs_script = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCIALCRM_", "LC_"))}
    env.pop("LANGUAGE", None)
    env["SOCIALCRM_CONFIG"] = str(tmp_path / "config.toml")
    env["LANG"] = "C.UTF-8"
    env.update(extra)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@needs_script
def test_demo_speaks_french_under_a_french_locale(tmp_path: Path) -> None:
    result = _run(_env(tmp_path, LANG="fr_FR.UTF-8"), "demo", "--db", str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Base de démo" in out
    assert "ÉTAPE" in out and "PROSPECTS" in out
    assert "À faire aujourd'hui (socialcrm today)" in out
    assert "identification" in out and "gagné" in out
    assert "Essayez ensuite\u00a0:" in out
    for english in ("Demo store", "What to do today", "Try next:", "STAGE ", "replied "):
        assert english not in out, english


@needs_script
def test_lang_option_and_configuration_file(tmp_path: Path) -> None:
    env = _env(tmp_path, LANG="fr_FR.UTF-8")
    assert "Usage:" in _run(env, "--lang", "en", "--help").stdout  # --lang beats LANG
    assert "Usage\u00a0:" in _run(env, "--help").stdout
    english = _env(tmp_path)
    assert "Usage:" in _run(english, "--help").stdout
    (tmp_path / "config.toml").write_text('language = "fr"\n', encoding="utf-8")
    assert "Usage\u00a0:" in _run(english, "--help").stdout  # the file beats LANG
    assert "Usage:" in _run({**english, "SOCIALCRM_LANG": "en"}, "--help").stdout


@needs_script
def test_click_usage_errors_in_french(tmp_path: Path) -> None:
    result = _run(_env(tmp_path, LANG="fr_FR.UTF-8"), "show")
    assert result.returncode == 2
    assert "Argument manquant" in result.stderr
    assert "Essayez 'socialcrm show --help' pour l'aide." in result.stderr


@needs_script
def test_json_and_csv_are_the_same_bytes_in_every_language(tmp_path: Path) -> None:
    store = str(tmp_path / "d")
    french, c = _env(tmp_path, LANG="fr_FR.UTF-8"), _env(tmp_path, LANG="C")
    assert _run(c, "demo", "--db", store).returncode == 0
    yesterday = (date.today() - timedelta(days=1)).isoformat()  # reports stop at now
    for args in (
        ["list", "--format", "json"],
        ["board", "--format", "json"],
        ["today", "--format", "json"],
        ["today", "--format", "csv"],
        ["list", "--format", "csv"],
        ["report", "funnel", "--until", yesterday, "--format", "csv"],
        ["report", "outreach", "--until", yesterday, "--format", "json"],
        ["history", "Karim Benali", "--format", "csv"],
    ):
        in_french = _run(french, "--db", store, *args)
        in_c = _run(c, "--db", store, *args)
        assert in_french.returncode == in_c.returncode == 0, in_french.stderr
        assert in_french.stdout.encode() == in_c.stdout.encode(), args
        assert in_c.stdout.strip(), args


@needs_script
def test_every_command_help_is_french(tmp_path: Path) -> None:
    """Each command's --help under LANG=fr_FR.UTF-8 has French headings and no English
    sentence of the catalogue (each translated message is looked for)."""
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "fr" / "LC_MESSAGES" / "socialcrm.po").open("rb") as f:
        catalogue = read_po(f)
    english = [
        m.id.split("\n", 1)[0]
        for m in catalogue
        if isinstance(m.id, str) and len(m.id) > 25 and m.id != m.string and "{" not in m.id
    ]
    env = _env(tmp_path, LANG="fr_FR.UTF-8", COLUMNS="2000")
    for command in sorted(COMMANDS):
        out = _run(env, command, "--help")
        assert out.returncode == 0, (command, out.stderr)
        assert "Usage\u00a0:" in out.stdout, command
        assert "Afficher ce message et quitter." in out.stdout, command
        flat = " ".join(out.stdout.split())
        leaks = [e for e in english if " ".join(e.split()) in flat]
        assert not leaks, (command, leaks[:3])


@needs_script
def test_an_unknown_lang_option_is_a_usage_error_but_the_variable_is_passed_over(
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, SOCIALCRM_DB=str(tmp_path / "store"))
    for args in (["--lang", "de", "list"], ["list", "--lang=de"]):
        refused = _run(env, *args)
        assert refused.returncode == 2, args
        assert "'de' is not a language socialcrm speaks (en, fr)" in refused.stderr
    passed_over = _run({**env, "SOCIALCRM_LANG": "de", "LANG": "fr_FR.UTF-8"}, "list")
    assert passed_over.returncode == 0, passed_over.stderr
    assert passed_over.stdout.startswith("ID  NOM  ÉTAPE")  # LANG decides


def test_a_list_in_a_sentence_follows_the_language_s_typography() -> None:
    assert i18n.join_list(["a", "b", "c"]) == "a; b; c"
    i18n.activate("fr")
    try:
        assert i18n.join_list(["a", "b"]) == "a\u202f; b"
        i18n.set_neutral(True)
        assert i18n.join_list(["a", "b"]) == "a; b"  # JSON and CSV stay English
    finally:
        i18n.set_neutral(False)
        i18n.activate("en")
