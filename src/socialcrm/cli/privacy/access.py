"""``privacy export``: the right of access (GDPR art. 15).

The rules live in :mod:`socialcrm.privacy.access`.
"""

from pathlib import Path
from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

__all__ = ["register"]


def export(
    ctx: typer.Context,
    ref: Ref,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help=_("The JSON file to write; the readable page goes next to it (.html)."),
        ),
    ],
) -> None:
    """Write everything held about a person, across all pipelines, to FILE (mode 0600).

    The JSON validates against docs/schema/access-export.schema.json; FILE.html
    is the same, readable.  Send both to the person.

    \b
    Example:
      socialcrm privacy export jane@acme.example --out jane-doe.json
    """
    from socialcrm.privacy.access import write_access_export

    state = get_state(ctx)
    crm = state.open_crm()
    document, json_path, html_path = write_access_export(crm, ref, out)
    pipelines = [str(r["pipeline"]) for r in document["records"]]
    holding = len(document["backups"]["holding"])
    if state.output_format == "json":
        render.emit_json(
            {
                "json": str(json_path),
                "html": str(html_path),
                "records": len(pipelines),
                "pipelines": pipelines,
                "backups_holding": holding,
            }
        )
        return
    render.echo(
        _(
            "wrote {json_path} and {html_path}: {count} record(s) ({pipelines}), "
            "held by {holding} backup(s)"
        ).format(
            json_path=json_path,
            html_path=html_path,
            count=len(pipelines),
            pipelines=", ".join(pipelines),
            holding=holding,
        )
    )


def register(group: typer.Typer) -> None:
    group.command()(export)
