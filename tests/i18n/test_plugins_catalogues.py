"""The five network plugins' own catalogues: complete, current, French typography,
compiled by the same build hook as socialcrm's, and used by the CLI's tables."""

from __future__ import annotations

import ast
import filecmp
import io
import re
from functools import partial
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from socialcrm import i18n
from socialcrm.crm import CRM
from tests.i18n.marking import NOT_SHOWN_ERRORS, unmarked_errors, unstable_skip_reasons
from tests.i18n.typography import problems

from .console import run_console

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = sorted((ROOT / "plugins").glob("socialcrm-*"))
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def _po(plugin: Path) -> Path:
    domain = plugin.name.replace("-", "_")
    return plugin / "src" / domain / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po"


def _catalogue(plugin: Path) -> Catalog:
    with _po(plugin).open("rb") as f:
        return read_po(f, locale="fr")


def test_the_five_network_plugins_are_checked() -> None:
    assert [p.name for p in PLUGINS] == [
        "socialcrm-facebook",
        "socialcrm-instagram",
        "socialcrm-linkedin",
        "socialcrm-x",
        "socialcrm-youtube",
    ]


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugin_catalogue_is_complete_current_and_typographic(plugin: Path) -> None:
    catalogue = _catalogue(plugin)
    messages = {m.id: m for m in catalogue if m.id}
    found = {
        message
        for *_, message, _comments, _context in extract_from_dir(
            str(plugin / "src"), keywords=KEYWORDS
        )
        if message
    }
    assert found, "the plugin marks its checklist and file descriptions with N_()"
    assert found == set(messages), "pybabel update (docs/plugins.md)"
    assert not catalogue.fuzzy
    for message in messages.values():
        assert message.string and not message.fuzzy, message.id
        assert isinstance(message.string, str), message.id  # the plugins have no plurals
        assert not problems(message.string), (message.id, problems(message.string))
    mo = _po(plugin).with_suffix(".mo")
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    assert mo.is_file() and mo.read_bytes() == buffer.getvalue(), "stale or missing .mo"


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_plugins_build_with_the_same_hook(plugin: Path) -> None:
    assert filecmp.cmp(ROOT / "hatch_build.py", plugin / "hatch_build.py", shallow=False)
    assert "[tool.hatch.build.targets.wheel.hooks.custom]" in (plugin / "pyproject.toml").read_text(
        encoding="utf-8"
    )


def test_a_plugin_text_is_translated_through_its_registered_domain() -> None:
    import socialcrm_linkedin  # registers its domain (i18n.add_domain) at import

    label = "Recommendations from clients"
    assert socialcrm_linkedin is not None
    assert i18n.gettext(label) == label  # English: as declared
    i18n.activate("fr")
    try:
        assert i18n.gettext(label) == "Des recommandations de clients"
        assert i18n.gettext("Usage:") == "Usage\u00a0:"  # socialcrm's own still first
    finally:
        i18n.activate("en")


def test_every_plugin_importer_description_is_a_message_of_its_catalogue(
    tmp_path: Path,
) -> None:
    from socialcrm.crm import CRM
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository

    crm = CRM(open_repository(tmp_path / "store"), get_plugin_manager())
    messages = {m.id for plugin in PLUGINS for m in _catalogue(plugin) if m.id}
    described = {
        name: importer.description
        for name, importer in crm.importers().items()
        if name.startswith(("facebook-", "instagram-", "linkedin-", "x-", "youtube-"))
    }
    assert len(described) >= 15
    unmarked = {name: d for name, d in described.items() if d not in messages}
    assert not unmarked, "mark these descriptions N_() as whole messages"


SOURCES = sorted(p for plugin in PLUGINS for p in (plugin / "src").rglob("*.py"))
PLUGIN_NOT_SHOWN = NOT_SHOWN_ERRORS - {"ValueError"}
"""An adapter's ``ValueError`` is why a URL is refused: the rep reads it."""


def _unmarked_in(tree: ast.AST) -> list[ast.expr]:
    return unmarked_errors(tree, PLUGIN_NOT_SHOWN) + unstable_skip_reasons(tree)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(ROOT / "plugins").as_posix())
def test_plugin_messages_are_marked_whole(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{path.name}:{n.lineno}: {ast.unparse(n)[:70]}" for n in _unmarked_in(tree)]
    assert not found, (
        "mark a row problem or an error _() and a skip reason N_() (docs/plugins.md):\n"
        + "\n".join(found)
    )


def test_the_plugin_check_finds_unmarked_row_messages() -> None:
    source = """
yield RowProblem(row, "entry without a name", "name")
yield RowProblem(row, f"unreadable date {day!r}", "Connected On")
yield RowProblem(row, _("marked {day!r}").format(day=day), "Connected On")
yield SkippedRow(line, "draft")
yield SkippedRow(line, N_("draft"))
yield SkippedRow(line, _("built in French"))
yield SkippedRow(line, N_("unknown direction {d!r}").format(d=d))
yield SkippedRow(line, f"unknown direction {d!r}")
yield SkippedRow(line, reason=REASON)
raise ValueError("not a profile URL")
raise ValueError(_("marked"))
raise ImportFormatError("not an X file", path=str(path))
"""
    found = [ast.unparse(n) for n in _unmarked_in(ast.parse(source))]
    assert sorted(found) == sorted(
        [
            "'entry without a name'",
            "f'unreadable date {day!r}'",
            "'draft'",
            "'draft'",  # unmarked and unstable
            "_('built in French')",
            "N_('unknown direction {d!r}').format(d=d)",
            "f'unknown direction {d!r}'",
            "f'unknown direction {d!r}'",  # unmarked and unstable
            "'not a profile URL'",
            "'not an X file'",
        ]
    )


def _linkedin_crm(tmp_path: Path) -> CRM:
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository

    return CRM(open_repository(tmp_path / "store"), get_plugin_manager())


LINKEDIN_FIXTURES = ROOT / "plugins" / "socialcrm-linkedin" / "tests" / "fixtures"
BAD_DATE = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nZoé,Martin,,,,,someday\n"
)


