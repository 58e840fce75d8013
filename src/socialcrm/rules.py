"""Exit criteria: what must be true before a prospect leaves a stage.

A rule is a named check attached to the stage it guards.  It never raises for
an unmet criterion: it returns :class:`Problem` values that say what is wrong
and how to fix it, so a refused move can be explained line by line and a
forced move can record exactly what it overrode.

The :class:`RuleRegistry` is the extension point: a host application can add,
replace or remove rules by name; plugins (the playbook's built-in one too) add
theirs through the ``check_transition`` hook.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from attrs import frozen

from socialcrm.i18n import text as _
from socialcrm.models import (
    Event,
    EventKind,
    Pipeline,
    ProblemRecord,
    Prospect,
)
from socialcrm.stages import Stage
from socialcrm.value import Value

__all__ = [
    "Problem",
    "Rule",
    "RuleRegistry",
    "TransitionContext",
    "crossed_stages",
    "default_rules",
]


@frozen(repr=False, eq=False)
class Problem(Value):
    """One unmet exit criterion: which rule, what is wrong, how to fix it."""

    rule: str
    message: str
    fix: str | None = None

    def record(self) -> ProblemRecord:
        """The form stored in a forced move's event."""
        return ProblemRecord(rule=self.rule, message=self.message, fix=self.fix)


@frozen(repr=False, eq=False)
class TransitionContext(Value):
    """Everything a rule may look at: the prospect, its history, its pipeline.

    ``assessed_by_plugin`` says a plugin assesses the pipeline's prospects (the
    playbook's ICP score, through ``prospect_assessor``): that plugin then
    judges the fit, and explicit qualification does not apply.
    """

    prospect: Prospect
    from_stage: Stage
    to_stage: Stage
    pipeline: Pipeline
    events: Sequence[Event]
    assessed_by_plugin: bool = False


Check = Callable[[TransitionContext], Iterable[Problem]]


@frozen(repr=False, eq=False)
class Rule(Value):
    """A named exit criterion of the stage ``leaving``."""

    name: str
    leaving: Stage
    description: str
    check: Check

    def __call__(self, context: TransitionContext) -> list[Problem]:
        return list(self.check(context))


def crossed_stages(from_stage: Stage, to_stage: Stage) -> list[Stage]:
    """Stages left when moving forward from ``from_stage`` to ``to_stage``.

    Moving backward crosses no exit criteria and returns ``[]``.
    """
    return [s for s in Stage if from_stage <= s < to_stage]


class RuleRegistry:
    """Exit criteria by stage, addressable by rule name."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule, *, replace: bool = False) -> None:
        """Register ``rule``; an existing name needs ``replace=True``."""
        if rule.name in self._rules and not replace:
            raise ValueError(f"rule {rule.name!r} is already registered")
        self._rules[rule.name] = rule

    def remove(self, name: str) -> Rule:
        """Unregister a rule by name and return it."""
        return self._rules.pop(name)

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def for_stage(self, stage: Stage) -> list[Rule]:
        """Rules guarding the exit of ``stage``, in registration order."""
        return [r for r in self._rules.values() if r.leaving is stage]

    def check(self, context: TransitionContext) -> list[Problem]:
        """Problems of every stage crossed by the move in ``context``."""
        problems: list[Problem] = []
        for stage in crossed_stages(context.from_stage, context.to_stage):
            for rule in self.for_stage(stage):
                problems.extend(rule(context))
        return problems

    def copy(self) -> RuleRegistry:
        return RuleRegistry(self._rules.values())


# ---------------------------------------------------------------------------
# Default criteria of the method.


def _has_identity(ctx: TransitionContext) -> Iterator[Problem]:
    if not ctx.prospect.identities:
        yield Problem(
            "profile.has-identity",
            _("the prospect has no network identity"),
            _("add the prospect's profile URL (edit --add-url URL)"),
        )


def _is_assessed(ctx: TransitionContext) -> Iterator[Problem]:
    if ctx.assessed_by_plugin:  # e.g. by ICP score: the assessing plugin's criterion applies
        return
    assessment = ctx.prospect.assessment
    if assessment is None:
        yield Problem(
            "identify.assessed",
            _("the prospect has not been assessed against the ideal customer profile"),
            _("qualify the prospect (CRM.assess / 'socialcrm qualify REF')"),
        )
    elif not assessment.qualified:
        yield Problem(
            "identify.assessed",
            _("the prospect was assessed as not matching the ideal customer profile"),
            _("re-assess the prospect, or mark them lost"),
        )


def _has_point_of_interest(ctx: TransitionContext) -> Iterator[Problem]:
    if ctx.prospect.point_of_interest is None:
        yield Problem(
            "notoriety.point-of-interest",
            _("no point of interest is recorded for the prospect"),
            _("note what they shared or reacted to ('socialcrm interest REF TEXT')"),
        )


def _has_reply(ctx: TransitionContext) -> Iterator[Problem]:
    if not any(e.kind is EventKind.MESSAGE_RECEIVED for e in ctx.events):
        yield Problem(
            "contact.has-reply",
            _("no reply from the prospect is logged"),
            _("log their answer ('socialcrm message REF --received TEXT')"),
        )


def _is_reachable(ctx: TransitionContext) -> Iterator[Problem]:
    if not ctx.prospect.emails and not ctx.prospect.phones:
        yield Problem(
            "convert.reachable",
            _("no e-mail or phone is recorded: once converted, the contact details belong here"),
            _("add one (edit REF --add-email ADDRESS or --add-phone NUMBER), or force"),
        )


def default_rules() -> RuleRegistry:
    """The method's default exit criteria, one per stage; ``convert``'s is the win criterion.

    ``identify.assessed`` checks the explicit qualification; in a pipeline
    whose prospects a plugin assesses (the playbook's ICP score), that
    plugin's ``check_transition`` judges the fit instead.
    """
    return RuleRegistry(
        [
            Rule(
                "profile.has-identity",
                Stage.PROFILE,
                "the prospect has at least one network identity",
                _has_identity,
            ),
            Rule(
                "identify.assessed",
                Stage.IDENTIFY,
                "the prospect was assessed as matching the ideal customer profile",
                _is_assessed,
            ),
            Rule(
                "notoriety.point-of-interest",
                Stage.NOTORIETY,
                "a point of interest is recorded for the prospect",
                _has_point_of_interest,
            ),
            Rule(
                "contact.has-reply",
                Stage.CONTACT,
                "at least one inbound message (a reply) is logged",
                _has_reply,
            ),
            Rule(
                "convert.reachable",
                Stage.CONVERT,
                "the customer can be reached: an e-mail or a phone is recorded (to win)",
                _is_reachable,
            ),
        ]
    )
