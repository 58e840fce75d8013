"""The agenda: today's work (``today``), in a calendar (``agenda export``), and how long
each stage may last (``stage-limit``)."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.completion import complete_stage
from socialcrm.cli.context import get_state
from socialcrm.cli.playbook import PANEL
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState

__all__ = ["TODAY_TABLE_LIMIT", "register"]

TODAY_TABLE_LIMIT = 50
"""Items the ``today`` table shows unless ``--limit`` says otherwise: with thousands due,
a screenful of the most urgent and a line saying how many more (issue 23)."""

agenda_app = typer.Typer(
    name="agenda",
    help=_("Your follow-ups in your calendar (an iCalendar file to import or subscribe to)."),
    no_args_is_help=True,
)

IcsFile = Annotated[
    Path | None,
    typer.Option(
        "--ics",
        metavar="FILE",
        help=_("Write the follow-ups to this iCalendar (.ics) file for your calendar."),
        dir_okay=False,
    ),
]


def _export_ics(state: "CLIState", path: Path, days: int) -> None:
    """Write the calendar file; one line says how many events, and where."""
    from socialcrm.cli.timezone import rep_timezone
    from socialcrm.playbook.calendar import entries, to_ics, write_ics

    crm = state.open_crm()
    now = crm.now()
    found = entries(crm, now=now, days=days)
    write_ics(path, to_ics(found, now=now, tz=rep_timezone(), runnable=state.runnable))
    if state.output_format == "json":
        render.emit_json({"file": str(path), "events": len(found)})
    else:
        render.echo(_("{count} event(s) written to {path}").format(count=len(found), path=path))


def today(
    ctx: typer.Context,
    ics: IcsFile = None,
    everyone: Annotated[
        bool, typer.Option("--all", help=_("Everyone's work, not only yours."))
    ] = False,
    owner: Annotated[
        str | None, typer.Option(metavar="REP", help=_("This rep's work instead of yours."))
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            min=0,
            help=_("The N most urgent (table: {n} unless given; 0: all).").format(
                n=TODAY_TABLE_LIMIT
            ),
        ),
    ] = None,
) -> None:
    """What to do now: replies to answer, data expiring, sequence steps due, prospects waiting.

    Your own work: the prospects you own and those nobody owns yet (--all: everyone's).
    Sorted by urgency; each line ends with the command to act.  The table shows
    the most urgent items (--limit, 0 for all) and says how many more there are;
    JSON and CSV give every item unless --limit is given.  With --ics FILE
    the same items are written to a calendar file instead (re-exporting updates
    the events already imported).

    \b
    Example:
      socialcrm today --format json
      socialcrm today --limit 10
      socialcrm today --ics ~/today.ics
    """
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.agenda import agenda

    state = get_state(ctx)
    if everyone and owner is not None:
        raise ValidationError(_("give --all or --owner, not both"), field="owner")
    if ics is not None:
        _export_ics(state, ics, days=0)
        return
    rep = None if everyone else state.owner_filter(owner, False) or state.actor
    if limit is None and state.output_format == "table":
        limit = TODAY_TABLE_LIMIT
    found = agenda(state.open_crm(), owner=rep, limit=limit or None)  # 0: every item
    items, total = found.items, found.total
    if state.output_format == "json":
        render.emit_json([i.to_dict() for i in items])
        return
    from socialcrm.cli.localised import agenda_command, agenda_summary, number, word

    rows = [
        [
            word(i.kind),
            i.prospect_id,
            i.name,
            word(i.stage.value),
            agenda_summary(i),
            state.runnable(agenda_command(i)),
        ]
        for i in items
    ]
    heads = ["kind", "prospect_id", "name", "stage", "what", "command"]
    if everyone:
        heads.insert(3, "owner")
        for row, item in zip(rows, items, strict=True):
            row.insert(3, item.owner or "")
    if state.output_format == "csv":
        render.emit_csv(heads, rows)
        return
    from socialcrm.cli.goals import print_behind

    if not items:
        render.echo(_("nothing due today"))
    else:
        titles = [_("WHAT"), "ID", _("NAME"), _("STAGE"), _("WHY"), _("DO")]
        if everyone:
            titles.insert(3, _("OWNER"))
        render.emit_table(state, titles, rows, styles={4 if everyone else 3: "stage"})
        if total > len(items):
            render.echo(
                _(
                    "… and {more} more (of {total}): 'socialcrm today --limit 0' "
                    "lists them all, '--format json' or '--format csv' too"
                ).format(more=number(total - len(items)), total=number(total))
            )
    print_behind(state)


def stage_limit(
    ctx: typer.Context,
    stage: Annotated[
        str | None, typer.Argument(help=_("A stage, e.g. contact."), autocompletion=complete_stage)
    ] = None,
    days: Annotated[int | None, typer.Argument(min=1, help=_("Days allowed in it."))] = None,
    reset: Annotated[bool, typer.Option("--reset", help=_("Back to the default."))] = False,
) -> None:
    """Show or set how many days a prospect may wait in a stage before 'today' flags it.

    Example:  socialcrm stage-limit contact 10
    """
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.agenda import set_stage_limit, stage_limits

    state = get_state(ctx)
    crm = state.open_crm()
    if stage is not None and (days is not None or reset):
        limits = set_stage_limit(crm, stage, None if reset else days)
    elif stage is not None:
        raise ValidationError(_("give the number of days, or --reset"), field="days")
    else:
        limits = stage_limits(crm.pipeline)
    if state.output_format == "json":
        render.emit_json({s.value: d for s, d in limits.items()})
    else:
        render.emit_table(state, [_("STAGE"), _("DAYS")], [[s.value, d] for s, d in limits.items()])


@agenda_app.command("export")
def export(
    ctx: typer.Context,
    ics: Annotated[
        Path,
        typer.Option(
            "--ics",
            metavar="FILE",
            help=_("The iCalendar (.ics) file to write."),
            dir_okay=False,
        ),
    ],
    days: Annotated[
        int, typer.Option("--days", min=1, max=366, help=_("How many days ahead."))
    ] = 14,
) -> None:
    """Write today's follow-ups and the sequence steps of the next DAYS days to a calendar file.

    Each event holds the command to run; its UID stays the same from one
    export to the next, so re-importing the file updates events rather than
    duplicating them.  Times are in UTC, placed in your day from 09:00 in your
    time zone ('socialcrm config set timezone Europe/Paris'; default: the system's).

    \b
    Example:
      socialcrm agenda export --ics ~/socialcrm.ics --days 30
    """
    _export_ics(get_state(ctx), ics, days=days)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(today)
    app.add_typer(agenda_app, rich_help_panel=PANEL)
    app.command("stage-limit", rich_help_panel=PANEL)(stage_limit)