@pytest.mark.usefixtures("french")
def test_plugin_skip_reasons_keep_their_english_kind_and_problems_are_french(
    tmp_path: Path,
) -> None:
    from socialcrm.io import import_file

    crm = _linkedin_crm(tmp_path)
    report = import_file(crm, LINKEDIN_FIXTURES / "messages.csv", dry_run=True)
    kinds = {g.kind for g in report.skip_groups()}
    assert "draft" in kinds and "no sender profile URL (a hidden or deleted member)" in kinds
    assert i18n.gettext("draft") == "brouillon"  # where the report is shown
    connections = tmp_path / "Connections.csv"
    connections.write_text(BAD_DATE, encoding="utf-8")
    problems = import_file(crm, connections, dry_run=True).invalid
    assert [p.reason for p in problems] == ["date illisible 'someday' dans la colonne Connected On"]
    i18n.set_neutral(True)  # --format json: English, whatever the locale
    problems = import_file(crm, connections, dry_run=True).invalid
    assert [p.reason for p in problems] == ["unreadable date 'someday' in the Connected On column"]


_run = partial(run_console, COLUMNS="200")


def test_a_plugin_import_report_is_french_but_its_json_is_not(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    connections = tmp_path / "Connections.csv"
    connections.write_text(BAD_DATE, encoding="utf-8")
    for args in (("init",), ("import", str(LINKEDIN_FIXTURES / "Connections.csv"))):
        assert _run(*args, "--db", store, lang="C", cwd=tmp_path).returncode == 0
    messages = ("import", str(LINKEDIN_FIXTURES / "messages.csv"), "--dry-run", "--db", store)
    french = _run(*messages, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 0, french.stderr
    assert "brouillon" in french.stdout
    assert "pas d'URL de profil d'expéditeur (un membre masqué ou supprimé)" in french.stdout
    assert "draft" not in french.stdout
    bad = ("import", str(connections), "--dry-run", "--db", store)
    assert (
        "date illisible 'someday' dans la colonne Connected On"
        in _run(*bad, lang="fr_FR.UTF-8", cwd=tmp_path).stdout
    )
    as_json = [
        _run(*messages, "--report", "json", lang=lang, cwd=tmp_path)
        for lang in ("fr_FR.UTF-8", "C")
    ]
    new_ids = re.compile(r'"[0-9A-HJKMNP-TV-Z]{26}"')  # a dry run's would-be prospects
    assert new_ids.sub("ID", as_json[0].stdout) == new_ids.sub("ID", as_json[1].stdout)
    assert '"reason": "draft"' in as_json[0].stdout


def test_a_plugin_checklist_in_an_exit_criterion_is_french_but_english_in_json(
    tmp_path: Path,
) -> None:
    store = str(tmp_path / "store")
    for args in (
        ("init",),
        ("profile", "set", "linkedin", "photo=yes"),
        ("add", "Jane Doe", "--url", "https://www.linkedin.com/in/jane-doe"),
    ):
        assert _run(*args, "--db", store, lang="C", cwd=tmp_path).returncode == 0
    move = ("advance", "Jane Doe", "--db", store)
    french = _run(*move, lang="fr_FR.UTF-8", cwd=tmp_path)
    assert french.returncode == 5
    assert "(9 manquants)\u00a0: Une bannière qui dit ce que vous faites et pour qui\u202f; " in (
        french.stderr
    )
    assert "; " not in french.stderr.replace("\u202f; ", "")  # every item, the French separator
    as_json = _run(*move, "--format", "json", lang="fr_FR.UTF-8", cwd=tmp_path)
    assert "(9 missing): A banner that says what you do for whom;" in as_json.stderr


def test_a_post_under_target_is_flagged_in_french_but_csv_keeps_its_code(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    log = ("post", "log", "linkedin", "--views", "1000", "--reactions", "10", "--db", store)
    assert _run("init", "--db", store, lang="C", cwd=tmp_path).returncode == 0
    assert _run(*log, lang="C", cwd=tmp_path).returncode == 0
    listed = ("post", "list", "--db", store)
    assert "sous l'objectif" in _run(*listed, lang="fr_FR.UTF-8", cwd=tmp_path).stdout
    csv = _run(*listed, "--format", "csv", lang="fr_FR.UTF-8", cwd=tmp_path).stdout
    assert ",below," in csv and "objectif" not in csv
