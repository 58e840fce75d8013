"""Numbers in tables and sentences follow the rep's language; CSV cells stay neutral;
a count with nothing to name reads as a whole sentence (issue 27's leftovers)."""

from __future__ import annotations

import re
from pathlib import Path

from .console import run_console


def _ok(tmp_path: Path, lang: str, *args: str) -> str:
    done = run_console("--db", str(tmp_path / "store"), *args, lang=lang, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_warmth_has_a_decimal_comma_in_french_and_a_point_in_csv(tmp_path: Path) -> None:
    _ok(tmp_path, "C.UTF-8", "add", "Jane Doe", "--url", "https://www.linkedin.com/in/janedoe")
    jane = "https://www.linkedin.com/in/janedoe"
    _ok(tmp_path, "C.UTF-8", "engage", jane, "comment")
    french = _ok(tmp_path, "fr_FR.UTF-8", "warmth", jane)
    assert "chaleur 3,00 (" in french or "chaleur 2,99 (" in french, french
    assert "3.00" not in french and "2.99" not in french
    english = _ok(tmp_path, "C.UTF-8", "warmth", jane)
    assert "warmth 3.00 (" in english or "warmth 2.99 (" in english, english
    csv = _ok(tmp_path, "fr_FR.UTF-8", "warmth", jane, "--format", "csv").splitlines()
    assert csv[0] == "at,kind,network,weight,value"
    assert csv[1].split(",")[3:] in (["3", "3.00"], ["3", "2.99"]), csv


def test_post_rates_are_neutral_in_csv_whatever_the_language(tmp_path: Path) -> None:
    _ok(tmp_path, "C.UTF-8", "post", "log", "linkedin", "--views", "1000", "--reactions", "45")
    french = _ok(tmp_path, "fr_FR.UTF-8", "post", "list")
    assert re.search(r"\b4,5\s%", french), french  # a no-break space before %
    csv = _ok(tmp_path, "fr_FR.UTF-8", "post", "list", "--format", "csv").splitlines()
    assert csv[1].split(",")[2:5] == ["1000", "45", "4.5 %"], csv
    assert csv == _ok(tmp_path, "C.UTF-8", "post", "list", "--format", "csv").splitlines()


def test_erasing_someone_never_stored_names_no_pipeline(tmp_path: Path) -> None:
    _ok(tmp_path, "C.UTF-8", "add", "Jane Doe", "--email", "jane@acme.example")
    for lang in ("C.UTF-8", "fr_FR.UTF-8"):
        said = _ok(tmp_path, lang, "privacy", "erase", "nobody@example.com", "--yes")
        assert "0 " in said and "pipeline" not in said and " from " not in said, said
    stored = _ok(tmp_path, "fr_FR.UTF-8", "privacy", "erase", "jane@acme.example", "--yes")
    assert "pipeline(s) default" in stored, stored


def test_a_goal_s_deadline_is_a_date_in_the_rep_s_language(tmp_path: Path) -> None:
    goal = ("goal", "set", "followers", "1200", "--network", "linkedin", "--by", "2099-06-25")
    assert "d'ici le 25 juin 2099" in _ok(tmp_path, "fr_FR.UTF-8", *goal)
    assert "d'ici le 25 juin 2099" in _ok(tmp_path, "fr_FR.UTF-8", "goal", "list")
    assert "by 2099-06-25" in _ok(tmp_path, "C.UTF-8", "goal", "list")
    csv = _ok(tmp_path, "fr_FR.UTF-8", "goal", "list", "--format", "csv").splitlines()
    assert csv == _ok(tmp_path, "C.UTF-8", "goal", "list", "--format", "csv").splitlines()
