"""A message naming a kind of thing (a pipeline, a setting, an event) is a whole
sentence per kind, so French can give each its gender and article
(docs/languages.md); a kind the library does not know is named as a code."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcrm import i18n
from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.playbook import key_name
from socialcrm.serialization import event_from_dict, pipeline_from_dict, prospect_from_dict
from socialcrm.storage.problems import foreign_directory_error, no_manifest_error


def _message(call: object, *args: object) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args)  # type: ignore[operator]
    return caught.value.message


def test_english_is_unchanged_for_the_library_s_own_kinds() -> None:
    assert NotFoundError("x", what="template").message == "no template matches 'x'"
    assert _message(event_from_dict, []) == "an event document must be an object, got list"
    assert _message(prospect_from_dict, {"v": 99}).startswith("prospect document has format")
    assert _message(key_name, "Bad Name!", "sequence", "warm-intro") == (
        "invalid sequence name 'Bad Name!'"
    )


def test_an_unknown_kind_is_named_as_a_code() -> None:
    assert NotFoundError("x", what="widget").message == "nothing matches 'x' (kind: widget)"


@pytest.mark.usefixtures("french")
def test_each_kind_has_its_french_sentence() -> None:
    assert NotFoundError("x", what="store").message == "aucune base ne correspond à 'x'"
    assert NotFoundError("x", what="widget").message == (
        "rien ne correspond à 'x' (type\u00a0: widget)"
    )
    assert _message(event_from_dict, []) == (
        "le document d'un événement doit être un objet, reçu list"
    )
    assert _message(pipeline_from_dict, {"v": 99}).startswith(
        "le document du pipeline a la version de format 99"
    )
    assert _message(key_name, "Bad Name!", "template", "first-contact") == (
        "nom de modèle invalide\u00a0: 'Bad Name!'"
    )
    setting = i18n.text("setting {key!r} was changed by another socialcrm command at the same time")
    assert setting.format(key="k").startswith("le réglage 'k' a été modifié")
    pipeline = i18n.text(
        "pipeline {key!r} was changed by another socialcrm command at the same time"
    )
    assert pipeline.format(key="p").startswith("le pipeline 'p' a été modifié")


@pytest.mark.usefixtures("french")
def test_store_directory_problems_are_whole_french_sentences(tmp_path: Path) -> None:
    foreign = foreign_directory_error(tmp_path, tmp_path / "notes.txt")
    assert foreign.message == (
        f"{tmp_path} n'est pas une base socialcrm et n'est pas vide (il contient notes.txt)"
        "\u00a0: rien n'a été écrit"
    )
    assert "vide\u00a0: rien" in foreign_directory_error(tmp_path, None).message
    orphaned = no_manifest_error(tmp_path, tmp_path / "data" / "p-1.json", 0)
    assert "(par exemple " in orphaned.message
    assert orphaned.hint is not None
    assert orphaned.hint.startswith("lancez 'socialcrm doctor' pour voir ce qu'elle contient")
    assert "aucune sauvegarde à restaurer" in orphaned.hint
