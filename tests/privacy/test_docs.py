"""docs/privacy.md and docs/fr/privacy.md name every privacy command and every article."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from socialcrm.cli import make_app
from socialcrm.plugins import get_plugin_manager

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = ("privacy.md", "fr/privacy.md")
ARTICLES = ("art. 6", "art. 14", "art. 21", "art. 15", "art. 16", "art. 17", "5(1)(e)", "32")


def privacy_commands() -> list[str]:
    root = typer.main.get_command(make_app(get_plugin_manager(entrypoints=False)))
    group = root.commands["privacy"]  # type: ignore[attr-defined]
    return sorted(group.commands)


def test_the_group_has_the_commands() -> None:
    assert {
        "config",
        "bases",
        "notice",
        "overdue",
        "export",
        "due",
        "ask",
        "purge",
        "erase",
        "object",
        "log",
        "suppress",
        "unsuppress",
    } <= set(privacy_commands())


@pytest.mark.parametrize("page", PAGES)
def test_every_command_and_article_is_in_the_page(page: str) -> None:
    text = (DOCS / page).read_text("utf-8")
    for name in privacy_commands():
        assert f"privacy {name}" in text, f"{page} does not mention 'privacy {name}'"
    for article in ARTICLES:
        assert article in text, f"{page} says nothing of {article}"
    assert "ISSUE-22" not in text  # no placeholder left


def test_shipped_notice_names_what_art_14_requires() -> None:
    from socialcrm.privacy.texts import shipped_texts

    texts = shipped_texts()
    for language, words in (
        (
            "fr",
            (
                "Responsable",
                "Finalité",
                "Base légale",
                "Source",
                "Destinataires",
                "Durée",
                "{rights}",
                "opposition",
            ),
        ),
        (
            "en",
            (
                "Controller",
                "Purpose",
                "Lawful basis",
                "Source",
                "Recipients",
                "Retention",
                "{rights}",
                "object",
            ),
        ),
    ):
        notice = texts[f"notice.{language}"]
        for word in words:
            assert word in notice, f"notice.{language} lacks {word!r}"
        # the right to object stands in a paragraph of its own (art. 21(4))
        assert "\n\n" in notice.split("{how_to_object}")[0]
