"""``pipeline list|create|use|rename|delete``: several pipelines in one store."""

from typing import Annotated

import typer

from socialcrm.cli import context, render
from socialcrm.cli.completion import complete_pipeline
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

__all__ = ["register"]

pipeline_app = typer.Typer(
    name="pipeline",
    help=_("Several pipelines in one store, one per offer."),
    no_args_is_help=True,
)

Name = Annotated[
    str,
    typer.Argument(metavar="NAME", help=_("Pipeline name."), autocompletion=complete_pipeline),
]


@pipeline_app.command("list")
def list_pipelines(ctx: typer.Context) -> None:
    """List the pipelines, their prospect counts, and which one is current.

    \b
    Example:
      socialcrm pipeline list --format json
    """

    state = get_state(ctx)
    crm = state.open_crm()
    crm.init()
    current = crm.pipeline_name
    records = [
        render.pipeline_record(p, prospects=crm.repository.count(p.name), current=p.name == current)
        for p in crm.pipelines()
    ]
    if state.output_format == "json":
        render.emit_json(records)
    elif state.output_format == "csv":
        render.emit_csv(
            ["name", "current", "prospects", "description", "created_at"],
            [
                [r["name"], r["current"], r["prospects"], r["description"], r["created_at"]]
                for r in records
            ],
        )
    else:
        render.emit_table(
            state,
            ["", _("NAME"), _("PROSPECTS"), _("DESCRIPTION")],
            [
                ["*" if r["current"] else "", r["name"], r["prospects"], r["description"]]
                for r in records
            ],
        )


@pipeline_app.command()
def create(
    ctx: typer.Context,
    name: Name,
    description: Annotated[str, typer.Option(help=_("What this pipeline is for."))] = "",
    use: Annotated[bool, typer.Option("--use", help=_("Make it the current pipeline."))] = False,
) -> None:
    """Create a pipeline.

    \b
    Example:
      socialcrm pipeline create agencies --description "Marketing agencies" --use
    """
    state = get_state(ctx)
    crm = state.open_crm()
    pipeline = crm.create_pipeline(name, description=description)
    if use:
        crm.use_pipeline(pipeline.name)
    render.echo(
        _("created pipeline {name!r}").format(name=pipeline.name)
        + (_(" (now current)") if use else "")
    )


@pipeline_app.command()
def use(ctx: typer.Context, name: Name) -> None:
    """Make a pipeline the store's current one (--pipeline overrides it per command).

    \b
    Example:
      socialcrm pipeline use agencies
    """
    state = get_state(ctx)
    pipeline = state.open_crm().use_pipeline(name)
    render.echo(_("current pipeline: {name!r}").format(name=pipeline.name))


@pipeline_app.command()
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(metavar="OLD")],
    new: Annotated[str, typer.Argument(metavar="NEW")],
) -> None:
    """Rename a pipeline (its prospects and history follow).

    \b
    Example:
      socialcrm pipeline rename default freelancers
    """
    state = get_state(ctx)
    pipeline = state.open_crm().rename_pipeline(old, new)
    render.echo(_("renamed pipeline {old!r} to {name!r}").format(old=old, name=pipeline.name))


@pipeline_app.command()
def delete(
    ctx: typer.Context,
    name: Name,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Print what would be removed; write nothing."))
    ] = False,
) -> None:
    """Delete a pipeline with all its prospects and their history, backups included.

    Asks for confirmation on a terminal; in a script pass --yes.  --dry-run
    prints what would be deleted and writes nothing.

    \b
    Example:
      socialcrm pipeline delete old-offer --yes
      socialcrm pipeline delete old-offer --dry-run
    """
    state = get_state(ctx)
    crm = state.open_crm()
    pipeline = crm.get_pipeline(name)
    count = crm.repository.count(pipeline.name)
    if dry_run:
        if state.output_format == "json":
            render.emit_json({"pipeline": pipeline.name, "prospects": count, "dry_run": True})
        else:
            render.echo(
                _(
                    "would delete pipeline {name!r} and {count} prospect(s); nothing written "
                    "(dry run)"
                ).format(name=pipeline.name, count=count)
            )
        return
    if not yes:
        context.confirm(
            _("Delete pipeline {name!r} and its {count} prospect(s)?").format(
                name=pipeline.name, count=count
            ),
            _("not deleting pipeline {name!r} ({count} prospect(s))").format(
                name=pipeline.name, count=count
            ),
        )
    from socialcrm.privacy.erasure import delete_pipeline

    wiped = delete_pipeline(crm, pipeline.name)
    if state.output_format == "json":
        render.emit_json({"pipeline": pipeline.name, **wiped.to_dict()})
        return
    render.echo(
        _(
            "deleted pipeline {name!r} and {erased} prospect(s); backups: "
            "{backups_rewritten} rewritten, {backups_dropped} dropped"
        ).format(
            name=pipeline.name,
            erased=wiped.erased,
            backups_rewritten=wiped.backups_rewritten,
            backups_dropped=wiped.backups_dropped,
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(pipeline_app, rich_help_panel=_("Pipeline"))
