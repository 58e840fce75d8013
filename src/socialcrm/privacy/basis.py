"""The GDPR art. 6 lawful bases, as a rep and a data subject read them.

The values are :class:`socialcrm.models.LawfulBasis`; B2B prospecting rests on
legitimate interest (GDPR recital 47; CNIL on prospecting professionals), which
is what makes the art. 21 right to object apply.
"""

from __future__ import annotations

from socialcrm.models import LawfulBasis

__all__ = ["BASIS_TEXT", "describe"]

#: (article, English, French) for each basis.
BASIS_TEXT: dict[LawfulBasis, tuple[str, str, str]] = {
    LawfulBasis.LEGITIMATE_INTEREST: (
        "art. 6(1)(f)",
        "legitimate interest (B2B prospecting about your professional activity)",
        "intérêt légitime (prospection B2B en lien avec votre activité professionnelle)",
    ),
    LawfulBasis.CONSENT: ("art. 6(1)(a)", "your consent", "votre consentement"),
    LawfulBasis.CONTRACT: (
        "art. 6(1)(b)",
        "a contract with you, or steps you asked for before one",
        "un contrat avec vous, ou des mesures précontractuelles à votre demande",
    ),
    LawfulBasis.LEGAL_OBLIGATION: ("art. 6(1)(c)", "a legal obligation", "une obligation légale"),
    LawfulBasis.VITAL_INTEREST: ("art. 6(1)(d)", "vital interests", "des intérêts vitaux"),
    LawfulBasis.PUBLIC_TASK: (
        "art. 6(1)(e)",
        "a public-interest task",
        "une mission d'intérêt public",
    ),
}


def describe(basis: LawfulBasis, language: str = "en") -> str:
    """``basis`` in words, in ``language`` (``fr`` or ``en``), with its article."""
    article, english, french = BASIS_TEXT[basis]
    if language == "fr":
        return f"{french} (RGPD {article})"
    return f"{english} (GDPR {article})"
