"""CJK names: family name first, no space; splitting a CJK display name (issue 25, item 5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.names import COMPOUND_SURNAMES, full_name, is_cjk, split_name

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)  # CJK Unified Ideographs
HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)  # Hangul syllables
KANA = st.characters(min_codepoint=0x3041, max_codepoint=0x3096)  # hiragana
LATIN = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàü", min_size=1, max_size=8).map(
    str.capitalize
)


@pytest.mark.parametrize(
    ("name", "given_family"),
    [
        ("山田太郎", ("太郎", "山田")),  # Japanese, four kanji: two + two
        ("山田 太郎", ("太郎", "山田")),  # with a space: the family name is the first part
        ("王小明", ("小明", "王")),  # Chinese, three characters: one + two
        ("欧阳小明", ("小明", "欧阳")),  # a compound family name
        ("諸葛亮", ("亮", "諸葛")),
        ("王伟", ("伟", "王")),
        ("김민준", ("민준", "김")),  # Korean: the first syllable
        ("남궁민수", ("민수", "남궁")),  # a compound Korean family name
        ("山田はなこ", ("はなこ", "山田")),  # kanji then kana
        ("愛新覺羅溥儀", (None, None)),  # six characters: not guessed
        ("王", (None, None)),
        ("Jean Dupont", ("Jean", "Dupont")),
    ],
)
def test_split_name(name: str, given_family: tuple[str | None, str | None]) -> None:
    assert split_name(name) == given_family


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("太郎", "山田", "山田太郎"),
        ("小明", "王", "王小明"),
        ("王", "小明", "王小明"),  # typed family name first into a Western form
        ("欧阳", "小明", "欧阳小明"),
        ("민준", "김", "김민준"),
        ("Taro", "山田", "山田 Taro"),  # mixed scripts keep a space
        ("Jean", "Dupont", "Jean Dupont"),
        (None, "Dupont", "Dupont"),
    ],
)
def test_full_name(first: str | None, last: str | None, shown: str) -> None:
    assert full_name(first, last) == shown


@settings(max_examples=300, deadline=None)
@given(
    st.text(HAN, min_size=1, max_size=2).filter(lambda f: f not in COMPOUND_SURNAMES),
    st.text(HAN, min_size=1, max_size=2),
)
def test_a_cjk_name_is_family_then_given_and_splits_back(family: str, given_: str) -> None:
    """Family + given, no space; and a display name of two or three characters, or a
    spaced one, splits back into the same parts."""
    shown = full_name(given_, family)
    if len(family) == 1 or len(given_) > 1 or len(family) == len(given_):
        assert shown.replace(" ", "") in (family + given_, given_ + family)
    assert " " not in shown and is_cjk(shown)
    assert split_name(f"{family} {given_}") == (given_, family)
    if len(family) == 1 and family + given_[:1] not in COMPOUND_SURNAMES:
        assert split_name(family + given_) == (given_, family)


@settings(max_examples=200, deadline=None)
@given(st.text(HANGUL, min_size=2, max_size=3))
def test_a_korean_name_splits_after_its_first_syllable(name: str) -> None:
    given_, family = split_name(name)
    assert (family, given_) == (name[0], name[1:])
    assert full_name(given_, family) == name


@settings(max_examples=200, deadline=None)
@given(st.text(HAN, min_size=1, max_size=3), st.text(KANA, min_size=1, max_size=4))
def test_kanji_then_kana_splits_at_the_script_change(family: str, given_: str) -> None:
    assert split_name(family + given_) == (given_, family)


@settings(max_examples=200, deadline=None)
@given(st.lists(LATIN, min_size=2, max_size=4))
def test_a_latin_name_splits_at_the_first_space_and_composes_back(words: list[str]) -> None:
    name = " ".join(words)
    first, last = split_name(name)
    assert (first, last) == (words[0], " ".join(words[1:]))
    assert full_name(first, last) == name


def test_the_crm_and_a_vcard_import_show_cjk_names_family_first(tmp_path: object) -> None:
    from pathlib import Path

    from socialcrm.io.importing import import_file
    from socialcrm.plugins import get_plugin_manager
    from socialcrm.storage import open_repository

    assert isinstance(tmp_path, Path)
    crm = CRM(open_repository(tmp_path / "store"), get_plugin_manager())
    try:
        added = crm.add("山田太郎")
        assert (added.first_name, added.last_name) == ("太郎", "山田")
        card = tmp_path / "c.vcf"
        card.write_text(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:田中;花子;;;\r\nEMAIL:hanako@example.jp\r\n"
            "END:VCARD\r\n",
            encoding="utf-8",
        )
        import_file(crm, card)
        hanako = crm.resolve("hanako@example.jp")
        assert (hanako.name, hanako.first_name, hanako.last_name) == ("田中花子", "花子", "田中")
    finally:
        crm.close()
