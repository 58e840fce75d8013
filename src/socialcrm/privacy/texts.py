"""The notice and re-contact texts, shipped in French and English, rendered per person.

Three kinds, each a file of package data (``texts/<kind>.<language>.txt``)
that a pipeline may override (``settings["privacy"]["texts"]["<kind>.<language>"]``):

* ``notice`` — the full GDPR art. 14 information notice;
* ``short`` — the few lines appended to a first message (``message --with-notice``),
  with the right to object on a line of its own (art. 21(4));
* ``ask`` — the "do you still want to hear from us?" message sent before a
  person's data expires (CNIL référentiel: ask, then delete without a yes).

Variables: ``{controller}``, ``{contact}``, ``{purpose}``, ``{basis}``,
``{source}``, ``{retention}``, ``{rights}``, ``{how_to_object}``, ``{first_name}``, ``{name}``.
Like message templates, rendering refuses an unknown variable or one without
a value (no "Dear None"), naming the setting to fill.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Prospect, nfc
from socialcrm.privacy.basis import describe
from socialcrm.privacy.settings import KINDS, LANGUAGES, PrivacySettings, text_key

__all__ = [
    "KINDS",
    "VARIABLES",
    "render_text",
    "shipped_texts",
    "source_words",
    "template_text",
    "text_key",
]

VARIABLES = (
    "controller",
    "contact",
    "purpose",
    "basis",
    "source",
    "retention",
    "rights",
    "how_to_object",
    "first_name",
    "name",
)
_CONFIG_HINT = {
    "controller": 'socialcrm privacy config --controller "Acme SAS"',
    "contact": "socialcrm privacy config --contact dpo@acme.example",
}


@cache
def _shipped(name: str) -> str:
    from importlib import resources  # on use: most commands render no text

    return resources.files("socialcrm.privacy").joinpath(f"texts/{name}.txt").read_text("utf-8")


@cache
def _defaults() -> dict[str, dict[str, str]]:
    import json
    from importlib import resources

    raw = resources.files("socialcrm.privacy").joinpath("texts/defaults.json").read_text("utf-8")
    data: dict[str, dict[str, str]] = json.loads(raw)
    return data


def template_text(settings: PrivacySettings, kind: str, language: str | None = None) -> str:
    """The text of ``kind`` in ``language`` (default: the pipeline's), overridden or shipped."""
    key = text_key(f"{kind}.{language or settings.language}")
    return settings.texts.get(key) or _shipped(key)


def source_words(p: Prospect, language: str) -> str:
    """Where the person's data came from, in words (GDPR art. 14(2)(f))."""
    words = _defaults()[language]
    source = p.source
    if source is not None and source.network:
        return words["source_network"].format(network=source.network)
    if source is not None and source.note and "imported from" in source.note:
        return words["source_import"]
    if source is not None and source.note:
        return source.note
    return words["source_unknown"]


def _values(settings: PrivacySettings, p: Prospect, language: str) -> dict[str, str | None]:
    defaults = _defaults()[language]
    return {
        "controller": settings.controller,
        "contact": settings.contact,
        "purpose": settings.purpose or defaults["purpose"],
        "basis": describe(p.lawful_basis, language),
        "source": source_words(p, language),
        "retention": settings.retention.words(language),
        "rights": defaults["rights"],
        "how_to_object": settings.how_to_object
        or (
            f"{defaults['how_to_object']} ({settings.contact})"
            if settings.contact
            else defaults["how_to_object"]
        ),
        "first_name": p.first_name or p.name,
        "name": p.name,
    }


def render_text(
    settings: PrivacySettings, kind: str, p: Prospect, *, language: str | None = None
) -> str:
    """The text of ``kind`` for ``p``; refuses unknown or empty variables by name."""
    language = language or settings.language
    import string  # on use: most commands render no text

    text = template_text(settings, kind, language)
    values = _values(settings, p, language)
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValidationError(f"{kind}.{language}: {exc}", field="text") from None
    pieces: list[str] = []
    for literal, name, _spec, _conv in parsed:
        pieces.append(literal)
        if name is None:
            continue
        if name not in values:
            raise ValidationError(
                _("{kind}.{language}: unknown variable {{{name}}}").format(
                    kind=kind, language=language, name=name
                ),
                field="text",
                value=name,
                hint=_("variables: ") + ", ".join(VARIABLES),
            )
        value = values[name]
        if not value:
            raise ValidationError(
                _("the {kind} text needs the pipeline's {name}, which is not set").format(
                    kind=kind, name=name
                ),
                field=name,
                hint=_CONFIG_HINT.get(name, f"socialcrm privacy config --{name} …"),
            )
        pieces.append(value)
    return nfc("".join(pieces)).strip("\n")


def shipped_texts() -> dict[str, Any]:
    """Every shipped text by ``kind.language`` (for docs and tests)."""
    return {f"{k}.{lang}": _shipped(f"{k}.{lang}") for k in KINDS for lang in LANGUAGES}
