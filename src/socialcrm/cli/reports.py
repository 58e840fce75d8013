"""``report funnel|outreach|content|audience|html``: what social selling yields.

Each command parses the period and filters, makes one call into
:mod:`socialcrm.reports`, and renders: a table (with a terminal chart), JSON
or CSV.  ``report html`` writes one self-contained file.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.cli.localised import word
from socialcrm.cli.playbook import percent
from socialcrm.cli.playbook.notoriety import BELOW
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.reports.selection import Filters

__all__ = ["register"]

PANEL = N_("Reports")

report_app = typer.Typer(
    name="report",
    help=_("Funnel, outreach, content, audience and the HTML report (docs/reports.md)."),
    no_args_is_help=True,
)

Since = Annotated[
    str | None, typer.Option("--since", metavar="YYYY-MM-DD", help=_("From this day (UTC)."))
]
Until = Annotated[
    str | None,
    typer.Option("--until", metavar="YYYY-MM-DD", help=_("Up to this day included (UTC).")),
]
Network = Annotated[str | None, typer.Option("--network", help=_("Only this network."))]
Tag = Annotated[str | None, typer.Option("--tag", help=_("Only prospects with this tag."))]
Source = Annotated[
    str | None, typer.Option("--source", help=_("Only prospects from this source (add --source)."))
]


def _filters(
    state: "CLIState",
    since: str | None,
    until: str | None,
    network: str | None,
    tag: str | None,
    source: str | None,
) -> "Filters":
    from datetime import date

    from socialcrm.errors import ValidationError
    from socialcrm.reports.selection import Filters

    days: dict[str, date | None] = {}
    for name, value in (("since", since), ("until", until)):
        try:
            days[name] = date.fromisoformat(value) if value else None
        except ValueError:
            raise ValidationError(
                _("invalid --{name} {value!r}").format(name=name, value=value),
                field=name,
                value=value,
                hint=_("YYYY-MM-DD"),
            ) from None
    crm = state.open_crm()
    return Filters.of_days(
        crm.now(),
        since=days["since"],
        until=days["until"],
        pipeline=crm.pipeline_name,
        network=network,
        tag=tag,
        source=source,
    )


def _emit(state: "CLIState", data: Any, headers: list[str], rows: list[list[Any]]) -> bool:
    """JSON or CSV output; ``False`` when the caller renders a table."""
    if state.output_format == "json":
        render.emit_json(data)
        return True
    if state.output_format == "csv":
        render.emit_csv(headers, rows)
        return True
    return False


UNSET = {"network": N_("no network"), "sequence": N_("no sequence"), "template": N_("no template")}
"""What ``report outreach`` calls first messages with no network, sequence or template
(the library's ``none``, kept in CSV and JSON)."""

HEADERS: dict[str, str] = {
    "stage": N_("STAGE"),
    "entered": N_("ENTERED"),
    "still_there": N_("STILL THERE"),
    "moved_on": N_("MOVED ON"),
    "moved_back": N_("MOVED BACK"),
    "lost": N_("LOST"),
    "won": N_("WON"),
    "conversion": N_("CONVERSION"),
    "median_days": N_("MEDIAN DAYS"),
    "p90_days": N_("P90 DAYS"),
    "cohort": N_("COHORT"),
    "win_rate": N_("WIN RATE"),
    "by": N_("BY"),
    "name": N_("NAME"),
    "openers": N_("OPENERS"),
    "replied": N_("REPLIED"),
    "reply_rate": N_("REPLY RATE"),
    "median_reply_days": N_("MEDIAN REPLY DAYS"),
    "month": N_("MONTH"),
    "network": N_("NETWORK"),
    "posts": N_("POSTS"),
    "views": N_("VIEWS"),
    "reactions": N_("REACTIONS"),
    "rate": N_("RATE"),
    "target": N_("TARGET"),
    "flag": N_("FLAG"),
}
"""A report column's title in tables (CSV keeps the key)."""


def _titles(headers: list[str]) -> list[str]:
    return [_(HEADERS[h]) if h in HEADERS else h.upper().replace("_", " ") for h in headers]


def _num(value: float | None) -> str:
    from socialcrm.cli.localised import number

    return number(value)


@report_app.command("funnel")
def funnel_cmd(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    network: Network = None,
    tag: Tag = None,
    source: Source = None,
    cohort: Annotated[
        str | None, typer.Option("--cohort", help=_("Split by month, source, network or icp."))
    ] = None,
) -> None:
    """Per stage: entered, still there, moved on, lost, conversion, time in stage; win rate.

    Example:  socialcrm report funnel --since 2026-01-01 --cohort icp
    """
    from socialcrm.errors import ValidationError
    from socialcrm.reports.funnel import COHORTS, funnel

    if cohort is not None and cohort not in COHORTS:
        raise ValidationError(
            _("unknown cohort {cohort!r}").format(cohort=cohort),
            field="cohort",
            hint=", ".join(COHORTS),
        )
    state = get_state(ctx)
    data = funnel(
        state.open_crm().repository,
        _filters(state, since, until, network, tag, source),
        cohort=cohort,
    )
    keys = ["entered", "still_there", "moved_on", "moved_back", "lost", "won"]
    rows = [
        [
            word(s["stage"]),
            *[s[k] for k in keys],
            percent(s["conversion"]),
            _num(s["median_days"]),
            _num(s["p90_days"]),
        ]
        for s in data["stages"]
    ]
    headers = ["stage", *keys, "conversion", "median_days", "p90_days"]
    if cohort and state.output_format == "csv":
        rows = [
            [c["cohort"], c["entered"], c["won"], c["lost"], c["win_rate"]] for c in data["cohorts"]
        ]
        headers = ["cohort", "entered", "won", "lost", "win_rate"]
    if _emit(state, data, headers, rows):
        return
    render.emit_table(state, _titles(headers), rows)
    from socialcrm.cli.charts import bars

    bars(state, _("entered per stage"), [(word(s["stage"]), s["entered"]) for s in data["stages"]])
    reasons = ", ".join(f"{r} {n}" for r, n in data["lost_by_reason"].items())
    render.echo(
        _(
            "won {won}, lost {lost}{value}; win rate {win_rate}; median first "
            "contact → won {median_days_first_contact_to_won} days"
        ).format(
            won=data["won"],
            lost=data["lost"],
            value=f" ({reasons})" if reasons else "",
            win_rate=percent(data["win_rate"]),
            median_days_first_contact_to_won=_num(data["median_days_first_contact_to_won"]),
        )
    )
    if cohort:
        render.emit_table(
            state,
            [cohort.upper(), _("ENTERED"), _("WON"), _("LOST"), _("WIN RATE")],
            [
                [c["cohort"], c["entered"], c["won"], c["lost"], percent(c["win_rate"])]
                for c in data["cohorts"]
            ],
        )


@report_app.command("outreach")
def outreach_cmd(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    network: Network = None,
    tag: Tag = None,
    source: Source = None,
) -> None:
    """First messages per week, reply rate and time, your response time, follow-ups overdue.

    Example:  socialcrm report outreach --since 2026-01-01 --network linkedin
    """
    from socialcrm.reports.outreach import outreach

    state = get_state(ctx)
    data = outreach(
        state.open_crm().repository, _filters(state, since, until, network, tag, source)
    )
    rows = [
        [
            word(by),
            r[by],
            r["openers"],
            r["replied"],
            percent(r["reply_rate"]),
            _num(r["median_reply_days"]),
        ]
        for by in ("network", "sequence", "template")
        for r in data[f"by_{by}"]
    ]
    headers = ["by", "name", "openers", "replied", "reply_rate", "median_reply_days"]
    if _emit(state, data, headers, rows):
        return
    kinds = [by for by in ("network", "sequence", "template") for _r in data[f"by_{by}"]]
    rows = [  # the table names a missing network, sequence or template (CSV: "none")
        [row[0], _(UNSET[by]) if row[1] == "none" else row[1], *row[2:]]
        for by, row in zip(kinds, rows, strict=True)
    ]
    from socialcrm.cli.charts import sparkline

    sparkline(state, _("first messages per week"), [w["openers"] for w in data["weeks"]])
    render.echo(
        _(
            "{openers} first message(s), reply rate {reply_rate}, median reply "
            "{median_reply_days} days; {prospect_initiated} prospect-initiated; your "
            "median response {median_response_days} days ({answer_rate} answered); "
            "{overdue_followups} follow-up(s) overdue"
        ).format(
            openers=data["openers"],
            reply_rate=percent(data["reply_rate"]),
            median_reply_days=_num(data["median_reply_days"]),
            prospect_initiated=data["prospect_initiated"],
            median_response_days=_num(data["median_response_days"]),
            answer_rate=percent(data["answer_rate"]),
            overdue_followups=data["overdue_followups"],
        )
    )
    render.emit_table(state, _titles(headers), rows)


@report_app.command("content")
def content_cmd(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    network: Network = None,
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help=_("Set a network's line, e.g. linkedin=3% (repeatable).")),
    ] = None,
) -> None:
    """Your posts' engagement rate per post and per month against the 4 % target line.

    Example:  socialcrm report content --since 2026-01-01 --target facebook=4%
    """
    from socialcrm.reports.content import content, set_network_target

    state = get_state(ctx)
    crm = state.open_crm()
    for item in target or []:
        name, _eq, value = item.partition("=")  # "_" is the translation function here
        set_network_target(crm, name, value or None)
    data = content(crm.repository, _filters(state, since, until, network, None, None))
    rows = [
        [
            m["month"],
            m["network"],
            m["posts"],
            m["views"],
            m["reactions"],
            percent(m["rate"]),
            percent(m["target"]),
            BELOW if m["below_target"] else "",
        ]
        for m in data["per_month"]
    ]
    headers = ["month", "network", "posts", "views", "reactions", "rate", "target", "flag"]
    if _emit(state, data, headers, rows):
        return
    flagged = [[*r[:7], _(BELOW) if r[7] else ""] for r in rows]  # CSV/JSON keep "below"
    render.emit_table(state, _titles(headers), flagged)
    from socialcrm.cli.charts import bars

    bars(
        state,
        _("engagement rate per post (%)"),
        [
            (f"{p['date']} {p['network']}", round((p["rate"] or 0) * 100, 1))
            for p in data["per_post"]
        ],
    )
    best = next((p for p in data["per_post"] if p["id"] == data["best"]), None)
    worst = next((p for p in data["per_post"] if p["id"] == data["worst"]), None)
    render.echo(
        _("{posts} post(s), engagement {rate}").format(
            posts=data["posts"], rate=percent(data["rate"])
        )
        + (
            _("; best {date} {network} {rate}").format(
                date=best["date"], network=best["network"], rate=percent(best["rate"])
            )
            if best
            else ""
        )
        + (
            _("; worst {date} {network} {rate}").format(
                date=worst["date"], network=worst["network"], rate=percent(worst["rate"])
            )
            if worst
            else ""
        )
    )


