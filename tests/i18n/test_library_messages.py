"""The library's own messages (typed errors, their hints, a refused move's problems) are
marked for translation and shown in French to a French rep (docs/languages.md)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from socialcrm import i18n
from socialcrm.errors import NotFoundError, StoreLockedError
from tests.i18n.marking import unmarked_errors, unstable_skip_reasons

from .console import run_console as _run

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "socialcrm"

LIBRARY = sorted(
    p for p in SRC.rglob("*.py") if p.relative_to(SRC).parts[0] not in ("cli", "testing")
)


def _unmarked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.name}:{n.lineno}: {ast.unparse(n)[:60]}" for n in unmarked_errors(tree)]


@pytest.mark.parametrize(
    "path",
    LIBRARY,
    ids=lambda p: p.relative_to(SRC).as_posix(),
)
def test_library_error_messages_are_marked(path: Path) -> None:
    found = _unmarked(path)
    assert not found, "wrap these in _() (socialcrm.i18n.text):\n" + "\n".join(found)


def test_the_error_check_finds_unmarked_literals() -> None:
    source = """
raise ValidationError("plain", hint="a hint")
raise ValidationError(_("marked {x}").format(x=1), hint=_("marked hint"))
raise StoreError(f"{path} is gone")
raise RuntimeError("a bug, not for the rep")
StoreCorruptError(path=p, detail="damaged")
Problem("profile.has-identity", "no identity", "add one")
Problem("profile.has-identity", _("marked"), _("marked fix"))
Suppression(repository).add(identifiers, reason="objection")
Finding("warning", "permissions", f"mode {mode}", str(path), "chmod it")
Finding("warning", "permissions", _("marked {mode}").format(mode=m), path, _("marked fix"))
Finding("info", "no-backup", "none yet", None, fix="run it")
self._bad("orphan-event", f"event {row.id} of unknown prospect")
"""
    found = [ast.unparse(n) for n in unmarked_errors(ast.parse(source))]
    assert sorted(found) == sorted(
        [
            "'plain'",
            "'a hint'",
            "f'{path} is gone'",
            "'damaged'",
            "'no identity'",
            "'add one'",
            "f'mode {mode}'",
            "'chmod it'",
            "'none yet'",
            "'run it'",
            "f'event {row.id} of unknown prospect'",
        ]
    )


@pytest.mark.parametrize(
    "path",
    LIBRARY,
    ids=lambda p: p.relative_to(SRC).as_posix(),
)
def test_library_skip_reasons_are_constant_english_messages(path: Path) -> None:
    from socialcrm.io.importing.report import GROUPED_KINDS

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"{path.name}:{n.lineno}: {ast.unparse(n)[:60]}"
        for n in unstable_skip_reasons(tree, GROUPED_KINDS)
    ]
    assert not found, "mark these skip reasons N_() as constant messages:\n" + "\n".join(found)


def test_the_skip_reason_check_finds_unmarked_and_unstable_reasons() -> None:
    source = """
