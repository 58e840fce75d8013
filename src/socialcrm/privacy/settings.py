"""A pipeline's privacy settings, kept in its ``settings["privacy"]``.

Each pipeline is one offer, one purpose: its notice names the controller, the
purpose and how to object, and its retention period may differ (the CNIL's
3 years is the default).  A host application sets them with
:func:`configure`; the CLI with ``socialcrm privacy config``.

::

    {"controller": "Acme SAS", "contact": "dpo@acme.example",
     "purpose": "…", "how_to_object": "…", "language": "fr", "retention": "3y",
     "texts": {"notice.fr": "…"}}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _
from socialcrm.pipelines import update_settings
from socialcrm.privacy import PRIVACY_KEY
from socialcrm.text import check
from socialcrm.value import Value

if TYPE_CHECKING:
    from socialcrm.crm import CRM
    from socialcrm.models import Pipeline

__all__ = [
    "DEFAULT_RETENTION",
    "KINDS",
    "LANGUAGES",
    "MAX_TEXT",
    "Duration",
    "PrivacySettings",
    "configure",
    "parse_duration",
    "settings_of",
    "text_key",
]

LANGUAGES = ("fr", "en")
KINDS = ("notice", "short", "ask")
"""The texts a pipeline may override: the full notice, the short one, the re-contact draft."""
TEXT_FIELDS = ("controller", "contact", "purpose", "how_to_object")
MAX_SETTING = 500
MAX_TEXT = 20_000
"""The longest text override (a notice is a page at most)."""


@frozen(repr=False, eq=False)
class Duration(Value):
    """A retention period in calendar months plus days (``3y`` = 36 months)."""

    months: int = 0
    days: int = 0

    def __str__(self) -> str:
        parts = []
        if self.months:
            years, months = divmod(self.months, 12)
            parts += [f"{years}y"] if years else []
            parts += [f"{months}m"] if months else []
        parts += [f"{self.days}d"] if self.days or not parts else []
        return "".join(parts)

    def words(self, language: str = "en") -> str:
        """``3 years``, ``18 months``, ``2 ans et 10 jours``…"""
        years, months = divmod(self.months, 12)
        units = (
            (years, ("an", "ans") if language == "fr" else ("year", "years")),
            (months, ("mois", "mois") if language == "fr" else ("month", "months")),
            (self.days, ("jour", "jours") if language == "fr" else ("day", "days")),
        )
        parts = [f"{n} {names[0] if n == 1 else names[1]}" for n, names in units if n]
        joiner = " et " if language == "fr" else " and "
        return joiner.join(parts) or ("0 jour" if language == "fr" else "0 days")


DEFAULT_RETENTION = Duration(months=36)
"""The CNIL référentiel's period for prospects: 3 years from collection or their last contact."""

_DURATION = r"^(?:(\d{1,3})y)?(?:(\d{1,4})m)?(?:(\d{1,5})d)?$"  # compiled on use (re caches)


def parse_duration(text: str, *, field: str = "retention") -> Duration:
    """``3y``, ``36m``, ``1095d``, ``2y6m``… as a :class:`Duration` (at least one day)."""
    m = re.match(_DURATION, text.strip().lower())
    if m is None or not any(m.groups()):
        raise ValidationError(
            _("invalid duration {text!r}").format(text=text),
            field=field,
            value=text,
            hint=_("years, months and days such as 3y, 18m, 400d or 2y6m"),
        )
    years, months, days = (int(x) if x else 0 for x in m.groups())
    duration = Duration(months=years * 12 + months, days=days)
    if duration.months == 0 and duration.days == 0:
        raise ValidationError(_("a duration must be positive"), field=field, value=text)
    return duration


@frozen(repr=False, eq=False)
class PrivacySettings(Value):
    """What the notice and the retention clock need to know about a pipeline."""

    controller: str | None = None
    contact: str | None = None
    purpose: str | None = None
    how_to_object: str | None = None
    language: str = "fr"
    retention: Duration = DEFAULT_RETENTION
    texts: Mapping[str, str] = field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "controller": self.controller,
            "contact": self.contact,
            "purpose": self.purpose,
            "how_to_object": self.how_to_object,
            "language": self.language,
            "retention": str(self.retention),
            "texts": dict(self.texts),
        }


def text_key(name: str) -> str:
    """``notice.fr`` checked: a known kind and language."""
    kind, _dot, language = name.strip().lower().partition(".")
    if kind not in KINDS or language not in LANGUAGES:
        raise ValidationError(
            _("unknown text {name!r}").format(name=name),
            field="text",
            value=name,
            hint=_("one of: ") + ", ".join(f"{k}.{lang}" for k in KINDS for lang in LANGUAGES),
        )
    return f"{kind}.{language}"


def _language(value: str) -> str:
    language = value.strip().lower()
    if language not in LANGUAGES:
        raise ValidationError(
            _("unsupported language {value!r}").format(value=value),
            field="language",
            value=value,
            hint=_("one of: ") + ", ".join(LANGUAGES),
        )
    return language


def settings_of(pipeline: Pipeline) -> PrivacySettings:
    """``pipeline``'s privacy settings (defaults where unset)."""
    raw = pipeline.settings.get(PRIVACY_KEY) or {}
    if not isinstance(raw, Mapping):
        raw = {}
    texts = raw.get("texts") if isinstance(raw.get("texts"), Mapping) else {}
    return PrivacySettings(
        **{k: str(raw[k]) for k in TEXT_FIELDS if isinstance(raw.get(k), str) and raw[k]},
        language=_language(str(raw.get("language") or "fr")),
        retention=parse_duration(str(raw["retention"]))
        if raw.get("retention")
        else DEFAULT_RETENTION,
        texts={str(k): str(v) for k, v in (texts or {}).items()},
    )


def configure(crm: CRM, changes: Mapping[str, str | None]) -> PrivacySettings:
    """Set (or with ``None``/"" clear) privacy settings of the current pipeline; checked first.

    Keys: ``controller``, ``contact``, ``purpose``, ``how_to_object``,
    ``language``, ``retention``, and ``texts.<kind>.<language>`` (a text's override).
    """
    current = dict(crm.pipeline.settings.get(PRIVACY_KEY) or {})
    texts = dict(current.get("texts") or {})
    for key, value in changes.items():
        if value is not None:
            check(value, key, multiline=key.startswith("texts."))
            cap = MAX_TEXT if key.startswith("texts.") else MAX_SETTING
            if len(value) > cap:
                raise ValidationError(
                    _("{key} is over {cap} characters").format(key=key, cap=cap), field=key
                )
        if key.startswith("texts."):
            name = text_key(key.removeprefix("texts."))
            if value:
                texts[name] = value
            else:
                texts.pop(name, None)
            continue
        if key not in (*TEXT_FIELDS, "language", "retention"):
            raise ValidationError(_("unknown privacy setting {key!r}").format(key=key), field=key)
        if not value:
            current.pop(key, None)
        elif key == "language":
            current[key] = _language(value)
        elif key == "retention":
            current[key] = str(parse_duration(value))
        else:
            current[key] = " ".join(value.split())
    if texts:
        current["texts"] = texts
    else:
        current.pop("texts", None)
    updated = update_settings(crm.repository, lambda: crm.pipeline, {PRIVACY_KEY: current or None})
    return settings_of(updated)