@report_app.command("audience")
def audience_cmd(
    ctx: typer.Context, since: Since = None, until: Until = None, network: Network = None
) -> None:
    """Community size per network and its monthly growth rate (from 'audience log').

    Example:  socialcrm report audience --network linkedin
    """
    from socialcrm.reports.audience import audience

    state = get_state(ctx)
    data = audience(state.open_crm().repository, _filters(state, since, until, network, None, None))
    rows = [
        [n["network"], m["month"], m["followers"], percent(m["growth"])]
        for n in data["networks"]
        for m in n["months"]
    ]
    if _emit(state, data, ["network", "month", "followers", "growth"], rows):
        return
    render.emit_table(state, [_("NETWORK"), _("MONTH"), _("FOLLOWERS"), _("GROWTH")], rows)
    from socialcrm.cli.charts import sparkline

    for n in data["networks"]:
        sparkline(
            state,
            _("{network} followers").format(network=n["network"]),
            [m["followers"] for m in n["months"]],
        )


@report_app.command("html")
def html_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help=_("The HTML file to write."))] = Path(
        "report.html"
    ),
    lang: Annotated[
        str | None,
        typer.Option("--lang", help=_("Labels: en or fr (default: the interface language).")),
    ] = None,
    since: Since = None,
    until: Until = None,
    network: Network = None,
    tag: Tag = None,
    source: Source = None,
) -> None:
    """Every report in one self-contained HTML file (inline SVG charts, printable on A4).

    Needs matplotlib: pip install 'socialcrm[report]'.

    Example:  socialcrm report html --out report.html --lang fr --since 2026-01-01
    """
    from socialcrm.errors import ValidationError
    from socialcrm.reports.html import LANGS, build_html

    if lang is None:
        from socialcrm import i18n

        lang = i18n.language()
    if lang not in LANGS:
        raise ValidationError(
            _("unknown language {lang!r}").format(lang=lang), field="lang", hint=", ".join(LANGS)
        )
    state = get_state(ctx)
    filters = _filters(state, since, until, network, tag, source)
    page = build_html(state.open_crm().repository, filters, lang)
    from socialcrm.atomic_files import write_atomic

    write_atomic(out, page.encode("utf-8"))
    render.ok(state, _("report written to {out}").format(out=out))


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, rich_help_panel=PANEL)
