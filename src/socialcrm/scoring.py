"""An explained ICP score: the profile, each criterion's points, the total.

An :class:`ICP` is a threshold plus weighted criteria on a prospect's sector,
company size, location, title, networks, tags and custom fields; a
:class:`Score` adds up the :class:`Contribution` of each criterion (and of
plugins) and says whether the prospect qualifies.  These values are the
contract of the ``score_prospect`` and ``prospect_assessor`` hooks, so they
live in the core; the playbook (:mod:`socialcrm.playbook.icp`) stores the
ICP in a pipeline's settings and applies it.

Text criteria match whole words, case-insensitively (``cto`` matches
"CTO & co-founder" but not "Director").  A criterion without ``values`` asks
only that the field be filled in.  Negative weights express exclusions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from socialcrm.errors import ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.models import Assessment, Prospect, nfc

__all__ = [
    "FIELDS",
    "ICP",
    "TOML_HELP",
    "Assessor",
    "Contribution",
    "Criterion",
    "Score",
    "SizeRange",
]


@frozen
class Contribution:
    """Points given by one criterion, with the reason a rep can read."""

    criterion: str
    points: float
    reason: str
    source: str = "socialcrm"


Assessor = Callable[[Prospect, datetime], Assessment]
"""Assesses a prospect at a time: what a ``prospect_assessor`` hook returns."""


FIELDS = ("sector", "company_size", "location", "title", "network", "tag")
"""Built-in criterion fields; custom fields are written ``custom:<name>``."""

#: A text criterion's reasons, one whole message per field and outcome (``unknown``,
#: ``filled``, ``match``, ``none``), so a language can agree each with its field
#: (a field name glued into ``{what} unknown`` cannot); ``custom`` for ``custom:<key>``.
_TEXT_REASONS: dict[str, dict[str, str]] = {
    "sector": {
        "unknown": N_("sector unknown"),
        "filled": N_("sector is filled in"),
        "match": N_("sector {value!r} matches {hit!r}"),
        "none": N_("sector {value!r} matches none of {wanted}"),
    },
    "location": {
        "unknown": N_("location unknown"),
        "filled": N_("location is filled in"),
        "match": N_("location {value!r} matches {hit!r}"),
        "none": N_("location {value!r} matches none of {wanted}"),
    },
    "title": {
        "unknown": N_("title unknown"),
        "filled": N_("title is filled in"),
        "match": N_("title {value!r} matches {hit!r}"),
        "none": N_("title {value!r} matches none of {wanted}"),
    },
    "custom": {
        "unknown": N_("custom field {key!r} unknown"),
        "filled": N_("custom field {key!r} is filled in"),
        "match": N_("custom field {key!r} {value!r} matches {hit!r}"),
        "none": N_("custom field {key!r} {value!r} matches none of {wanted}"),
    },
    "other": {  # a Criterion built by hand on another attribute (never from an ICP file)
        "unknown": N_("field {key!r} unknown"),
        "filled": N_("field {key!r} is filled in"),
        "match": N_("field {key!r} {value!r} matches {hit!r}"),
        "none": N_("field {key!r} {value!r} matches none of {wanted}"),
    },
}

_CRITERION_KEYS = {"field", "weight", "values", "ranges", "name"}
_ICP_KEYS = {"threshold", "criteria", "description"}

TOML_HELP = """\
# Ideal customer profile of pipeline {pipeline!r}.
# A prospect qualifies when the sum of the weights of the criteria it matches
# (plus points from plugins) reaches `threshold`.
#
# Each [[criteria]] table has:
#   field  = one of sector, company_size, location, title, network, tag,
#            or custom:<name> for a custom field
#   weight = points given when it matches (negative to exclude)
#   values = keywords (whole words, any case) / networks / tags; leave it out
#            to ask only that the field be filled in
#   ranges = for company_size: ["1-10", "11-50", "1000+"]
#   name   = optional label shown in explanations
"""


@frozen
class SizeRange:
    """An inclusive company-size range; ``high`` is ``None`` for "and more"."""

    low: int
    high: int | None = None

    def __contains__(self, size: object) -> bool:
        if not isinstance(size, int):
            return False
        return size >= self.low and (self.high is None or size <= self.high)

    def __str__(self) -> str:
        return f"{self.low}+" if self.high is None else f"{self.low}-{self.high}"

    @classmethod
    def parse(cls, text: str) -> SizeRange:
        """Read ``"11-50"``, ``"1000+"`` or ``"42"``."""
        value = str(text).strip().replace(" ", "")
        match = re.fullmatch(r"(\d+)(?:-(\d+)|(\+))?", value)
        if match is None:
            raise ValidationError(
                _("invalid company size range {text!r}").format(text=text),
                field="ranges",
                value=text,
                hint=_('write "11-50", "1000+" or "42"'),
            )
        low = int(match.group(1))
        if match.group(3):
            return cls(low, None)
        high = int(match.group(2)) if match.group(2) else low
        if high < low:
            raise ValidationError(
                _("company size range {text!r} ends before it starts").format(text=text),
                field="ranges",
                value=text,
            )
        return cls(low, high)


def _keyword_match(text: str, keyword: str) -> bool:
    needle = nfc(keyword).casefold()
    if not needle:
        return False
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", nfc(text).casefold()) is not None


@frozen
class Criterion:
    """One weighted question about a prospect."""

    field: str
    weight: float
    values: tuple[str, ...] = ()
    ranges: tuple[SizeRange, ...] = ()
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.field

    def evaluate(self, p: Prospect) -> Contribution:
        """The points this criterion gives ``p``, with the reason."""
        matched, reason = self._match(p)
        return Contribution(self.label, self.weight if matched else 0.0, reason)

    def _match(self, p: Prospect) -> tuple[bool, str]:
        wanted = ", ".join(self.values)
        if self.field == "company_size":
            if p.company_size is None:
                return False, _("company size unknown")
            ranges = ", ".join(str(r) for r in self.ranges)
            if not self.ranges:
                return True, _("company size {size} is known").format(size=p.company_size)
            size_hit = next((r for r in self.ranges if p.company_size in r), None)
            if size_hit is not None:
                return True, _("company size {size} is in {range}").format(
                    size=p.company_size, range=size_hit
                )
            return False, _("company size {size} is outside {ranges}").format(
                size=p.company_size, ranges=ranges
            )
        if self.field == "network":
            networks = [i.network for i in p.identities]
            if not self.values:
                listed = ", ".join(networks)
                return bool(networks), _("on {networks}").format(
                    networks=listed
                ) if networks else _("no network")
            hits = [n for n in self.values if n.lower() in networks]
            if hits:
                return True, _("on {networks}").format(networks=", ".join(hits))
            return False, _("not on {networks}").format(networks=wanted)
        if self.field == "tag":
            if not self.values:
                tags = ", ".join(p.tags)
                return bool(p.tags), _("tagged {tags}").format(tags=tags) if p.tags else _("no tag")
            hits = [t for t in self.values if nfc(t).casefold() in p.tags]
            if hits:
                return True, _("tagged {tags}").format(tags=", ".join(hits))
            return False, _("not tagged {tags}").format(tags=wanted)
        value: str | None
        key = ""
        if self.field.startswith("custom:"):
            key = self.field.split(":", 1)[1]
            value = p.custom.get(key)
            reasons = _TEXT_REASONS["custom"]
        else:
            value = getattr(p, self.field)
            key = self.field
            reasons = _TEXT_REASONS.get(self.field) or _TEXT_REASONS["other"]
        if not value:
            return False, _(reasons["unknown"]).format(key=key)
        if not self.values:
            return True, _(reasons["filled"]).format(key=key)
        hit = next((k for k in self.values if _keyword_match(value, k)), None)
        if hit is not None:
            return True, _(reasons["match"]).format(key=key, value=value, hit=hit)
        return False, _(reasons["none"]).format(key=key, value=value, wanted=wanted)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "weight": _number(self.weight)}
        if self.name:
            data["name"] = self.name
        if self.values:
            data["values"] = list(self.values)
        if self.ranges:
            data["ranges"] = [str(r) for r in self.ranges]
        return data

    @classmethod
    def from_dict(cls, data: Any, index: int = 0) -> Criterion:
        where = f"criteria[{index}]"
        if not isinstance(data, Mapping):
            raise ValidationError(_("{where} must be a table").format(where=where), field=where)
        unknown = sorted(set(data) - _CRITERION_KEYS)
        if unknown:
            raise ValidationError(
                _("{where}: unknown key {key!r}").format(where=where, key=unknown[0]),
                field=f"{where}.{unknown[0]}",
                hint=_("keys: ") + ", ".join(sorted(_CRITERION_KEYS)),
            )
        field = str(data.get("field", "")).strip()
        if field.startswith("custom:") and field.split(":", 1)[1].strip():
            field = "custom:" + nfc(field.split(":", 1)[1])
        elif field not in FIELDS:
            raise ValidationError(
                _("{where}: unknown field {field!r}").format(where=where, field=field),
                field=f"{where}.field",
                value=field,
                hint=_("one of: {names}").format(names=", ".join([*FIELDS, "custom:<name>"])),
            )
        weight = data.get("weight")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
        ):
            raise ValidationError(
                _("{where}: weight must be a number").format(where=where),
                field=f"{where}.weight",
                value=weight,
            )
        values = _str_list(data.get("values", []), f"{where}.values")
        if field == "network":
            values = [v.lower() for v in values]
        raw_ranges = _str_list(data.get("ranges", []), f"{where}.ranges")
        if raw_ranges and field != "company_size":
            raise ValidationError(
                _("{where}: ranges apply to company_size only").format(where=where),
                field=f"{where}.ranges",
            )
        if field == "company_size" and values:
            raise ValidationError(
                _("{where}: company_size takes ranges, not values").format(where=where),
                field=f"{where}.values",
            )
        name = data.get("name")
        return cls(
            field=field,
            weight=float(weight),
            values=tuple(values),
            ranges=tuple(SizeRange.parse(r) for r in raw_ranges),
            name=nfc(str(name)) if name else None,
        )


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ValidationError(
            _("{where} must be a list of strings").format(where=where), field=where, value=value
        )
    out = []
    for item in value:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise ValidationError(
                _("{where} must be a list of strings").format(where=where), field=where, value=item
            )
        if nfc(str(item)):
            out.append(nfc(str(item)))
    return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


@frozen
class ICP:
    """A pipeline's ideal customer profile."""

    threshold: float
    criteria: tuple[Criterion, ...] = ()
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"threshold": _number(self.threshold)}
        if self.description:
            data["description"] = self.description
        data["criteria"] = [c.to_dict() for c in self.criteria]
        return data

    @classmethod
    def from_dict(cls, data: Any) -> ICP:
        """Validate a dict (from settings or TOML); errors name the key at fault."""
        if not isinstance(data, Mapping):
            raise ValidationError(_("an ICP must be a table"), field="icp")
        unknown = sorted(set(data) - _ICP_KEYS)
        if unknown:
            raise ValidationError(
                _("unknown ICP key {key!r}").format(key=unknown[0]),
                field=unknown[0],
                hint=_("keys: ") + ", ".join(sorted(_ICP_KEYS)),
            )
        threshold = data.get("threshold")
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not math.isfinite(threshold)
        ):
            raise ValidationError(
                _("the ICP needs a numeric threshold"), field="threshold", value=threshold
            )
        criteria = data.get("criteria", [])
        if not isinstance(criteria, list):
            raise ValidationError(_("criteria must be an array of tables"), field="criteria")
        return cls(
            threshold=float(threshold),
            criteria=tuple(Criterion.from_dict(c, i) for i, c in enumerate(criteria)),
            description=nfc(str(data.get("description", ""))),
        )

    @classmethod
    def from_toml(cls, text: str, *, source: str = "ICP file") -> ICP:
        import tomllib  # here: every scored command imports this module, few parse TOML

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(
                _("{source}: invalid TOML: {exc}").format(source=source, exc=exc), field="icp"
            ) from None
        try:
            return cls.from_dict(data)
        except ValidationError as exc:
            raise ValidationError(
                f"{source}: {exc.message}", field=exc.field, value=exc.value, hint=exc.hint
            ) from None

    def to_toml(self, *, pipeline: str | None = None) -> str:
        import tomli_w

        header = TOML_HELP.format(pipeline=pipeline or "default")
        return header + "\n" + tomli_w.dumps(self.to_dict())

    def evaluate(self, p: Prospect) -> list[Contribution]:
        """Contributions of the built-in criteria (plugins not included)."""
        return [c.evaluate(p) for c in self.criteria]


@frozen
class Score:
    """An explained score: each criterion's points, the total, the decision."""

    total: float
    threshold: float
    contributions: tuple[Contribution, ...]

    @property
    def qualified(self) -> bool:
        return self.total >= self.threshold

    def summary(self) -> str:
        """One line naming the criteria that gave points, e.g. ``sector +30; title +20``."""
        parts = [
            f"{c.criterion} {c.points:+g}" + ("" if c.source == "socialcrm" else f" ({c.source})")
            for c in self.contributions
            if c.points
        ]
        return "; ".join(parts) or "no criterion matched"

    def assessment(self, at: datetime) -> Assessment:
        return Assessment(self.qualified, self.total, self.threshold, self.summary(), at)
