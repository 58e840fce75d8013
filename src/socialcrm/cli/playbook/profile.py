"""Stage 1 — your own profile on each network, against the network's checklist.

Before approaching anyone on a network, the seller's own profile there must
be complete: ``profile check`` says what is missing and why it matters,
``profile set`` records what you have done.
"""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.completion import complete_network
from socialcrm.cli.context import get_state
from socialcrm.cli.playbook import PANEL, report_ok
from socialcrm.i18n import gettext as _

__all__ = ["register"]


profile_app = typer.Typer(
    name="profile",
    help=_("Stage 1: your own profile on each network, against the network's checklist."),
    no_args_is_help=True,
)


@profile_app.command("check")
def profile_check(
    ctx: typer.Context,
    network: Annotated[
        str | None,
        typer.Option(
            help=_("One network (default: every installed network)."),
            autocompletion=complete_network,
        ),
    ] = None,
) -> None:
    """Show what your own profile is missing, and why it matters.

    A network you never recorded is 'unchecked': prospects can still leave stage
    profile there. Once you record one item, every item of the checklist counts.

    Example:  socialcrm profile check --network linkedin
    """
    from socialcrm.playbook.seller_profile import check

    state = get_state(ctx)
    reports = check(state.open_crm(), network)
    if state.output_format == "json":
        render.emit_json(
            [
                {
                    "network": r.network,
                    "name": r.name,
                    "recorded": r.recorded,
                    "ok": r.ok,
                    "items": [
                        {
                            "id": s.item.id,
                            "label": s.item.label,
                            "why": s.item.why,
                            "value": s.value,
                            "ok": s.ok,
                        }
                        for s in r.items
                    ],
                }
                for r in reports
            ]
        )
        return
    from socialcrm.cli.localised import t_

    rows = []
    for r in reports:
        for s in r.items:
            mark = t_("ok") if s.ok else (t_("MISSING") if r.recorded else t_("unchecked"))
            why = "" if s.ok else t_(s.item.why)  # the plugin's catalogue (i18n.add_domain)
            rows.append([r.network, s.item.id, mark, t_(s.item.label), why])
    if state.output_format == "csv":
        render.emit_csv(["network", "item", "state", "label", "why"], rows)
        return
    render.emit_table(
        state, [_("NETWORK"), _("ITEM"), _("STATE"), _("WHAT"), _("WHY IT MATTERS")], rows
    )
    for r in reports:
        if not r.recorded:
            render.echo(
                _("{name}: not checked yet — record it: socialcrm profile set {network} ").format(
                    name=r.name, network=r.network
                )
                + " ".join(f"{s.item.id}=yes" for s in r.items[:2])
                + " …"
            )
        elif r.ok:
            render.echo(_("{name}: complete").format(name=r.name))
        else:
            render.echo(
                _(
                    "{name}: {count} item(s) missing — prospects cannot leave stage profile "
                    "on this network until they are done"
                ).format(name=r.name, count=len(r.missing))
            )
    if not reports:
        render.echo(_("no network plugin is installed"))


@profile_app.command("set")
def profile_set(
    ctx: typer.Context,
    network: Annotated[
        str, typer.Argument(help=_("Network id, e.g. linkedin."), autocompletion=complete_network)
    ],
    items: Annotated[
        list[str],
        typer.Argument(metavar="ITEM=yes|no|VALUE...", help=_("Checklist items and their state.")),
    ],
) -> None:
    """Record the state of items of your own profile on a network.

    'yes' or any text (e.g. your headline) means present; 'no' means missing.

    Example:  socialcrm profile set linkedin photo=yes banner=yes headline="I help SaaS teams hire"
    """
    from socialcrm.playbook.seller_profile import record

    state = get_state(ctx)
    report = record(state.open_crm(), network, items)
    missing = ", ".join(s.item.id for s in report.missing)
    report_ok(
        state,
        _("{name} profile recorded: ").format(name=report.name)
        + (_("complete") if report.ok else _("still missing {missing}").format(missing=missing)),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(profile_app, rich_help_panel=PANEL)
