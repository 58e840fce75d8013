"""A score's explanation is one whole sentence per field and outcome, so French agrees
it with its field instead of gluing an English field name into a frame
(``{what} unknown``; docs/languages.md)."""

from __future__ import annotations

import re

import pytest

from socialcrm.models import Prospect
from socialcrm.playbook.icp import ICP, score

ICP_TOML = """
threshold = 10
[[criteria]]
field = "sector"
weight = 1
values = ["saas"]
[[criteria]]
field = "location"
weight = 1
values = ["lyon", "paris"]
[[criteria]]
field = "title"
weight = 1
[[criteria]]
field = "custom:budget"
weight = 1
values = ["yes"]
[[criteria]]
field = "custom:referrer"
weight = 1
"""

ENGLISH_WORDS = re.compile(r"\b(sector|location|title|custom field|field|matches|unknown|filled)\b")


def _reasons(**fields: object) -> list[str]:
    prospect = Prospect(id="01P", name="Zoé Martin", **fields)  # type: ignore[arg-type]
    return [c.reason for c in score(prospect, ICP.from_toml(ICP_TOML)).contributions]


def test_english_explanations_are_unchanged() -> None:
    assert _reasons() == [
        "sector unknown",
        "location unknown",
        "title unknown",
        "custom field 'budget' unknown",
        "custom field 'referrer' unknown",
    ]
    filled = _reasons(
        sector="SaaS",
        location="Lille",
        title="CTO",
        custom={"budget": "yes", "referrer": "Ana"},
    )
    assert filled == [
        "sector 'SaaS' matches 'saas'",
        "location 'Lille' matches none of lyon, paris",
        "title is filled in",
        "custom field 'budget' 'yes' matches 'yes'",
        "custom field 'referrer' is filled in",
    ]


@pytest.mark.usefixtures("french")
def test_a_french_explanation_is_whole_french_sentences() -> None:
    empty = _reasons()
    assert empty == [
        "secteur inconnu",
        "lieu inconnu",
        "poste inconnu",
        "champ personnalisé 'budget' inconnu",
        "champ personnalisé 'referrer' inconnu",
    ]
    filled = _reasons(
        sector="SaaS",
        location="Lille",
        title="CTO",
        custom={"budget": "no", "referrer": "Ana"},
    )
    assert filled == [
        "le secteur 'SaaS' correspond à 'saas'",
        "le lieu 'Lille' ne correspond à aucun des mots-clés lyon, paris",
        "poste renseigné",
        "le champ personnalisé 'budget' vaut 'no', qui ne correspond à aucun des mots-clés yes",
        "champ personnalisé 'referrer' renseigné",
    ]
    for reason in empty + filled:
        assert not ENGLISH_WORDS.search(reason), reason
