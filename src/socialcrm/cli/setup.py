"""``init`` and ``demo``: getting a store ready, or a sample one to explore."""

from typing import TYPE_CHECKING, Any

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.demo import DemoSummary
    from socialcrm.playbook.agenda import AgendaItem

__all__ = ["register"]

PANEL = N_("Setup")


def init(ctx: typer.Context) -> None:
    """Create the store and its default pipeline (safe to run again).

    \b
    Example:
      socialcrm --db ~/crm/store init
    """
    state = get_state(ctx)
    crm = state.open_crm()
    pipeline = crm.init()
    render.echo(
        _("store ready: {store_label} (pipeline {name!r})").format(
            store_label=state.store_label, name=pipeline.name
        )
    )


def demo(ctx: typer.Context) -> None:
    """Build a sample pipeline of invented people, then show the board and today's agenda.

    The demo only writes to an empty store (or rebuilds one made by a previous
    demo); a store holding your prospects is never touched.  Without --db it
    uses your default store, only if that is empty.

    \b
    Example:
      socialcrm demo --db ./demo-store
    """
    from socialcrm.cli.errors import EXIT_INVALID, fail
    from socialcrm.demo import build_demo, store_kind
    from socialcrm.playbook.agenda import today

    state = get_state(ctx)
    path = state.store_label
    crm = state.open_crm()
    kind = store_kind(crm.repository)
    if kind == "data":
        message = (
            _(
                "the store {path} already holds prospects; the demo never writes into a "
                "store in use. Give it a new one: socialcrm demo --db ./demo-store"
            )
            if state.db_given
            else _(
                "your default store {path} already holds prospects; the demo never writes "
                "into a store in use. Give it a new one: socialcrm demo --db ./demo-store"
            )
        )
        raise fail(message.format(path=path), EXIT_INVALID)
    if kind == "demo":
        state.info(_("rebuilding the demo store {path}").format(path=path))
    summary = _build_with_progress(
        state,
        lambda progress: build_demo(crm.repository, state.pm, progress=progress, actor=crm.actor),
    )
    board = crm.board()
    due = today(crm)
    if state.output_format == "json":
        render.emit_json(
            {
                "db": path,
                "prospects": summary.prospects,
                "events": summary.events,
                "pipelines": list(summary.pipelines),
                "networks": list(summary.networks),
                "board": render.board_record(board),
                "today": [item.to_dict() for item in due],
            }
        )
        return
    from socialcrm.cli.board import print_board

    _headline(state, summary, str(path))
    print_board(state, board)
    render.echo("")
    _print_due(state, due)
    if state.output_format == "table":
        _next_steps(state, str(path))


def _build_with_progress(state: "CLIState", build: Any) -> "DemoSummary":
    """Run ``build(progress)`` with a progress bar on a terminal (stderr), quietly otherwise."""
    if not state.progress_allowed:
        result: DemoSummary = build(None)
        return result
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn(_("building the demo")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=state.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=render.markup_safe(name))

        summary: DemoSummary = build(progress)
    return summary


def _headline(state: "CLIState", summary: "DemoSummary", path: str) -> None:
    text = _(
        "Demo store {path}: {prospects} invented prospects, {events} events, on {networks}."
    ).format(
        path=path,
        prospects=summary.prospects,
        events=summary.events,
        networks=", ".join(summary.networks),
    )
    if state.output_format != "table":
        return
    render.echo(text)
    render.echo("")


def _print_due(state: "CLIState", due: "list[AgendaItem]") -> None:
    if state.output_format == "csv":
        rows = [[i.kind, i.name, i.stage.value, i.summary, state.runnable(i.command)] for i in due]
        render.emit_csv(["kind", "name", "stage", "what", "command"], rows)
        return
    from socialcrm.cli.localised import agenda_command, agenda_summary, word

    rows = [
        [
            word(i.kind),
            i.name,
            word(i.stage.value),
            agenda_summary(i),
            state.runnable(agenda_command(i)),
        ]
        for i in due
    ]
    render.emit_table(
        state,
        [_("WHAT"), _("NAME"), _("STAGE"), _("WHY"), _("DO")],
        rows,
        title=_("What to do today (socialcrm today)"),
        styles={2: "stage"},
    )


def _next_steps(state: "CLIState", path: str) -> None:
    import shlex

    db = f"--db {shlex.quote(path)}"
    lines = [
        "",
        _("Try next:"),
        f"  socialcrm {db} today",
        f"  socialcrm {db} list --stage contact",
        f"  socialcrm {db} show 'Karim Benali'     # "
        + _("a name, e-mail, profile URL or id prefix"),
        f"  socialcrm {db} history olivia@bluefern.example",
        f"  socialcrm {db} list --format json",
        f"  socialcrm {db} pipeline list",
    ]
    for line in lines:
        render.echo(line)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(init)
    app.command(rich_help_panel=PANEL)(demo)
