"""The French catalogue is complete, current, typographically French, and every
message the CLI shows is marked for translation (docs/languages.md)."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from socialcrm.i18n import DOMAIN, LOCALE_DIR
from tests.i18n.marking import unmarked
from tests.i18n.typography import fixed, problems

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "src" / "socialcrm" / "cli"
PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / f"{DOMAIN}.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "t_": None}
"""What ``pybabel extract -k N_ -k t_`` looks for (docs/languages.md)."""


def _catalogue() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="fr")


def _translations(message: object) -> tuple[str, ...]:
    string = getattr(message, "string", "")
    return tuple(string) if isinstance(string, tuple | list) else (string,)


def extracted() -> set[str | tuple[str, ...]]:
    """The messages ``pybabel extract -F babel.cfg`` finds in the sources."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    return {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
        if message
    }


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    catalogue = _catalogue()
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"
    untranslated = [m.id for m in catalogue if m.id and not all(_translations(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated in {PO.name}: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy in {PO.name}: {fuzzy[:5]}"


def test_the_catalogue_holds_exactly_the_extracted_messages() -> None:
    in_catalogue = {m.id for m in _catalogue() if m.id}
    found = extracted()
    missing = found - in_catalogue
    obsolete = in_catalogue - found
    assert not missing, (
        f"not in the French catalogue (pybabel update): {sorted(map(str, missing))[:5]}"
    )
    assert not obsolete, f"no longer in the sources: {sorted(map(str, obsolete))[:5]}"


def test_the_extraction_sees_command_docstrings_and_click_messages() -> None:
    found = extracted()
    assert any(isinstance(m, str) and m.startswith("Create the store") for m in found)
    assert "Usage:" in found and "Missing argument{hint}." in found
    assert "replied today: “{excerpt}” — answer them" in found  # N_ in the library


@pytest.mark.parametrize(
    "path", sorted(CLI.rglob("*.py")), ids=lambda p: p.relative_to(CLI).as_posix()
)
def test_cli_literals_shown_to_the_user_are_marked(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{path.name}:{n.lineno}: {ast.unparse(n)[:60]}" for n in unmarked(tree)]
    assert not found, "wrap these in _():\n" + "\n".join(found)


def test_the_marking_check_finds_unmarked_literals() -> None:
    source = """
render.echo("plain")
render.echo(_("marked"))
render.echo(f"{n} prospects")
x = typer.Option("--x", help="help text")
raise ValidationError("not a date")
render.emit_table(state, ["NAME", _("STAGE")], rows)
render.echo(f"  {pid}  {name}")
render.emit_csv(["name", "stage"], rows)
state.console.print("shown" if ok else _("marked"))
render.echo(_("a {x}").format(x=1) + " unmarked tail")
"""
    found = [ast.unparse(n) for n in unmarked(ast.parse(source))]
    assert found == [
        "'plain'",
        "f'{n} prospects'",
        "'help text'",
        "'not a date'",
        "'NAME'",
        "'shown'",
        "' unmarked tail'",
    ]


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


@pytest.mark.parametrize("message", [m for m in _catalogue() if m.id], ids=lambda m: str(m.id)[:40])
def test_translation_keeps_the_placeholders(message: object) -> None:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)  # type: ignore[attr-defined]
    wanted = {p for i in ids for p in _PLACEHOLDER.findall(i)}
    for text in _translations(message):
        assert set(_PLACEHOLDER.findall(text)) <= wanted | {""}, text
        if len(ids) == 1:
            assert set(_PLACEHOLDER.findall(text)) == wanted, text


def test_french_typography() -> None:
    bad = [
        f"{m.id!r:.50}: {problem}"
        for m in _catalogue()
        if m.id
        for text in _translations(m)
        for problem in problems(text)
    ]
    assert not bad, "a non-breaking space (U+00A0/U+202F) is missing:\n" + "\n".join(bad)


def test_the_typography_check_finds_ordinary_spaces() -> None:
    assert problems("erreur : {message}") == ["'erreur :'"]
    assert problems("Abandon!") == ["'Abandon!'"]
    assert problems("4 % par défaut") == ["'4 %'"]
    assert problems("erreur\u00a0: {name!r} {timeout:g}\u202f%, sqlite:/// '5%' x=3%") == []
    assert problems(fixed("Vouliez-vous dire {possibility} ? ; 4 %")) == []


def test_only_the_command_itself_is_exempt_after_socialcrm() -> None:
    # prose after a command mention is checked: a plain space before ':' or ';'
    assert problems("lancez socialcrm doctor : il dit pourquoi") == ["'ez socialcrm doctor :'"]
    assert problems("socialcrm doctor: il dit") == ["'socialcrm doctor:'"]
    assert problems("voir socialcrm privacy ask ID ; puis purge") == ["'lcrm privacy ask ID ;'"]
    demo = "socialcrm demo --db ./demo  essai : un pipeline"  # a help text's description
    assert problems(demo) == ["' --db ./demo  essai :'"]
    assert problems("(voir socialcrm today) : la liste") == ["'ir socialcrm today) :'"]
    assert problems("mettez socialcrm à jour ; rien n'a changé") == ["'ez socialcrm à jour ;'"]
    quoted = "lancez 'socialcrm doctor' : il dit pourquoi"
    assert problems(quoted) == ["\" 'socialcrm doctor' :\""]
    # the command itself is code: options, a URL, 5%; a JSON member too
    assert problems("socialcrm post target 5%") == []
    assert problems("socialcrm --db sqlite:///x.db today --format json") == []
    assert problems("lancez socialcrm doctor\u00a0: il dit pourquoi") == []
    assert problems('pas de sauvegarde (pas de "format": "socialcrm")') == []


def test_the_compiled_catalogue_is_current() -> None:
    """The .mo the package reads (built by hatch_build.py at install) matches the .po."""
    mo = PO.with_suffix(".mo")
    assert mo.is_file(), f"{mo} missing: reinstall (pip install -e .) or run pybabel compile"
    buffer = io.BytesIO()
    write_mo(buffer, _catalogue())
    assert mo.read_bytes() == buffer.getvalue(), (
        "stale .mo: run pybabel compile (docs/languages.md)"
    )
