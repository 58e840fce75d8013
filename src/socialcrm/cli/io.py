"""``import``, ``export``, ``dupes`` and ``merge``: data in, data out, one person once.

The commands only parse options, call the CRM and render; the rules live in
:mod:`socialcrm.io.importing`, :mod:`socialcrm.io.exports` and
:mod:`socialcrm.dedupe`.  The import progress bar goes to stderr, only on a
terminal, so piped runs and scripts stay quiet.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from socialcrm.cli import render
from socialcrm.cli.completion import complete_stage
from socialcrm.cli.context import get_state
from socialcrm.cli.import_report import print_archive, print_report, progress_bar
from socialcrm.i18n import N_, join_list
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState

__all__ = ["register"]

PANEL = N_("Import, export and duplicates")

REPORT_FORMATS = ("table", "json")


def import_(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help=_(
                "The file to import (CSV, JSON, .js, .vcf), or a network's whole export "
                "(.zip or unzipped directory)."
            )
        ),
    ],
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="auto|NAME",
            help=_("File format; auto detects it from the content (see 'socialcrm formats')."),
        ),
    ] = "auto",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Report what would happen; write nothing."))
    ] = False,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            "-t",
            help=_(
                "Tag each prospect created (and, with --update, updated); "
                "rows skipped as already known are left as they are."
            ),
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option("--update", help=_("Update people already known (by e-mail or profile URL).")),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help=_("Write nothing if any row is invalid (exit 4)."))
    ] = False,
    mapping: Annotated[
        str | None,
        typer.Option(
            "--map",
            metavar='"COLUMN=FIELD,…"',
            help=_('Generic CSV column mapping, e.g. "Full name=name,Mail=email".'),
        ),
    ] = None,
    report: Annotated[
        str, typer.Option("--report", metavar="table|json", help=_("How to print the report."))
    ] = "table",
    basis: Annotated[
        str,
        typer.Option(
            "--basis",
            metavar="BASIS",
            help=_(
                "GDPR art. 6 lawful basis of the people created: legitimate_interest "
                "(B2B prospecting), consent or contract (see 'socialcrm privacy bases')."
            ),
        ),
    ] = "legitimate_interest",
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help=_(
                'Where the file came from, e.g. "LinkedIn data export of 2026-03-01"; '
                "the file name, format, row and date are recorded anyway."
            ),
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(metavar="REP", help=_("The rep who owns the people created (default: you).")),
    ] = None,
) -> None:
    """Import people (and their messages) from a network's data export or a file.

    Everything is validated first, then written in one transaction: the whole
    batch or nothing.  People already known by e-mail or profile URL are
    skipped ("already known"), or updated with --update; importing the same
    file twice changes nothing.

    \b
    Examples:
      socialcrm import Connections.csv --tag linkedin-2025
      socialcrm import messages.csv --dry-run
      socialcrm import contacts.vcf --update
      socialcrm import leads.csv --map "Full name=name,Mail=email,Firm=company"
      socialcrm import backup.json        (a socialcrm JSON export)
      socialcrm import Basic_LinkedInDataExport_12-01-2026.zip --dry-run
      socialcrm import twitter-2026-12-01/   (an unzipped archive)
    """
    from socialcrm.cli.errors import EXIT_INVALID, fail, warn
    from socialcrm.io.archives import is_archive
    from socialcrm.io.generic_csv import parse_mapping
    from socialcrm.io.importing import import_file

    state = get_state(ctx)
    as_json = report.strip().lower() == "json" or state.output_format == "json"
    if report.strip().lower() not in REPORT_FORMATS:
        raise typer.BadParameter(
            _("{report!r} is not one of: table, json").format(report=report), param_hint="--report"
        )
    parsed = parse_mapping(mapping) if mapping else None
    if is_archive(path):
        if parsed or file_format.strip().lower() not in {"", "auto"}:
            raise typer.BadParameter(
                _("--format and --map apply to single files, not to an archive"), param_hint="PATH"
            )
        _import_archive(
            state, path, dry_run, tuple(tag or ()), update, strict, as_json, (owner, basis, source)
        )
        return
    crm = state.open_crm()
    with progress_bar(
        state, _("importing {name}").format(name=render.markup_safe(path.name))
    ) as progress:
        result = import_file(
            crm,
            path,
            file_format,
            dry_run=dry_run,
            tags=tuple(tag or ()),
            update=update,
            strict=strict,
            owner=owner,
            mapping=parsed,
            progress=progress,
            lawful_basis=basis,
            source=source,
        )
    print_report(state, result, as_json)
    invalid = result.counts()["invalid"]
    if invalid:
        if strict and not dry_run:
            raise fail(
                _("{invalid} invalid row(s): nothing was written").format(invalid=invalid),
                EXIT_INVALID,
            )
        warn(_("{invalid} invalid row(s) were left out (listed above)").format(invalid=invalid))


def _import_archive(
    state: "CLIState",
    path: Path,
    dry_run: bool,
    tags: tuple[str, ...],
    update: bool,
    strict: bool,
    as_json: bool,
    people: tuple[str | None, str, str | None],
) -> None:
    """A network's whole export: every file it knows, one transaction, one report."""
    from socialcrm.cli.errors import EXIT_INVALID, fail, warn
    from socialcrm.io.importing.archive import import_archive

    crm = state.open_crm()
    with progress_bar(
        state, _("importing {name}").format(name=render.markup_safe(path.name))
    ) as progress:
        result = import_archive(
            crm,
            path,
            dry_run=dry_run,
            tags=tags,
            update=update,
            strict=strict,
            progress=progress,
            owner=people[0],
            lawful_basis=people[1],
            source=people[2],
        )
    if as_json:
        render.emit_json(result.to_dict())
    else:
        print_archive(state, result)
    invalid = result.counts()["invalid"]
    if invalid:
        if strict and not dry_run:
            raise fail(
                _("{invalid} invalid row(s): nothing was written").format(invalid=invalid),
                EXIT_INVALID,
            )
        warn(_("{invalid} invalid row(s) were left out (listed above)").format(invalid=invalid))


