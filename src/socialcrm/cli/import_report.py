"""What ``import`` prints: the rows counter while reading, then the report in the
rep's language (the JSON report, ``--report json``, stays as the library gives it)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from socialcrm.cli import render
from socialcrm.i18n import N_, join_list, ngettext
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.io.importing.archive import ArchiveReport
    from socialcrm.io.importing.report import ImportReport

__all__ = ["UNKNOWN_LISTED", "print_archive", "print_report", "progress_bar"]

ACTION_WORDS: dict[str, str] = {
    "created": N_("created"),
    "updated": N_("updated"),
    "skipped": N_("skipped"),
    "invalid": N_("invalid"),
    "attached": N_("attached"),
    # an archive member's status
    "imported": N_("imported"),
    "unknown": N_("unknown"),
}
"""An import action (a key of ``ImportReport.counts()``) as the report says it."""


def _word(key: str) -> str:
    message = ACTION_WORDS.get(key)
    return key if message is None else _(message)


def _count(key: str, n: int) -> str:
    """``3 created``: a count and its action, agreeing in number in the rep's language."""
    if key == "created":
        text = ngettext("{n} created", "{n} created", n)
    elif key == "updated":
        text = ngettext("{n} updated", "{n} updated", n)
    elif key == "skipped":
        text = ngettext("{n} skipped", "{n} skipped", n)
    elif key == "invalid":
        text = ngettext("{n} invalid", "{n} invalid", n)
    elif key == "attached":
        text = ngettext("{n} attached", "{n} attached", n)
    elif key == "imported":
        text = ngettext("{n} imported", "{n} imported", n)
    elif key == "unknown":
        text = ngettext("{n} unknown", "{n} unknown", n)
    else:
        return f"{n} {_word(key)}"
    return text.format(n=n)


def _counts(counts: dict[str, int], *, nonzero: bool = False) -> str:
    return ", ".join(_count(k, n) for k, n in counts.items() if n or not nonzero)


def _verdict(dry_run: bool, written: bool, events: int) -> str:
    if dry_run:
        return _("dry run: nothing written")
    if written:
        return _("written in one transaction ({events} events)").format(events=events)
    return _("nothing written (--strict and invalid rows)")


@contextmanager
def progress_bar(state: "CLIState", label: str) -> Iterator[Callable[[int], None] | None]:
    """A transient rows counter on stderr when it is a terminal; nothing otherwise."""
    if not state.progress_allowed:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn(_("{task.completed:,} rows read")),
        TimeElapsedColumn(),
        console=state.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda rows: bar.update(task, completed=rows)


def print_report(state: "CLIState", report: "ImportReport", as_json: bool) -> None:
    if as_json:
        render.emit_json(report.to_dict())
        return
    summary = _counts(report.counts())
    if report.suppressed:  # counted, never named (the suppression list)
        summary += _(" ({count} suppressed)").format(count=report.suppressed)
    verdict = _verdict(report.dry_run, report.written, report.events)
    render.echo(
        _("{path} ({format}): {summary} — {verdict}").format(
            path=report.path, format=report.format, summary=summary, verdict=verdict
        )
    )
    problems = report.invalid
    if problems:
        render.emit_table(
            state,
            [_("ROW"), _("FIELD"), _("INVALID BECAUSE")],
            [[r.row, r.field or "", r.reason] for r in problems],
        )
        if report.omitted()["invalid"]:
            render.echo(
                _("… and {invalid} more invalid row(s), not listed").format(
                    invalid=report.omitted()["invalid"]
                )
            )
    groups = report.skip_groups()
    if groups:
        render.emit_table(
            state,
            [_("SKIPPED"), _("ROWS"), _("FIRST ROWS")],
            # a grouped kind is its English prefix (data): shown in the rep's language
            [[_(g.kind), g.count, ", ".join(map(str, g.first_rows))] for g in groups],
        )


#: Unknown files named one by one in the table report (all are in the JSON report).
UNKNOWN_LISTED = 20


def print_archive(state: "CLIState", report: "ArchiveReport") -> None:
    summary = _counts(report.counts())
    verdict = _verdict(report.dry_run, report.written, report.events)
    networks = ", ".join(report.networks()) or _("no known network")
    render.echo(
        _("{path} ({networks}): {summary} — {verdict}").format(
            path=report.path, networks=networks, summary=summary, verdict=verdict
        )
    )
    if report.owner is not None:
        render.echo(_("archive owner (never a prospect): {name}").format(name=report.owner["name"]))
    rows: list[list[object]] = []
    for f in report.files:
        if f.status == "unknown":
            continue
        if f.report is not None:
            c = f.report.counts()
            detail = _counts(c, nonzero=True) or _("no rows")
            skipped = join_list(f"{g.count} {_(g.kind)}" for g in f.report.skip_groups())
            detail += _(" (skipped: {skipped})").format(skipped=skipped) if skipped else ""
        else:
            detail = f.reason
        rows.append([f.path, _word(f.status), f.format or "", detail])
    if rows:
        render.emit_table(state, [_("FILE"), _("STATUS"), _("FORMAT"), _("OUTCOME")], rows)
    unknown = report.of("unknown")
    if unknown:
        names = ", ".join(f.path for f in unknown[:UNKNOWN_LISTED])
        more = (
            _(" … and {count} more").format(count=len(unknown) - UNKNOWN_LISTED)
            if len(unknown) > UNKNOWN_LISTED
            else ""
        )
        render.echo(
            _("{count} file(s) not read (no importer knows them): {names}{more}").format(
                count=len(unknown), names=names, more=more
            )
        )
    for f in report.files:
        if f.report is not None and f.report.invalid:
            render.emit_table(
                state,
                [_("FILE"), _("ROW"), _("FIELD"), _("INVALID BECAUSE")],
                [[f.path, r.row, r.field or "", r.reason] for r in f.report.invalid],
            )
