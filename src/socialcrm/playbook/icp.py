"""The ideal customer profile (stage 2, identify): weighted criteria and an explained score.

An :class:`ICP` is a threshold plus weighted criteria on a prospect's sector,
company size, location, title, networks, tags and custom fields.  A prospect's
score is the sum of the weights of the criteria it matches plus the points that
plugins give through the ``score_prospect`` hook; it qualifies when the score
reaches the threshold.  Every point is explained by a
:class:`~socialcrm.scoring.Contribution`, so ``socialcrm score REF`` can say
*why* a prospect is (not) a fit.

Text criteria match whole words, case-insensitively (``cto`` matches
"CTO & co-founder" but not "Director").  A criterion without ``values`` asks
only that the field be filled in.  Negative weights express exclusions.

The ICP is stored as a plain dict in the pipeline's ``settings["icp"]`` and
edited by the rep as TOML::

    threshold = 50

    [[criteria]]
    field = "sector"
    weight = 30
    values = ["software", "saas"]

    [[criteria]]
    field = "company_size"
    weight = 20
    ranges = ["11-50", "51-200"]

When a pipeline has an ICP, prospects are scored on every change (add, edit,
import) and the result is stored as their :class:`~socialcrm.models.Assessment`;
leaving ``identify`` then requires score >= threshold (see :func:`problems`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import define, evolve, frozen

from socialcrm.errors import ValidationError
from socialcrm.models import Assessed, Assessment, Event, Payload, Pipeline, Prospect, nfc
from socialcrm.playbook import ICP_KEY, has_icp
from socialcrm.rules import Problem
from socialcrm.scoring import Contribution

if TYPE_CHECKING:
    from datetime import datetime

    from socialcrm.crm import CRM
    from socialcrm.hooks import Hooks

__all__ = [
    "FIELDS",
    "ICP",
    "Criterion",
    "Rescored",
    "Score",
    "SizeRange",
    "assess_many",
    "get_icp",
    "problems",
    "reassess",
    "rescore",
    "rescore_all",
    "score",
    "set_icp",
]

FIELDS = ("sector", "company_size", "location", "title", "network", "tag")
"""Built-in criterion fields; custom fields are written ``custom:<name>``."""

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
                f"invalid company size range {text!r}",
                field="ranges",
                value=text,
                hint='write "11-50", "1000+" or "42"',
            )
        low = int(match.group(1))
        if match.group(3):
            return cls(low, None)
        high = int(match.group(2)) if match.group(2) else low
        if high < low:
            raise ValidationError(
                f"company size range {text!r} ends before it starts", field="ranges", value=text
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
                return False, "company size unknown"
            ranges = ", ".join(str(r) for r in self.ranges)
            if not self.ranges:
                return True, f"company size {p.company_size} is known"
            size_hit = next((r for r in self.ranges if p.company_size in r), None)
            if size_hit is not None:
                return True, f"company size {p.company_size} is in {size_hit}"
            return False, f"company size {p.company_size} is outside {ranges}"
        if self.field == "network":
            networks = [i.network for i in p.identities]
            if not self.values:
                return bool(networks), ("on " + ", ".join(networks)) if networks else "no network"
            hits = [n for n in self.values if n.lower() in networks]
            if hits:
                return True, f"on {', '.join(hits)}"
            return False, f"not on {wanted}"
        if self.field == "tag":
            if not self.values:
                return bool(p.tags), ("tagged " + ", ".join(p.tags)) if p.tags else "no tag"
            hits = [t for t in self.values if nfc(t).casefold() in p.tags]
            if hits:
                return True, f"tagged {', '.join(hits)}"
            return False, f"not tagged {wanted}"
        value: str | None
        if self.field.startswith("custom:"):
            key = self.field.split(":", 1)[1]
            value = p.custom.get(key)
            what = f"custom field {key!r}"
        else:
            value = getattr(p, self.field)
            what = self.field
        if not value:
            return False, f"{what} unknown"
        if not self.values:
            return True, f"{what} is filled in"
        hit = next((k for k in self.values if _keyword_match(value, k)), None)
        if hit is not None:
            return True, f"{what} {value!r} matches {hit!r}"
        return False, f"{what} {value!r} matches none of {wanted}"

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
            raise ValidationError(f"{where} must be a table", field=where)
        unknown = sorted(set(data) - _CRITERION_KEYS)
        if unknown:
            raise ValidationError(
                f"{where}: unknown key {unknown[0]!r}",
                field=f"{where}.{unknown[0]}",
                hint="keys: " + ", ".join(sorted(_CRITERION_KEYS)),
            )
        field = str(data.get("field", "")).strip()
        if field.startswith("custom:") and field.split(":", 1)[1].strip():
            field = "custom:" + nfc(field.split(":", 1)[1])
        elif field not in FIELDS:
            raise ValidationError(
                f"{where}: unknown field {field!r}",
                field=f"{where}.field",
                value=field,
                hint="one of: " + ", ".join(FIELDS) + ", custom:<name>",
            )
        weight = data.get("weight")
        if (
            isinstance(weight, bool)
            or not isinstance(weight, int | float)
            or not math.isfinite(weight)
        ):
            raise ValidationError(
                f"{where}: weight must be a number", field=f"{where}.weight", value=weight
            )
        values = _str_list(data.get("values", []), f"{where}.values")
        if field == "network":
            values = [v.lower() for v in values]
        raw_ranges = _str_list(data.get("ranges", []), f"{where}.ranges")
        if raw_ranges and field != "company_size":
            raise ValidationError(
                f"{where}: ranges apply to company_size only", field=f"{where}.ranges"
            )
        if field == "company_size" and values:
            raise ValidationError(
                f"{where}: company_size takes ranges, not values", field=f"{where}.values"
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
        raise ValidationError(f"{where} must be a list of strings", field=where, value=value)
    out = []
    for item in value:
        if not isinstance(item, str | int) or isinstance(item, bool):
            raise ValidationError(f"{where} must be a list of strings", field=where, value=item)
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
            raise ValidationError("an ICP must be a table", field="icp")
        unknown = sorted(set(data) - _ICP_KEYS)
        if unknown:
            raise ValidationError(
                f"unknown ICP key {unknown[0]!r}",
                field=unknown[0],
                hint="keys: " + ", ".join(sorted(_ICP_KEYS)),
            )
        threshold = data.get("threshold")
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not math.isfinite(threshold)
        ):
            raise ValidationError(
                "the ICP needs a numeric threshold", field="threshold", value=threshold
            )
        criteria = data.get("criteria", [])
        if not isinstance(criteria, list):
            raise ValidationError("criteria must be an array of tables", field="criteria")
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
            raise ValidationError(f"{source}: invalid TOML: {exc}", field="icp") from None
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


# ---------------------------------------------------------------------------
# Reading, writing and applying a pipeline's ICP.


def get_icp(pipeline: Pipeline) -> ICP | None:
    """The pipeline's ICP, or ``None`` (then qualification is explicit)."""
    return ICP.from_dict(pipeline.settings[ICP_KEY]) if has_icp(pipeline) else None


