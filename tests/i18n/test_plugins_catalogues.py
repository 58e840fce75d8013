"""The five network plugins' own catalogues: complete, current, French typography,
compiled by the same build hook as socialcrm's, and used by the CLI's tables."""

from __future__ import annotations

import filecmp
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from socialcrm import i18n
from tests.i18n.typography import problems

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
