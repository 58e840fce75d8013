"""Names compared as a rep reads them: canonical forms and Unicode confusable skeletons.

:func:`skeleton` is the *skeleton* of Unicode Technical Standard #39
(Unicode Security Mechanisms, section 4 "Confusable Detection"): two strings
are confusable when their skeletons are equal.  It is computed exactly as the
standard says -- NFD, remove ``Default_Ignorable_Code_Point`` characters, map
each character to its prototype from ``confusables.txt``, NFD again -- from
the Unicode data file shipped beside this module (``data/confusables.txt``,
version and licence in ``data/README.md``).  It is implemented here rather
than taken from a library because none fits: PyICU (ICU's ``SpoofChecker``)
is a compiled binding with no wheel, built against the system's ICU;
``confusable-homoglyphs`` answers "does this string contain a confusable" but
computes no skeleton; ``decancer`` folds with its own tables, not TR39's.

:func:`canonical_name` is what "the same name" means for duplicate
suggestions: case, accents, punctuation, spacing and word order ignored --
but *not* compatibility forms, so a name in full-width letters is not the
same name as its ASCII spelling: it is a look-alike (:func:`lookalike_key`),
which is what the rep must be warned of.
"""

from __future__ import annotations

import functools
import unicodedata
from importlib import resources

__all__ = [
    "DEFAULT_IGNORABLE",
    "LEGAL_FORMS",
    "canonical_company",
    "canonical_name",
    "confusable_characters",
    "lookalike_key",
    "skeleton",
]

#: ``Default_Ignorable_Code_Point`` ranges (DerivedCoreProperties.txt, Unicode 15.0;
#: adjacent ranges merged).  The property is stable: characters are added to it
#: only when unassigned code points in these blocks get assigned.
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)

#: Legal forms left out of a company's canonical name ("Acme SAS" is "Acme").
LEGAL_FORMS = frozenset(
    [
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sci",
        "scop",
        "gmbh",
        "ag",
        "kg",
        "ug",
        "bv",
        "nv",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "srl",
        "spa",
        "sl",
        "slu",
        "oy",
        "ab",
        "as",
        "aps",
    ]
)


def _ignorable(code: int) -> bool:
    return any(low <= code <= high for low, high in DEFAULT_IGNORABLE)


@functools.cache
def _prototypes() -> dict[int, str]:
    """``confusables.txt`` as a ``str.translate`` table: source code point → prototype."""
    text = resources.files("socialcrm.dedupe").joinpath("data/confusables.txt").read_text("utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        source, target, _kind = (part.strip() for part in data.split(";"))
        table[int(source, 16)] = "".join(chr(int(h, 16)) for h in target.split())
    # ignorable characters vanish (step 2 of the skeleton), folded into the one table
    for low, high in DEFAULT_IGNORABLE:
        for code in range(low, high + 1):
            table[code] = ""
    return table


def skeleton(text: str) -> str:
    """The UTS #39 skeleton of ``text``: equal skeletons mean the strings look alike."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


def _words(text: str) -> list[str]:
    """``text`` case-folded, without combining marks, cut into words of letters and digits."""
    folded = unicodedata.normalize("NFD", text.casefold())
    cleaned = "".join(
        c if c.isalnum() else " "
        for c in folded
        if not unicodedata.combining(c) and not _ignorable(ord(c))
    )
    return cleaned.split()


def canonical_name(name: str) -> str:
    """``name`` with case, accents, punctuation, spacing and word order ignored.

    ``"Dupont, Jean-Pierre"`` and ``"jean pierre DUPONT"`` are one name;
    compatibility forms are kept apart (full-width letters are a look-alike,
    not the same name).
    """
    return " ".join(sorted(_words(name)))


def lookalike_key(name: str) -> str:
    """The blocking key of names that *look* the same: each canonical word's skeleton.

    Case-folded first (the skeleton of ``I`` is ``l``: a capital would make
    ``Ilya`` look like ``llya``), then each word put in NFKC -- compatibility
    forms (full-width ``ｎ``, mathematical ``𝐧``, ligatures) are drawn as the
    letter they stand for, and ``confusables.txt`` leaves some of them out --
    and mapped to its skeleton; the words sorted.
    """
    return " ".join(
        sorted(skeleton(unicodedata.normalize("NFKC", w).casefold()) for w in _words(name))
    )


def canonical_company(company: str) -> str:
    """``company`` as :func:`canonical_name`, without legal forms (``Acme SAS`` is ``acme``)."""
    words = _words(company)
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words)


def confusable_characters(name: str, other: str) -> list[str]:
    """The characters of ``name`` that are not in ``other`` and look like something else.

    Shown to the rep as ``'а' U+0430 CYRILLIC SMALL LETTER A``.
    """
    seen = set(other)
    found: list[str] = []
    for char in dict.fromkeys(name):
        if char in seen or char.isspace():
            continue
        folded = char.casefold()
        if skeleton(unicodedata.normalize("NFKC", folded).casefold()) != folded:
            label = unicodedata.name(char, "")
            found.append(f"{char!r} U+{ord(char):04X} {label}".rstrip())
    return found
