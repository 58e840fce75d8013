"""Cross-network duplicates and look-alike names (issue 25, item 8), on the real store."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.crm import CRM
from socialcrm.dedupe import duplicates_in, find_duplicates
from socialcrm.dedupe.crossnet import MAX_GROUP
from socialcrm.dedupe.skeleton import (
    DEFAULT_IGNORABLE,
    LEGAL_FORMS,
    canonical_company,
    canonical_name,
    lookalike_key,
    skeleton,
)
from socialcrm.plugins import get_plugin_manager
from socialcrm.testing.contract import make_prospect


def _reasons(store: CRM) -> dict[frozenset[str], tuple[str, ...]]:
    return {frozenset((p.keep.id, p.other.id)): p.reasons for p in duplicates_in(store)}


def test_x_account_and_linkedin_connection_same_name_and_company(store: CRM) -> None:
    li = store.add("Jean Dupont", urls=["https://www.linkedin.com/in/jdupont"], company="ACME SAS")
    x = store.add("jean DUPONT", urls=["x:jdupont75"], company="Acme")
    store.add("Jean Dupont", urls=["x:other"], company="Globex")  # another company: no
    found = _reasons(store)
    assert set(found) == {frozenset((li.id, x.id))}
    assert found[frozenset((li.id, x.id))] == (
        "similar name (Jean Dupont / jean DUPONT, 100%) and same company ACME SAS (linkedin / x)",
    )


def test_same_name_and_title_across_networks(store: CRM) -> None:
    li = store.add("Zoé Martin", urls=["https://www.linkedin.com/in/zoem"], title="Head of Sales")
    x = store.add("Martin, Zoe", urls=["x:zoem"], title="head of sales")
    store.add("Zoé Martin", urls=["x:zm2"], title="CFO")
    assert _reasons(store) == {
        frozenset((li.id, x.id)): (
            "same name (Zoé Martin) and same title Head of Sales (linkedin / x)",
        )
    }


def test_same_name_and_company_email_domain_but_not_a_free_mailbox(store: CRM) -> None:
    a = store.add("Ana Lima", emails=["ana@acme.example"], urls=["x:analima"])
    b = store.add("Ana Lima", emails=["a.lima@acme.example"])
    store.add("Ana Lima", emails=["ana.lima@gmail.com"])
    store.add("Ana Lima", emails=["lima.ana@gmail.com"])  # both gmail: says nothing
    assert _reasons(store) == {
        frozenset((a.id, b.id)): ("same name (Ana Lima) and same e-mail domain acme.example",)
    }


def test_profile_link_in_another_records_custom_field_or_notes(store: CRM) -> None:
    li = store.add("Jean-Pierre Morel", urls=["https://www.linkedin.com/in/jpmorel"])
    x = store.add(
        "JP",
        urls=["x:jpm"],
        custom={"website": "see linkedin.com/in/jpmorel/ for my CV"},
    )
    yt = store.add("Morel channel", notes="Also on https://x.com/jpm and https://example.com/a")
    found = _reasons(store)
    assert found == {
        frozenset((li.id, x.id)): (
            "Jean-Pierre Morel's profile linkedin:jpmorel is in JP's custom field 'website'"
            " (linkedin / x)",
        ),
        frozenset((x.id, yt.id)): ("JP's profile x:jpm is in Morel channel's notes",),
    }


def test_look_alike_names_are_flagged_with_the_characters(store: CRM) -> None:
    real = store.add("Jean Dupont", urls=["https://www.linkedin.com/in/jdupont"])
    cyrillic = store.add("J\u0435an Dupont", urls=["x:jdupont"])  # Cyrillic е
    wide = store.add("\uff2a\uff45\uff41\uff4e Dupont")  # full-width Ｊｅａｎ
    store.add("Jean Dupond")  # a similar name, not a look-alike: not listed
    found = _reasons(store)
    assert set(found) == {
        frozenset((real.id, cyrillic.id)),
        frozenset((real.id, wide.id)),
        frozenset((cyrillic.id, wide.id)),
    }
    assert found[frozenset((real.id, cyrillic.id))] == (
        "look-alike names (Jean Dupont / J\u0435an Dupont): "
        "'\u0435' U+0435 CYRILLIC SMALL LETTER IE (linkedin / x)",
    )
    assert "FULLWIDTH LATIN CAPITAL LETTER J" in found[frozenset((real.id, wide.id))][0]


def test_dupes_cli_shows_the_cross_network_reasons(tmp_path: Path) -> None:
    app = make_app(get_plugin_manager())
    db = ["--db", str(tmp_path / "store")]
    runner = CliRunner()
    runner.invoke(app, [*db, "add", "Jean Dupont", "--url", "https://www.linkedin.com/in/jdupont"])
    runner.invoke(app, [*db, "add", "J\u0435an Dupont", "--url", "x:jdupont"])
    result = runner.invoke(app, [*db, "dupes", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    (pair,) = json.loads(result.stdout)
    assert pair["reasons"][0].startswith("look-alike names (Jean Dupont / J\u0435an Dupont)")


def test_blocks_bound_the_work() -> None:
    """Thousands of one name and title form one oversized block: not paired; and
    30,000 distinct people give no pair (each rule is a dictionary lookup)."""
    same = [make_prospect(f"01S{i:05d}", "Jean Dupont", title="CEO") for i in range(MAX_GROUP + 1)]
    assert find_duplicates(same) == []
    many = [make_prospect(f"01M{i:06d}", f"Person {i} Name{i * 7}") for i in range(30_000)]
    assert find_duplicates(many) == []


# --------------------------------------------------------------- properties

LATIN = "abcdefghijklmnopqrstuvwxyz"
#: Cyrillic letters drawn as Latin ones (each in confusables.txt)
CYRILLIC_FOR = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}
WORD = st.text(alphabet=LATIN + "éèàçüö", min_size=1, max_size=10)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" else c for c in text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=LATIN, min_size=1, max_size=10), min_size=1, max_size=4))
def test_fullwidth_and_cyrillic_spellings_share_the_lookalike_key(words: list[str]) -> None:
    name = " ".join(words)
    assert lookalike_key(_fullwidth(name)) == lookalike_key(name)
    assert lookalike_key(_fullwidth(name.upper())) == lookalike_key(name)
    cyrillic = "".join(CYRILLIC_FOR.get(c, c) for c in name)
    assert lookalike_key(cyrillic) == lookalike_key(name)
    if cyrillic != name:
        assert canonical_name(cyrillic) != canonical_name(name)  # so it is flagged


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30), st.data())
def test_skeleton_ignores_normalisation_and_default_ignorables(
    text: str, data: st.DataObject
) -> None:
    assert skeleton(unicodedata.normalize("NFC", text)) == skeleton(
        unicodedata.normalize("NFD", text)
    )
    low, high = data.draw(st.sampled_from(DEFAULT_IGNORABLE))
    ignorable = chr(data.draw(st.integers(low, high)))
    at = data.draw(st.integers(0, len(text)))
    assert skeleton(text[:at] + ignorable + text[at:]) == skeleton(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORD, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_canonical_name_ignores_case_accents_order_and_punctuation(
    words: list[str], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    name = " ".join(words)
    shuffled = words[:]
    rnd.shuffle(shuffled)
    plain = unicodedata.normalize("NFD", name)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    variants = [name.upper(), ", ".join(shuffled), "-".join(shuffled), f"  {plain}  "]
    for variant in variants:
        assert canonical_name(variant) == canonical_name(name)
    assert canonical_name(canonical_name(name)) == canonical_name(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_the_same_canonical_name_is_always_in_the_same_lookalike_block(a: str, b: str) -> None:
    """Blocking never separates two names the rules call the same."""
    if canonical_name(a) == canonical_name(b):
        assert lookalike_key(a) == lookalike_key(b)
    assert canonical_name(a + " " + b) == canonical_name(b + " " + a)
    if set(canonical_name(a).split()) - LEGAL_FORMS:
        assert canonical_company(a + " SAS") == canonical_company(a + " Inc.")


def test_the_shipped_confusables_file_is_unicodes_complete_release() -> None:
    from importlib import resources

    data = resources.files("socialcrm.dedupe").joinpath("data")
    text = data.joinpath("confusables.txt").read_text("utf-8")
    assert "# Unicode Security Mechanisms for UTS #39\n# Version: 17.0.0\n" in text
    mappings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert text.rstrip().endswith(f"# total: {len(mappings)}")
    assert "Unicode-3.0" in data.joinpath("LICENSE-Unicode-3.0.txt").read_text("utf-8")


def test_reasons_are_whole_french_messages_but_english_in_a_neutral_run(store: CRM) -> None:
    from socialcrm import i18n

    li = store.add(
        "Jean Dupont",
        urls=["https://www.linkedin.com/in/jdupont"],
        company="ACME SAS",
        emails=["jean@acme.example"],
    )
    x = store.add(
        "jean DUPONT",
        urls=["x:jdupont75"],
        company="Acme",
        emails=["jean@acme.example"],
        allow_shared_email=True,
    )
    i18n.activate("fr")
    i18n.set_neutral(False)
    try:
        french = _reasons(store)[frozenset((li.id, x.id))]
        shown = i18n.join_list(french)
        i18n.set_neutral(True)
        neutral = _reasons(store)[frozenset((li.id, x.id))]
    finally:
        i18n.set_neutral(False)
        i18n.activate("en")
    assert french == (
        "même e-mail jean@acme.example",
        "nom proche (Jean Dupont / jean DUPONT, 100\u00a0%) et même entreprise ACME SAS "
        "(linkedin / x)",
    )
    assert shown == "\u202f; ".join(french)
    assert neutral == _reasons(store)[frozenset((li.id, x.id))]
    assert neutral[0] == "same e-mail jean@acme.example"
