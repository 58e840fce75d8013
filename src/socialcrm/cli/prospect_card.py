"""``show`` as text: a prospect's card (fields, assessment, what blocks the next stage)
and its history, labelled in the rep's language."""

from typing import TYPE_CHECKING, Any

from socialcrm.cli import localised
from socialcrm.crm import CRM
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.models import Prospect

__all__ = ["CARD_HISTORY_LIMIT", "show_table"]

CARD_HISTORY_LIMIT = 20
"""The latest events the card shows; ``history`` lists them all (a prospect with a
few thousand imported messages made ``show`` an event dump of a second or more)."""


BASES = {
    "legitimate_interest": N_("legitimate interest"),
    "consent": N_("consent"),
    "contract": N_("contract"),
    "legal_obligation": N_("legal obligation"),
    "vital_interest": N_("vital interest"),
    "public_task": N_("public task"),
}
"""A lawful basis (GDPR art. 6) as the card names it; ``privacy bases`` has the full texts."""


def _basis(value: str) -> str:
    message = BASES.get(value)
    return _(message) if message else value.replace("_", " ")


def _source_line(p: "Prospect") -> str:
    """Where and when the data was collected (GDPR art. 14(2)(f)), in one line."""
    source = p.source
    if source is None:
        return _("not recorded (in the store since {day})").format(
            day=localised.day(p.created_at.date())
        )
    parts = [x for x in (source.note, source.url) if x]
    collected = source.collected_at or p.created_at
    collected_text = _("(collected {day})").format(day=localised.day(collected.date()))
    return " ".join([*(parts or [_("not recorded")]), collected_text])


def show_table(
    state: "CLIState",
    crm: CRM,
    p: "Prospect",
    spans: list[Any],
    blocking: tuple[str, list[Any]] | None,
    events: list[Any],
) -> None:
    from socialcrm.cli import render

    now = crm.now()
    since = spans[-1].start if spans else p.created_at
    days = (now - since).days
    lines: list[tuple[str, str]] = [
        (_("id"), p.id),
        (
            _("stage"),
            _("{stage} — {days} day(s) in stage").format(stage=localised.stage_label(p), days=days),
        ),
    ]
    if p.is_organisation:
        lines.append((_("kind"), _("organisation (a channel, a company page: not a person)")))
    if p.lost_reason:
        lines.append((_("lost because"), p.lost_reason))
    role = _(" at ").join(x for x in (p.title, p.company) if x)
    if role:
        lines.append((_("role"), role))
    for label, value in ((_("sector"), p.sector), (_("location"), p.location)):
        if value:
            lines.append((label, value))
    if p.company_size is not None:
        lines.append((_("company size"), str(p.company_size)))
    for identity in p.identities:
        lines.append((identity.network, identity.url))
    if p.emails:
        lines.append((_("e-mails"), ", ".join(p.emails)))
    if p.phones:
        lines.append((_("phones"), ", ".join(p.phones)))
    if p.tags:
        lines.append((_("tags"), ", ".join(p.tags)))
    if p.assessment is not None:
        a = p.assessment
        verdict = _("qualified") if a.qualified else _("not qualified")
        if a.score is not None:
            verdict += _(", score {score}").format(score=localised.number(a.score))
            if a.threshold is not None:
                verdict += _(" (threshold {threshold})").format(
                    threshold=localised.number(a.threshold)
                )
        if a.note:
            verdict += f" — {a.note}"
        lines.append((_("ICP fit"), verdict))
    else:
        lines.append((_("ICP fit"), _("not assessed")))
    if p.point_of_interest is not None:
        poi = p.point_of_interest
        lines.append((_("point of interest"), poi.text + (f" ({poi.url})" if poi.url else "")))
    for key, value in p.custom.items():
        lines.append((key, value))
    if p.notes:
        lines.append((_("notes"), p.notes))
    if p.owner:
        lines.append((_("owner"), p.owner))
    lines.append((_("source"), _source_line(p)))
    lines.append((_("lawful basis"), _basis(p.lawful_basis.value)))
    if blocking is not None:
        target, problems = blocking
        if problems:
            for problem in problems:
                fix = f" → {problem.fix}" if problem.fix else ""
                lines.append(
                    (
                        _("before {target}").format(target=localised.word(target)),
                        problem.message + fix,
                    )
                )
        else:
            lines.append(
                (_("before {target}").format(target=localised.word(target)), _("nothing blocks"))
            )

    render.emit_fields(state, p.name, lines)
    latest = events[-CARD_HISTORY_LIMIT:]
    rows = [
        [
            e.at.strftime("%Y-%m-%d %H:%M"),
            localised.event_kind(e.kind.value),
            render.describe_event(e),
        ]
        for e in latest
    ]
    render.echo()
    if len(latest) < len(events):
        render.echo(
            _("… {count} earlier event(s): '{command}' lists them all").format(
                count=localised.number(len(events) - len(latest)),
                command=state.runnable(f"socialcrm history {p.id}"),
            )
        )
    render.emit_table(state, [_("WHEN"), _("WHAT"), _("DETAIL")], rows, title=_("History"))


# -- list -------------------------------------------------------------------------------
