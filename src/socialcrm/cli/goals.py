"""``goal set|list|rm`` (figures-based objectives) and ``audience log|list`` (community size)."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.cli.localised import day, number, t_
from socialcrm.cli.localised import percent as localised_percent
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from datetime import date

    from socialcrm.cli.context import CLIState

__all__ = ["print_behind", "register"]

PANEL = N_("Reports")

PERIODS = {"week": N_("per week"), "month": N_("per month"), "year": N_("per year")}
"""A goal's rate (``--per``) as a table or a message says it (CSV and JSON keep the id)."""
HEADERS = {
    "goal": N_("GOAL"),
    "when": N_("WHEN"),
    "target": N_("TARGET"),
    "actual": N_("ACTUAL"),
    "expected": N_("EXPECTED"),
    "progress": N_("PROGRESS"),
    "on_track": N_("ON TRACK"),
}
METRICS = {
    "followers": N_("followers"),
    "posts": N_("posts"),
    "prospects": N_("prospects"),
    "first_contacts": N_("first contacts"),
    "replies": N_("replies"),
    "wins": N_("wins"),
}
"""A goal's metric as a table or a message names it (CSV and JSON keep the id)."""
ON_TRACK = N_("yes")
BEHIND = N_("BEHIND")


def _when(per: str | None, by: object) -> str:
    """``per week`` or ``by 2026-12-31`` (``d'ici le 31 déc. 2026``), a whole message
    in the language in force."""
    from datetime import date

    if per:
        message = PERIODS.get(per)
        return _(message) if message else _("per {per}").format(per=per)
    deadline = by if isinstance(by, date) else date.fromisoformat(str(by))
    return _("by {by}").format(by=day(deadline))


goal_app = typer.Typer(
    name="goal",
    help=_("Figures-based objectives: followers, posts, prospects, first contacts, replies, wins."),
    no_args_is_help=True,
)
audience_app = typer.Typer(
    name="audience", help=_("Your community's size per network, over time."), no_args_is_help=True
)


def _day(value: str | None, name: str) -> "date | None":
    from datetime import date

    from socialcrm.errors import ValidationError

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationError(
            _("invalid --{name} {value!r}").format(name=name, value=value),
            field=name,
            value=value,
            hint=_("YYYY-MM-DD"),
        ) from None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def report_ok(state: "CLIState", message: str) -> None:
    render.ok(state, message)


def _name(goal: dict[str, Any]) -> str:
    on = t_(" on {network}").format(network=goal["network"]) if goal.get("network") else ""
    metric = str(goal["metric"])
    message = METRICS.get(metric, metric)
    shown = t_(message)  # English tables, CSV and JSON keep the id (first_contacts)
    return (metric if shown == message else shown) + on


@goal_app.command("set")
def goal_set(
    ctx: typer.Context,
    metric: Annotated[
        str,
        typer.Argument(help=_("followers, posts, prospects, first_contacts, replies or wins.")),
    ],
    target: Annotated[int, typer.Argument(min=1, help=_("The number to reach."))],
    per: Annotated[
        str | None, typer.Option("--per", help=_("week, month or year: a rate to keep."))
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="YYYY-MM-DD", help=_("A date to reach it by."))
    ] = None,
    network: Annotated[
        str | None, typer.Option("--network", help=_("The network (needed for followers)."))
    ] = None,
) -> None:
    """Set a goal; setting one again on the same metric (and network) replaces it.

    Example:  socialcrm goal set posts 2 --per week
    Example:  socialcrm goal set followers 500 --network facebook --by 2026-12-31
    """
    from socialcrm.reports.goals import set_goal

    state = get_state(ctx)
    goal = set_goal(state.open_crm(), metric, target, per=per, by=_day(by, "by"), network=network)
    if state.output_format == "json":
        render.emit_json(goal.to_dict())
        return
    when = _when(goal.per, goal.by)
    report_ok(
        state,
        _("goal: {target} {value} {when}").format(
            target=goal.target, value=_name(goal.to_dict()), when=when
        ),
    )