def formats(ctx: typer.Context) -> None:
    """List the import and export formats (built-in and from plugins).

    Example:  socialcrm formats
    """

    state = get_state(ctx)
    crm = state.open_crm()
    from socialcrm.cli.localised import t_

    # descriptions in the rep's language from the plugins' catalogues (tables only)
    rows = [["import", name, t_(imp.description)] for name, imp in crm.importers().items()]
    rows += [["export", name, t_(exp.description)] for name, exp in crm.exporters().items()]
    if state.output_format == "json":
        render.emit_json([{"direction": d, "name": n, "description": t} for d, n, t in rows])
    elif state.output_format == "csv":
        render.emit_csv(["direction", "name", "description"], rows)
    else:
        render.emit_table(state, [_("DIRECTION"), _("FORMAT"), _("DESCRIPTION")], rows)


def export(
    ctx: typer.Context,
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="json|csv|vcard|vcard4|hubspot|twenty",
            help=_("Export format (see 'socialcrm formats')."),
        ),
    ] = "json",
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage", help=_("Only prospects at this stage."), autocompletion=complete_stage
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help=_("Write to this file (mode 0600, atomically) instead of stdout."),
        ),
    ] = None,
    all_pipelines: Annotated[
        bool, typer.Option("--all-pipelines", help=_("Every pipeline, not only the current one."))
    ] = False,
    include_unnamed: Annotated[
        bool,
        typer.Option(
            "--include-unnamed",
            help=_("hubspot/twenty: also records known only by a handle or id (x:123…)."),
        ),
    ] = False,
    include_organisations: Annotated[
        bool,
        typer.Option(
            "--include-organisations",
            help=_(
                "hubspot/twenty: also organisations (channels, company pages), named as the "
                "company with no first or last name; csv, json and vcard keep them anyway."
            ),
        ),
    ] = False,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help=_(
                "For Excel: UTF-8 with a BOM, ';'-separated in a comma-decimal locale "
                "(fr, de, es, it, pt…; from LC_ALL, LC_NUMERIC or LANG)."
            ),
        ),
    ] = False,
) -> None:
    """Export prospects to a file or stdout.

    json is socialcrm's lossless backup (pipelines, prospects, events,
    settings), restorable with 'socialcrm import'.  CSV cells that a
    spreadsheet would run as formulas are neutralised.

    \b
    Examples:
      socialcrm export --out backup.json
      socialcrm export --format hubspot --stage convert --out hubspot.csv
      socialcrm export --format twenty --out people.csv
      socialcrm export --format vcard > prospects.vcf
      socialcrm export --format csv --excel --out prospects.csv
    """
    import os

    from socialcrm.errors import ValidationError
    from socialcrm.io.exports import export_prospects
    from socialcrm.stages import Stage

    state = get_state(ctx)
    crm = state.open_crm()
    exporters = crm.exporters()
    exporter = exporters.get(file_format.strip().lower())
    if exporter is None:
        raise ValidationError(
            _("unknown export format {file_format!r}").format(file_format=file_format),
            field="format",
            value=file_format,
            hint=_("one of: ") + ", ".join(exporters),
        )
    target = Stage.parse(stage) if stage else None
    env = os.environ
    locale_name = env.get("LC_ALL") or env.get("LC_NUMERIC") or env.get("LANG")

    def run(target_out: Path | TextIO) -> int:
        return export_prospects(
            crm,
            exporter,
            target_out,
            stage=target,
            all_pipelines=all_pipelines,
            excel=excel,
            locale_name=locale_name,
            include_unnamed=include_unnamed,
            include_organisations=include_organisations,
        )

    if out is None:
        with render.to_stdout():
            stream = render.stdout_text()
            run(stream)
            stream.flush()
        return
    with render.to_file(out):
        count = run(out)
    state.info(
        _("exported {count} prospect(s) to {out} ({name})").format(
            count=count, out=out, name=exporter.name
        )
    )


