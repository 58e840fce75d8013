"""``doctor``, ``backup``, ``restore`` and ``reindex``: looking after the store itself.

These commands work on the store's files, not through the CRM: ``doctor``
must explain a store that cannot be opened, and ``restore`` must replace one.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli import context, render
from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.storage.doctor import DoctorReport

__all__ = ["register"]

PANEL = N_("Store")

_LEVEL_STYLE = {"ok": "green", "info": "cyan", "warning": "yellow", "error": "red"}
_LEVEL_LABEL = {"ok": N_("ok"), "info": N_("info"), "warning": N_("warning"), "error": N_("error")}
"""A finding's level as shown (its code and ``--format json`` keep the English word)."""


def doctor(ctx: typer.Context) -> None:
    """Check the store: files, checksums, schema, permissions, lock, indexes, backups.

    Changes nothing.  Each finding says what to do.  Exit code 0 when the
    store is healthy, 6 when a problem (warning or error) was found.

    \b
    Examples:
      socialcrm doctor
      socialcrm doctor --format json
    """
    from socialcrm.cli.errors import EXIT_STORE

    state = get_state(ctx)
    location = state.store_location
    if isinstance(location, str):  # a database URL
        from socialcrm.storage.sql.doctor import doctor as run_sql_doctor

        report = run_sql_doctor(location)
    else:
        from socialcrm.storage.doctor import doctor as run_doctor

        report = run_doctor(location)
    if state.output_format == "json":
        render.emit_json(report.to_dict())
    else:
        _print_report(state, report)
    if not report.ok:
        raise typer.Exit(EXIT_STORE)


def reindex(ctx: typer.Context) -> None:
    """Recompute every prospect's summary and journey from the records and events.

    today, board and list read each prospect's summary, the reports its journey;
    every change keeps them up to date: run this when 'socialcrm doctor' finds
    one out of step.
    One commit (one database transaction): the store is unchanged if it is
    interrupted.  A store keeping no summaries (a host's own) says so.

    \b
    Example:
      socialcrm reindex
    """
    from socialcrm.summary import reindex as run

    state = get_state(ctx)
    count = run(state.open_crm().repository)
    if state.output_format == "json":
        render.emit_json({"summaries": count})
    elif count is None:
        render.echo(_("this store keeps no summaries: nothing to do"))
    else:
        render.echo(_("{count} summary(ies) recomputed").format(count=count))


def _print_report(state: "CLIState", report: "DoctorReport") -> None:
    summary = [_("store: {path}").format(path=report.path)]
    if report.schema is not None:
        summary.append(_("schema {schema}").format(schema=report.schema))
    if report.generation is not None:
        summary.append(_("commit #{generation}").format(generation=report.generation))
    if report.prospects is not None:
        summary.append(
            _("{prospects} prospect(s), {events} event(s)").format(
                prospects=report.prospects, events=report.events
            )
        )
    render.echo(", ".join(summary))
    for finding in report.findings:
        where = f" [{finding.path}]" if finding.path else ""
        level = _(_LEVEL_LABEL.get(finding.level, finding.level))
        line = _("{level} {code}: {message}{where}").format(
            level=f"{level:<7}", code=finding.code, message=finding.message, where=where
        )
        if state.is_terminal:
            style = _LEVEL_STYLE.get(finding.level, "")
            render.echo(line, fg=style or None)
        else:
            render.echo(line)
        if finding.fix:
            render.echo(_("        fix: {fix}").format(fix=finding.fix))
    problems = report.problems
    if problems:
        render.echo(_("{count} problem(s) found").format(count=len(problems)))


def backup(
    ctx: typer.Context,
    keep: Annotated[
        int,
        typer.Option("--keep", min=1, metavar="N", help=_("How many backups to keep (oldest go).")),
    ] = 10,
    max_age_days: Annotated[
        int,
        typer.Option(
            "--max-age-days",
            min=1,
            metavar="DAYS",
            help=_("Delete backups older than this (personal data is not kept for ever)."),
        ),
    ] = 30,
) -> None:
    """Write a verified backup of the store into its backups/ directory.

    The store is checked first: a damaged store is never backed up over your
    good backups.  Backups are rotated: only the newest N are kept, and none
    older than DAYS (default 30).

    \b
    Examples:
      socialcrm backup
      socialcrm backup --keep 30
    """
    from socialcrm.storage.backups import backup as run_backup

    state = get_state(ctx)
    timeout, on_wait = context.waiting_as_a_person()
    target = run_backup(
        state.db_path, keep, lock_timeout=timeout, on_wait=on_wait, max_age_days=max_age_days
    )
    if state.output_format == "json":
        render.emit_json({"backup": str(target), "size": target.stat().st_size})
        return
    render.echo(str(target))


def restore(
    ctx: typer.Context,
    backup_file: Annotated[
        str | None,
        typer.Argument(
            metavar="[BACKUP]",
            help=_("Backup file (path or name in backups/); default: the newest backup."),
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))
    ] = False,
    list_only: Annotated[
        bool, typer.Option("--list", help=_("List the available backups and exit."))
    ] = False,
) -> None:
    """Replace the store by a backup (the newest one by default).

    The backup is verified before anything changes; the current files, even
    damaged ones, are first saved as a 'pre-restore' backup.  Asks for
    confirmation on a terminal; in a script pass --yes.

    \b
    Examples:
      socialcrm restore --list
      socialcrm restore --yes
      socialcrm restore backup-20260301T101500000000Z-g000042.tar.gz --yes
    """
    from socialcrm.storage.backups import list_backups
    from socialcrm.storage.backups import restore as run_restore

    state = get_state(ctx)
    path = state.db_path
    if list_only:
        backups = list_backups(path)
        if state.output_format == "json":
            render.emit_json([b.to_dict() for b in backups])
            return
        if not backups:
            render.echo(_("no backups in {value}").format(value=path / "backups"))
        for b in backups:
            render.echo(
                _("{name}  {kind:<11} {size:>10} bytes").format(
                    name=b.path.name, kind=b.kind, size=b.size
                )
            )
        return
    if not yes:
        question = (
            _("Replace the store {path} by {what}?")
            if backup_file
            else _("Replace the store {path} by the newest backup?")
        )
        context.confirm(question.format(path=path, what=backup_file), _("not restoring"))
    timeout, on_wait = context.waiting_as_a_person()
    result = run_restore(path, backup_file, lock_timeout=timeout, on_wait=on_wait)
    taken = next((b.created_at for b in list_backups(path) if b.path == result.restored), None)
    from socialcrm.privacy.restoring import reapply_erasures

    again = reapply_erasures(state.open_crm(), taken)
    if state.output_format == "json":
        render.emit_json(
            {
                "restored": str(result.restored),
                "safety_copy": str(result.safety_copy) if result.safety_copy else None,
                "erased_again": again.erased,
            }
        )
        return
    render.echo(_("restored {name}").format(name=result.restored.name))
    if again.erased:  # counted, never named
        render.echo(
            _("{erased} record(s) erased since this backup were erased again").format(
                erased=again.erased
            )
        )
    if result.safety_copy is not None:
        render.echo(
            _("the previous state was saved as {safety_copy}").format(
                safety_copy=result.safety_copy
            )
        )


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(doctor)
    app.command(rich_help_panel=PANEL)(backup)
    app.command(rich_help_panel=PANEL)(restore)
    app.command(rich_help_panel=PANEL)(reindex)