@goal_app.command("list")
def goal_list(ctx: typer.Context) -> None:
    """Every goal with its progress and whether it is on track.

    Example:  socialcrm goal list --format json
    """
    from socialcrm.reports.goals import goals_status

    state = get_state(ctx)
    crm = state.open_crm()
    goals = goals_status(crm.repository, crm.pipeline_name, crm.now())
    rows = [
        [
            _name(g),
            g["per"] or t_("by {by}").format(by=g["by"]),
            g["target"],
            g["actual"],
            f"{g['expected']:g}",
            percent(g["progress"]),
            "yes" if g["on_track"] else "BEHIND",
        ]
        for g in goals
    ]
    headers = ["goal", "when", "target", "actual", "expected", "progress", "on_track"]
    if state.output_format == "json":
        render.emit_json(goals)
        return
    if state.output_format == "csv":
        render.emit_csv(headers, rows)
        return
    if not goals:
        render.echo(_("no goal set (socialcrm goal set posts 2 --per week)"))
        return
    shown = [
        [
            _name(g),
            _when(g["per"], g["by"]),
            g["target"],
            g["actual"],
            number(g["expected"]),
            localised_percent(g["progress"]),
            _(ON_TRACK) if g["on_track"] else _(BEHIND),
        ]
        for g in goals
    ]
    render.emit_table(state, [_(HEADERS[h]) for h in headers], shown)


@goal_app.command("rm")
def goal_rm(
    ctx: typer.Context,
    metric: Annotated[str, typer.Argument(help=_("The goal's metric."))],
    network: Annotated[str | None, typer.Option("--network", help=_("Its network."))] = None,
) -> None:
    """Remove a goal.

    Example:  socialcrm goal rm posts
    """
    from socialcrm.reports.goals import remove_goal

    state = get_state(ctx)
    remove_goal(state.open_crm(), metric, network)
    report_ok(state, _("goal on {metric} removed").format(metric=metric))


def print_behind(state: "CLIState") -> None:
    """One line per goal behind schedule (``today`` and ``board``); nothing without goals."""
    from socialcrm.reports.goals import behind

    crm = state.open_crm()
    for g in behind(crm.repository, crm.pipeline_name, crm.now()):
        render.echo(
            _(
                "goal behind schedule: {g} {actual}/{target} ({value}; expected {expected} by now)"
            ).format(
                g=_name(g),
                actual=g["actual"],
                target=g["target"],
                value=_when(g["per"], g["by"]),
                expected=number(g["expected"]),
            ),
            fg="red" if state.is_terminal else None,
        )


@audience_app.command("log")
def audience_log(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help=_("Network id, e.g. facebook."))],
    followers: Annotated[int, typer.Argument(min=0, help=_("Followers (community size)."))],
    date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help=_("Day measured (today)."))
    ] = None,
) -> None:
    """Record your community's size on a network; the same day again replaces it.

    Example:  socialcrm audience log facebook 420 --date 2026-03-31
    """
    from socialcrm.reports.audience import log_audience

    state = get_state(ctx)
    measure = log_audience(state.open_crm(), network, followers, _day(date, "date"))
    if state.output_format == "json":
        render.emit_json(measure.to_dict())
        return
    report_ok(
        state,
        _("{network}: {followers} followers on {day}").format(
            network=measure.network, followers=measure.followers, day=measure.day
        ),
    )


@audience_app.command("list")
def audience_list(
    ctx: typer.Context,
    network: Annotated[str | None, typer.Option("--network", help=_("Only this network."))] = None,
) -> None:
    """Every audience measure.

    Example:  socialcrm audience list --network facebook
    """
    from socialcrm.reports.audience import measures

    state = get_state(ctx)
    found = measures(state.open_crm().repository, network)
    if state.output_format == "json":
        render.emit_json([m.to_dict() for m in found])
        return
    rows = [[m.network, m.day.isoformat(), m.followers] for m in found]
    if state.output_format == "csv":
        render.emit_csv(["network", "date", "followers"], rows)
        return
    render.emit_table(state, [_("NETWORK"), _("DATE"), _("FOLLOWERS")], rows)


def register(app: typer.Typer) -> None:
    app.add_typer(goal_app, rich_help_panel=PANEL)
    app.add_typer(audience_app, rich_help_panel=PANEL)