def dupes(ctx: typer.Context) -> None:
    """List likely duplicates with the reason; nothing is merged.

    Reasons: the same e-mail (ignoring case), the same profile, a similar name
    at the same company; across networks, the same name with the same title or
    e-mail domain, a profile link found in another record's custom fields or
    notes; look-alike names (Cyrillic or full-width letters for Latin ones).
    A similar name alone is never listed.  Merge a pair with
    'socialcrm merge KEEP OTHER'.

    Example:  socialcrm dupes --format json
    """
    from socialcrm.dedupe import duplicates_in

    state = get_state(ctx)
    pairs = duplicates_in(state.open_crm())
    if state.output_format == "json":
        render.emit_json([d.to_dict() for d in pairs])
        return
    rows = [[d.keep.id, d.keep.name, d.other.id, d.other.name, join_list(d.reasons)] for d in pairs]
    if state.output_format == "csv":
        render.emit_csv(["keep_id", "keep_name", "other_id", "other_name", "reasons"], rows)
        return
    if not pairs:
        render.echo(_("no likely duplicates"))
        return
    render.emit_table(state, [_("KEEP"), _("NAME"), _("OTHER"), _("NAME"), _("WHY")], rows)
    state.info(_("merge a pair with: socialcrm merge KEEP OTHER"))


def merge(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help=_("The prospect to keep (id, e-mail, URL…)."))],
    other: Annotated[str, typer.Argument(help=_("The prospect merged into it, then deleted."))],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Print what would be removed; write nothing."))
    ] = False,
) -> None:
    """Merge OTHER into KEEP: identities, e-mails, phones, tags, custom fields and history.

    OTHER's events are re-pointed to KEEP, a 'merged' event is recorded and
    OTHER is deleted, all in one transaction.  KEEP's stage and status stay.
    --dry-run prints KEEP as it would be and writes nothing.

    Example:  socialcrm merge 01HZX3 01HZY7
    """
    from socialcrm.dedupe import merge as merge_prospects

    state = get_state(ctx)
    if dry_run:
        from socialcrm.dedupe import merge_preview

        merged, removed = merge_preview(state.open_crm(), keep, other)
        render.emit_one(
            state,
            merged,
            _(
                "would merge {name} ({id}) into {name2} ({id2}) and delete {id}; nothing "
                "written (dry run)"
            ).format(name=removed.name, id=removed.id, name2=merged.name, id2=merged.id),
        )
        return
    merged = merge_prospects(state.open_crm(), keep, other)
    render.emit_one(
        state,
        merged,
        _("merged {other} into {name} ({id})").format(other=other, name=merged.name, id=merged.id),
    )


def register(app: typer.Typer) -> None:
    app.command("import", rich_help_panel=PANEL)(import_)
    app.command(rich_help_panel=PANEL)(export)
    app.command(rich_help_panel=PANEL)(formats)
    app.command(rich_help_panel=PANEL)(dupes)
    app.command(rich_help_panel=PANEL)(merge)