def score(p: Prospect, icp: ICP, hooks: Hooks | None = None) -> Score:
    """Built-in criteria plus every plugin's ``score_prospect`` contributions."""
    contributions = icp.evaluate(p)
    if hooks is not None:
        contributions += hooks.score_prospect(prospect=p, icp=icp)
    total = round(sum(c.points for c in contributions), 6)
    return Score(total + 0.0, icp.threshold, tuple(contributions))


def _same(a: Assessment | None, b: Assessment) -> bool:
    return a is not None and (a.qualified, a.score, a.threshold, a.note) == (
        b.qualified,
        b.score,
        b.threshold,
        b.note,
    )


_UNSET: Any = object()


def reassess(
    crm: CRM, prospect: Prospect, payloads: Sequence[Payload] = (), *, icp: ICP | None = _UNSET
) -> tuple[Prospect, list[Payload]]:
    """Re-score an open prospect when its pipeline has an ICP.

    Returns the prospect with its new :class:`Assessment` and ``payloads``
    plus an ``assessed`` event when the result changed; unchanged otherwise.
    Won and lost prospects keep the assessment they had.  ``icp`` spares the
    lookup when the caller already has the pipeline's ICP (batches).
    """
    if icp is _UNSET:
        pipeline = crm.repository.get_pipeline(prospect.pipeline)
        icp = get_icp(pipeline) if pipeline is not None else None
    if icp is None or not prospect.is_open:
        return prospect, list(payloads)
    result = score(prospect, icp, crm.hooks)
    assessment = result.assessment(crm.now())
    if _same(prospect.assessment, assessment):
        return prospect, list(payloads)
    payload = Assessed(
        assessment.qualified, assessment.score, assessment.threshold, assessment.note
    )
    return evolve(prospect, assessment=assessment), [*payloads, payload]


