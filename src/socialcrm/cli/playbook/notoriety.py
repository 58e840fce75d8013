"""Stage 3 — how warm a prospect is (``warmth``) and the posts you publish (``post``)."""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.completion import complete_network
from socialcrm.cli.context import get_state
from socialcrm.cli.localised import decimal, formats, number, word
from socialcrm.cli.playbook import PANEL, percent, report_ok
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["register"]

BELOW = N_("below")
"""A post under the engagement target: the flag column (CSV keeps it as it is)."""


def warmth(ctx: typer.Context, ref: Ref) -> None:
    """How warm a prospect is: engagement signals weighed by kind and recency.

    Each signal is worth its kind's weight (reply 5, comment/share/mention 3,
    follow/event 2, like/group 1, view 0.5), halved every 14 days.

    Example:  socialcrm warmth jane
    """
    from socialcrm.playbook.warmth import for_prospect

    state = get_state(ctx)
    crm = state.open_crm()
    prospect = crm.resolve(ref)
    result = for_prospect(crm, prospect.id)
    neutral = state.output_format == "csv"  # CSV cells stay language-neutral
    rows = [
        [
            s.at.strftime("%Y-%m-%d"),
            word(s.kind),
            s.network or "",
            f"{s.weight:g}" if neutral else number(s.weight),
            f"{s.value:.2f}" if neutral else decimal(s.value),
        ]
        for s in result.signals
    ]
    if state.output_format == "json":
        render.emit_json(
            {
                "prospect_id": prospect.id,
                "warmth": result.value,
                "level": result.level,
                "signals": [
                    {
                        "at": s.at.isoformat(),
                        "kind": s.kind,
                        "network": s.network,
                        "url": s.url,
                        "weight": s.weight,
                        "value": round(s.value, 4),
                    }
                    for s in result.signals
                ],
            }
        )
        return
    if state.output_format == "csv":
        render.emit_csv(["at", "kind", "network", "weight", "value"], rows)
        return
    render.emit_table(
        state, [_("WHEN"), _("SIGNAL"), _("NETWORK"), _("WEIGHT"), _("NOW WORTH")], rows
    )
    render.echo(
        _("{name}: warmth {value} ({level})").format(
            name=prospect.name, value=decimal(result.value), level=word(result.level)
        )
    )


post_app = typer.Typer(
    name="post",
    help=_("Stage 3: your own posts, their engagement rate against the target (default 4 %)."),
    no_args_is_help=True,
)


@post_app.command("log")
def post_log(
    ctx: typer.Context,
    network: Annotated[
        str, typer.Argument(help=_("Network id, e.g. linkedin."), autocompletion=complete_network)
    ],
    views: Annotated[int, typer.Option("--views", min=0, help=_("Views (impressions)."))],
    reactions: Annotated[int, typer.Option("--reactions", min=0, help=_("Reactions."))],
    url: Annotated[
        str | None, typer.Option(help=_("Link to the post; logging it again updates its counts."))
    ] = None,
) -> None:
    """Log one of your posts; its engagement rate is reactions ÷ views.

    Example:  socialcrm post log linkedin --views 1200 --reactions 54
    --url https://www.linkedin.com/posts/me_hiring-123
    """
    from socialcrm.playbook.posts import log_post, target_of

    state = get_state(ctx)
    crm = state.open_crm()
    post = log_post(crm, network, views=views, reactions=reactions, url=url)
    target = target_of(crm.pipeline)
    if state.output_format == "json":
        render.emit_json(
            {
                **post.to_dict(),
                "rate": post.rate,
                "target": target,
                "below_target": post.below(target),
            }
        )
        return
    flag = _(" — below your target") if post.below(target) else ""
    report_ok(
        state,
        _("post logged: engagement {rate} (target {target}){flag}").format(
            rate=percent(post.rate), target=percent(target), flag=flag
        ),
    )


@post_app.command("list")
def post_list(
    ctx: typer.Context,
    network: Annotated[
        str | None, typer.Option(help=_("Only this network."), autocompletion=complete_network)
    ] = None,
) -> None:
    """Your posts with their engagement rates, flagged against the target.

    Example:  socialcrm post list --network linkedin
    """
    from socialcrm.playbook.posts import list_posts, summary

    state = get_state(ctx)
    crm = state.open_crm()
    posts = list_posts(crm, network)
    total = summary(crm, network)
    if state.output_format == "json":
        render.emit_json(
            {
                "target": total.target,
                "rate": total.rate,
                "below_target": total.below_target,
                "views": total.views,
                "reactions": total.reactions,
                "posts": [
                    {**p.to_dict(), "rate": p.rate, "below_target": p.below(total.target)}
                    for p in posts
                ],
            }
        )
        return
    rate, _number = formats(state.output_format)  # CSV cells stay language-neutral
    rows = [
        [
            p.at.strftime("%Y-%m-%d"),
            p.network,
            p.views,
            p.reactions,
            rate(p.rate),
            BELOW if p.below(total.target) else "",
            p.url or "",
        ]
        for p in posts
    ]
    if state.output_format == "csv":
        render.emit_csv(["date", "network", "views", "reactions", "rate", "flag", "url"], rows)
        return
    flagged = [[*r[:5], _(BELOW) if r[5] else "", *r[6:]] for r in rows]  # CSV keeps "below"
    render.emit_table(
        state,
        [_("DATE"), _("NETWORK"), _("VIEWS"), _("REACTIONS"), _("RATE"), "", _("URL")],
        flagged,
    )
    flag = _(" — below target") if total.below_target else ""
    render.echo(
        _("{posts} post(s): engagement {rate} (target {target}){flag}").format(
            posts=total.posts, rate=percent(total.rate), target=percent(total.target), flag=flag
        )
    )


@post_app.command("target")
def post_target(
    ctx: typer.Context,
    rate: Annotated[
        str | None, typer.Argument(help=_("e.g. 5%, or 0.05; omit to show the current target."))
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help=_("Back to the default 4 %."))] = False,
) -> None:
    """Show or set the pipeline's engagement-rate target.

    Example:  socialcrm post target 5%
    """
    from socialcrm.playbook.posts import set_target, target_of

    state = get_state(ctx)
    crm = state.open_crm()
    if reset or rate is not None:
        value = set_target(crm, None if reset else rate)
        report_ok(state, _("engagement target: {value}").format(value=percent(value)))
    else:
        render.echo(percent(target_of(crm.pipeline)))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(warmth)
    app.add_typer(post_app, rich_help_panel=PANEL)