b.outcome(row, "skipped", "unchanged", name=name)
b.outcome(row, "skipped", N_("unchanged"), name=name)
b.outcome(row, "skipped", _("pipeline unchanged"))
b.outcome(row, "skipped", _("setting {key} unchanged").format(key=k))
b.outcome(row, "skipped", _("already known as {id}").format(id=i))
b.outcome(row, "skipped", f"from {who}")
b.outcome(row, "skipped", reason)
b.outcome(row, "created", "changed: " + fields)
batch.outcome(item.row, "skipped", item.reason)
yield SkippedRow(line, "draft")
yield SkippedRow(line, N_("draft"))
"""
    found = [ast.unparse(n) for n in unstable_skip_reasons(ast.parse(source), ("already known",))]
    assert sorted(found) == sorted(
        [
            "'unchanged'",
            "_('pipeline unchanged')",
            "_('setting {key} unchanged').format(key=k)",
            "f'from {who}'",
            "'draft'",
        ]
    )


STORAGE = ("storage/doctor.py", "storage/consistency.py", "storage/sql/doctor.py")


def test_the_doctors_findings_are_in_the_checked_modules() -> None:
    checked = {p.relative_to(SRC).as_posix() for p in LIBRARY}
    assert set(STORAGE) <= checked


@pytest.mark.usefixtures("french")
def test_errors_are_built_in_the_language_in_force_but_english_in_a_neutral_run() -> None:
    error = StoreLockedError(path="/s", lock_path="/s/.lock", timeout=2.5)
    assert error.message == "la base /s est occupée\u00a0: verrou /s/.lock non obtenu en 2.5 s"
    assert "réessayez" in (error.hint or "")
    i18n.set_neutral(True)
    assert NotFoundError("bob").message == "no prospect matches 'bob'"


def test_a_host_application_gets_english_by_default() -> None:
    assert i18n.language() == "en"
    assert str(NotFoundError("bob", what="pipeline")) == "no pipeline matches 'bob'"


def test_a_library_error_is_french_through_the_console_script(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    french = _run("show", "nobody", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path)
    english = _run("show", "nobody", "--db", store, lang="C", cwd=tmp_path)
    assert french.returncode == english.returncode == 3
    assert french.stderr.strip() == (
        "erreur\u00a0: aucun prospect ne correspond à 'nobody' (dans le pipeline 'default')"
    )
    assert english.stderr.strip() == "error: no prospect matches 'nobody' (in pipeline 'default')"


def test_a_move_refused_by_exit_criteria_is_french_but_its_json_is_not(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    assert _run("add", "Jo Bo", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    move = ("move", "Jo Bo", "identify", "--db", store)
    french = _run(*move, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 5
    lines = french.stderr.splitlines()
    assert lines[0].startswith("erreur\u00a0: impossible de passer ")
    assert lines[0].endswith(
        "de l'étape profil à l'étape identification\u00a0: 1 critère de sortie non rempli"
    )
    assert lines[1] == "  - le prospect n'a aucune identité de réseau [profile.has-identity]"
    assert "ajoutez l'URL de profil du prospect" in lines[2]
    english = _run(*move, lang="C", cwd=tmp_path)
    assert english.returncode == 5
    assert "1 exit criteria not met" in english.stderr
    assert "  - the prospect has no network identity [profile.has-identity]" in english.stderr
    as_json = [
        _run(*move, "--format", "json", lang=lang, cwd=tmp_path) for lang in ("fr_FR.UTF-8", "C")
    ]
    assert as_json[0].returncode == as_json[1].returncode == 5
    assert as_json[0].stdout == as_json[1].stdout
    assert "the prospect has no network identity" in as_json[0].stderr  # neutral run: English


@pytest.mark.usefixtures("french")
def test_french_skip_reasons_are_grouped_by_their_english_kind() -> None:
    from socialcrm.io.importing.report import reason_kind

    known = i18n.text("already known as {id} ({name}); use --update to update")
    reason = known.format(id="01H", name="Zoé")
    assert reason.startswith("déjà connu")
    assert reason_kind(reason) == "already known"
    merged = i18n.text("same person as row {first_row}: details merged into it")
    assert reason_kind(merged.format(first_row=3)) == "same person as row"


def test_a_french_reimport_shows_constant_skip_kinds_in_french(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    backup = str(tmp_path / "backup.json")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    assert _run("add", "Jo Bo", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    exported = _run(
        "export", "--format", "json", "--out", backup, "--db", store, lang="C", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    again = ("import", backup, "--dry-run", "--db", store)
    french = _run(*again, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 0, french.stderr
    assert "inchangé" in french.stdout
    assert "unchanged" not in french.stdout
    as_json = _run(*again, "--report", "json", lang="fr_FR.UTF-8", cwd=tmp_path)
    kinds = {g["reason"] for g in json.loads(as_json.stdout)["skipped_by_reason"]}
    assert "unchanged" in kinds and "pipeline unchanged" in kinds


def test_built_in_format_descriptions_are_marked_messages(tmp_path: Path) -> None:
    from babel.messages.pofile import read_po

    from socialcrm.crm import CRM
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository

    po = SRC / "locale" / "fr" / "LC_MESSAGES" / "socialcrm.po"
    with po.open("rb") as fh:
        messages = {m.id for m in read_po(fh) if m.id}
    crm = CRM(open_repository(tmp_path / "store"), get_plugin_manager())
    found: list[tuple[str, Any]] = [*crm.importers().items(), *crm.exporters().items()]
    described = {
        name: str(item.description)
        for name, item in found
        if type(item).__module__.startswith("socialcrm.")
    }
    assert {"csv", "socialcrm-json", "vcard", "json", "hubspot"} <= set(described)
    unmarked = {name: d for name, d in described.items() if d not in messages}
    assert not unmarked, "mark these descriptions N_() as whole messages"


def test_setup_tables_are_french_but_their_csv_is_not(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    french = {
        args: _run(*args, "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path).stdout
        for args in (("plugins",), ("config", "list"), ("privacy", "config"), ("formats",))
    }
    assert "STATUT" in french[("plugins",)] and " actif " in french[("plugins",)]
    assert "par défaut" in french[("config", "list")]
    assert "textes remplacés  aucun" in french[("privacy", "config")]
    assert "tout CSV de personnes" in french[("formats",)]
    for shown in french.values():
        assert not {"active", "none", "overridden", "people"} & set(shown.split())
    assert "default" not in french[("config", "list")].split()  # (the pipeline's name is data)
    for args in (("plugins",), ("config", "list"), ("privacy", "config"), ("formats",)):
        as_csv = [
            _run(*args, "--format", "csv", "--db", store, lang=lang, cwd=tmp_path).stdout
            for lang in ("fr_FR.UTF-8", "C")
        ]
        assert as_csv[0] == as_csv[1], args


@pytest.mark.parametrize(
    ("value", "french"),
    [
        ("not-an-email", "Une adresse e-mail doit contenir un @."),
        ("a@b", "La partie après le @ n'est pas valide\u00a0: elle doit contenir un point."),
        ("a..b@x.com", "Une adresse e-mail ne peut pas contenir deux points de suite."),
        ("@x.com", "Il faut quelque chose avant le @."),
        ("a@", "Il faut quelque chose après le @."),
        ("a b@x.com", "L'adresse e-mail contient des caractères invalides avant le @\u00a0: SPACE"),
    ],
)
def test_email_validator_s_common_reasons_are_french(value: str, french: str) -> None:
    """email-validator speaks English only: its common reasons are translated (the
    test fails if a new release rewords one, so the table can follow)."""
    from email_validator import EmailNotValidError, validate_email

    from socialcrm.contact_fields import normalize_email
    from socialcrm.errors import ValidationError

    with pytest.raises(ValidationError) as english:
        normalize_email(value)
    with pytest.raises(EmailNotValidError) as raw:
        validate_email(value, check_deliverability=False)
    assert english.value.message == f"invalid e-mail {value!r}: {raw.value}"  # its own words
    i18n.activate("fr")
    try:
        with pytest.raises(ValidationError) as caught:
            normalize_email(value)
        i18n.set_neutral(True)
        with pytest.raises(ValidationError) as neutral:
            normalize_email(value)
    finally:
        i18n.set_neutral(False)
        i18n.activate("en")
    assert caught.value.message == f"e-mail invalide {value!r}\u00a0: {french}"
    assert neutral.value.message == english.value.message


def test_an_erasure_s_reason_is_french_in_its_report_and_the_log(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    assert _run("add", "Jo Bo", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    erased = _run(
        "privacy", "erase", "Jo Bo", "--yes", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path
    )
    assert erased.returncode == 0, erased.stderr
    assert "(demande d'effacement)" in erased.stdout and "(erase)" not in erased.stdout
    nobody = ("privacy", "erase", "nobody@x.example", "--yes", "--db", store)
    said = _run(*nobody, lang="fr_FR.UTF-8", cwd=tmp_path).stdout  # no "de aucun pipeline"
    assert said.startswith("0 fiche(s) effacée(s) (demande d'effacement)\u202f;"), said
    assert "pipeline" not in said
    french = _run("privacy", "log", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path).stdout
    assert "demande d'effacement" in french and " erase " not in french
    english = _run("privacy", "log", "--db", store, lang="C", cwd=tmp_path).stdout
    assert " erase " in english  # the stored id, as before
    as_json = _run(
        "privacy", "log", "--format", "json", "--db", store, lang="fr_FR.UTF-8", cwd=tmp_path
    )
    assert {e["reason"] for e in json.loads(as_json.stdout)} == {"erase"}
