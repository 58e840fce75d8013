"""``socialcrm doctor`` speaks the rep's language; its ``--format json`` does not
(docs/languages.md): a script reading findings must not depend on the locale."""

from __future__ import annotations

import json
from pathlib import Path

from .console import run_console as _run


def _store_with_a_readable_file(tmp_path: Path) -> tuple[str, Path]:
    store = tmp_path / "store"
    assert _run("add", "Jo Bo", "--db", str(store), lang="C", cwd=tmp_path).returncode == 0
    data = sorted((store / "data").glob("p-*.json"))[0]
    data.chmod(0o644)
    return str(store), data


def test_doctor_findings_are_french_under_a_french_locale(tmp_path: Path) -> None:
    store, data = _store_with_a_readable_file(tmp_path)
    french = _run("doctor", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path)
    english = _run("doctor", "--db", store, lang="C", cwd=tmp_path)
    assert french.returncode == english.returncode == 6
    assert (
        "permissions\u00a0: le fichier est accessible aux autres utilisateurs (mode 0644)\u202f; "
        "il contient des données personnelles" in french.stdout
    )
    assert f"chmod 600 '{data}'" in french.stdout  # a command stays a command
    assert "aucune sauvegarde pour l'instant" in french.stdout
    assert "accessible to other users" not in french.stdout
    assert (
        "warning permissions: file is accessible to other users (mode 0644); "
        "it holds personal data" in english.stdout
    )


def test_doctor_json_is_the_same_bytes_in_every_locale(tmp_path: Path) -> None:
    store, _data = _store_with_a_readable_file(tmp_path)
    runs = [
        _run("doctor", "--db", store, "--format", "json", lang=lang, cwd=tmp_path)
        for lang in ("fr_FR.UTF-8", "C")
    ]
    assert runs[0].returncode == runs[1].returncode == 6
    assert runs[0].stdout == runs[1].stdout
    finding = json.loads(runs[0].stdout)["findings"][0]
    assert finding["level"] == "warning" and finding["code"] == "permissions"
    assert finding["message"].startswith("file is accessible to other users")


def test_the_sql_doctor_is_french_too_and_its_json_is_not(tmp_path: Path) -> None:
    database = tmp_path / "crm.db"
    url = f"sqlite:///{database}"
    assert _run("db", "upgrade", "--db", url, lang="C", cwd=tmp_path).returncode == 0
    assert _run("add", "Jo Bo", "--db", url, lang="C", cwd=tmp_path).returncode == 0
    database.chmod(0o644)
    french = _run("doctor", "--db", url, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 6
    assert "le fichier est accessible aux autres utilisateurs (mode 0644)" in french.stdout
    assert "accessible to other users" not in french.stdout
    runs = [
        _run("doctor", "--db", url, "--format", "json", lang=lang, cwd=tmp_path)
        for lang in ("fr_FR.UTF-8", "C")
    ]
    assert runs[0].stdout == runs[1].stdout
    assert "file is accessible to other users" in runs[0].stdout
