"""People's names in the order their script writes them: given-family, or family-given.

A name written in Chinese, Japanese or Korean script puts the family name
first and no space between the two (山田太郎, 王小明, 김민준); a name in Latin,
Cyrillic… script puts the given name first with a space (Jean Dupont).
:func:`full_name` composes a display name from first (given) and last
(family) names accordingly, :func:`split_name` guesses them from a display name.

Splitting a CJK name written without a space is a guess, made only where the
shape of the name decides it, and refused (``None, None``) elsewhere:

* with a space (``山田 太郎``): the family name is the first part;
* Korean (Hangul): the family name is the first syllable, or the first two
  for the compound family names (남궁, 황보, 제갈, 선우, 독고…) in a name of four
  syllables or more;
* Japanese with kana (``山田はなこ``): the leading run of kanji is the family
  name when kana follow;
* Chinese characters only: two characters are family + given; three are
  one + two unless they start with a compound family name (欧阳, 司马, 諸葛…);
  four are two + two (a compound Chinese family name, or the most common
  Japanese shape: 山田太郎); longer names are not split.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from socialcrm.models import nfc

if TYPE_CHECKING:
    import regex

__all__ = ["COMPOUND_SURNAMES", "full_name", "is_cjk", "split_name"]

#: Two-character family names (Chinese, simplified and traditional; Korean).
COMPOUND_SURNAMES = frozenset(
    {
        *("欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫"),
        *("尉迟", "尉遲", "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯"),
        *("轩辕", "軒轅", "令狐", "端木", "西门", "西門", "南宫", "南宮", "独孤", "獨孤"),
        *("남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방"),
    }
)


@functools.cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]:
    """(any CJK letter, a whole CJK word, a Han run followed by kana); built on first use."""
    import regex

    cjk = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}ー々"
    return (
        regex.compile(rf"[{cjk}]"),
        regex.compile(rf"^[{cjk}]+$"),
        regex.compile(r"^([\p{Han}々]+)([\p{Hiragana}\p{Katakana}ー]+)$"),
    )


def is_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese, Japanese or Korean letter (family name first)."""
    return bool(_patterns()[0].search(text))


def full_name(first: str | None, last: str | None) -> str:
    """The display name of given name ``first`` and family name ``last``.

    ``full_name("太郎", "山田") == "山田太郎"``; ``full_name("Jean", "Dupont") ==
    "Jean Dupont"``; either may be missing.  A Chinese name evidently typed
    family name first (``full_name("王", "小明")``) keeps that order: ``王小明``.
    """
    parts = [nfc(x).strip() for x in (first, last) if x and x.strip()]
    if len(parts) == 2 and is_cjk(parts[0] + parts[1]):
        given, family = parts
        if _family_first(given, family):
            given, family = family, given  # the form was filled family name first
        return family + given if _patterns()[1].match(family + given) else f"{family} {given}"
    return " ".join(parts)


def _family_first(first: str, last: str) -> bool:
    """Whether a Chinese name was typed family name first into a Western form.

    ``first`` is then a compound family name (``欧阳``), or one Han character
    before a longer ``last`` (``王`` / ``小明``: Chinese family names have one
    character, given names one or two).  Otherwise (``山田`` / ``太郎``) the
    fields are taken as they are named.
    """
    import regex

    han = regex.compile(r"^[\p{Han}]+$")
    if not (han.match(first) and han.match(last)):
        return False
    if first in COMPOUND_SURNAMES and last not in COMPOUND_SURNAMES:
        return True
    return len(first) == 1 and len(last) > 1


def _split_cjk(word: str) -> tuple[str | None, str | None]:
    """(given, family) of a CJK name written without a space, or (None, None)."""
    import regex

    if regex.match(r"^\p{Hangul}+$", word):
        size = 2 if len(word) >= 4 and word[:2] in COMPOUND_SURNAMES else 1
        return (word[size:], word[:size]) if len(word) > size else (None, None)
    kana = _patterns()[2].match(word)
    if kana:
        return kana.group(2), kana.group(1)
    if not regex.match(r"^[\p{Han}々]+$", word):
        return None, None
    if len(word) == 2:
        return word[1], word[0]
    if len(word) == 3:
        size = 2 if word[:2] in COMPOUND_SURNAMES else 1
        return word[size:], word[:size]
    if len(word) == 4:
        return word[2:], word[:2]
    return None, None


def split_name(name: str) -> tuple[str | None, str | None]:
    """Guess (first, last) -- given and family name -- from a display name.

    A name in a script that writes the given name first and separates words
    ("Jean Paul Dupont") splits at the first space.  A CJK name puts the family
    name first (see the module's rules); a single word that is not CJK is not
    split.
    """
    parts = nfc(name).split()
    if parts and is_cjk(name):
        if len(parts) >= 2:
            return " ".join(parts[1:]), parts[0]
        return _split_cjk(parts[0])
    if len(parts) < 2:
        return None, None
    return parts[0], " ".join(parts[1:])