def rescore(crm: CRM, ref: str) -> tuple[Prospect, Score]:
    """Score one prospect against the current ICP, store the result, explain it."""
    icp = get_icp(crm.pipeline)
    if icp is None:
        raise ValidationError(
            f"pipeline {crm.pipeline_name!r} has no ideal customer profile",
            field="icp",
            hint="define one with 'socialcrm icp edit' or 'socialcrm icp set FILE'",
        )
    prospect = crm._change(ref, lambda p: (p, []))  # re-scored on commit
    return prospect, score(prospect, icp, crm.hooks)


@define
class Rescored:
    """What a batch re-score changed: how many prospects, and what to tell plugins.

    Re-scoring a 30,000-prospect pipeline must not keep 30,000 models: the
    new events' ids are kept only when a plugin implements ``on_event``, and
    :meth:`notify` reads them back once the transaction is committed.
    """

    count: int = 0
    told: dict[str, list[str]] | None = None

    def read_back(self, crm: CRM) -> Iterator[tuple[Prospect | None, list[Event]]]:
        """Each re-scored prospect as stored now, with its new events (after the commit)."""
        if not self.told:
            return
        for pid, events in crm.repository.events_for(self.told):
            ids = set(self.told[pid])
            yield crm.repository.get(pid), [e for e in events if e.id in ids]

    def notify(self, crm: CRM) -> None:
        """Tell ``on_event`` about the new ``assessed`` events."""
        for prospect, events in self.read_back(crm):
            crm._notify(events, prospect)


def assess_many(crm: CRM, prospects: Iterable[Prospect]) -> Rescored:
    """Score freshly written prospects (e.g. an import); caller holds the transaction.

    ``prospects`` may be a generator: each is scored and written, then
    forgotten.  The caller calls :meth:`Rescored.notify` once committed.
    """
    done = Rescored(told={} if crm.hooks.listening("on_event") else None)
    icps: dict[str, ICP | None] = {}
    for p in prospects:
        if p.pipeline not in icps:
            pipeline = crm.repository.get_pipeline(p.pipeline)
            icps[p.pipeline] = get_icp(pipeline) if pipeline is not None else None
        after, payloads = reassess(crm, p, icp=icps[p.pipeline])
        if payloads:
            events = crm._commit(after, payloads, prospect_id=p.id)
            done.count += 1
            if done.told is not None:
                done.told.setdefault(p.id, []).extend(e.id for e in events)
    return done


def _open_prospects(crm: CRM) -> Iterator[Prospect]:
    """The current pipeline's open prospects, one stage at a time (each stage's
    are scored before the next is read)."""
    from socialcrm.repository import Query, stage_by_stage
    from socialcrm.stages import Status

    query = Query(pipeline=crm.pipeline_name, status=Status.OPEN)
    return stage_by_stage(crm.repository, query)


def rescore_all(crm: CRM) -> int:
    """Re-score every open prospect of the current pipeline; return how many changed."""
    with crm.repository.transaction():
        done = assess_many(crm, _open_prospects(crm))
    done.notify(crm)
    return done.count


def set_icp(crm: CRM, icp: ICP | None) -> int:
    """Store (or with ``None`` remove) the current pipeline's ICP and re-score.

    Returns the number of prospects whose assessment changed.  Removing the
    ICP keeps the last assessments: qualification becomes explicit again.
    """
    with crm.repository.transaction():
        crm.update_pipeline_settings({ICP_KEY: icp.to_dict() if icp else None})
        done = assess_many(crm, _open_prospects(crm)) if icp else Rescored()
    done.notify(crm)
    return done.count


def problems(p: Prospect, pipeline: Pipeline) -> Iterable[Problem]:
    """The ``identify`` exit criterion when the pipeline has an ICP: score >= threshold."""
    icp = get_icp(pipeline)
    if icp is None:
        return
    a = p.assessment
    if a is None or a.score is None:
        yield Problem(
            "identify.assessed",
            "the prospect has not been scored against the ideal customer profile",
            f"run 'socialcrm score {p.id}'",
        )
    elif a.score < icp.threshold:
        yield Problem(
            "identify.assessed",
            f"ICP score {a.score:g} is below the threshold {icp.threshold:g} ({a.note})",
            f"see 'socialcrm score {p.id}'; complete the prospect's data or adjust the ICP",
        )
