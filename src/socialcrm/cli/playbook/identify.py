"""Stage 2 — the ideal customer profile (``icp``) and a prospect's score on it (``score``)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.cli.errors import echo_err
from socialcrm.cli.playbook import PANEL, report_ok
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.playbook.icp import Score

__all__ = ["register"]


icp_app = typer.Typer(
    name="icp",
    help=_("Stage 2: the ideal customer profile — weighted criteria and a threshold (TOML)."),
    no_args_is_help=True,
)

EXAMPLE_ICP = """\
threshold = 50

[[criteria]]
field = "title"
weight = 30
values = ["cto", "vp engineering", "head of engineering"]

[[criteria]]
field = "company_size"
weight = 20
ranges = ["11-50", "51-200"]

[[criteria]]
field = "sector"
weight = 20
values = ["software", "saas"]
"""


@icp_app.command("show")
def icp_show(ctx: typer.Context) -> None:
    """Print the pipeline's ICP as TOML (or JSON with --format json).

    Example:  socialcrm icp show > icp.toml
    """
    from socialcrm.cli.errors import EXIT_NOT_FOUND, fail
    from socialcrm.playbook.icp import get_icp

    state = get_state(ctx)
    crm = state.open_crm()
    icp = get_icp(crm.pipeline)
    if icp is None:
        raise fail(
            _(
                "pipeline {pipeline_name!r} has no ICP yet; write one with 'socialcrm "
                "icp edit' or 'socialcrm icp set FILE'"
            ).format(pipeline_name=crm.pipeline_name),
            EXIT_NOT_FOUND,
        )
    if state.output_format == "json":
        render.emit_json(icp.to_dict())
    else:
        render.echo(icp.to_toml(pipeline=crm.pipeline_name), nl=False)


def _apply_icp(state: "CLIState", text: str, source: str) -> None:
    from socialcrm.playbook.icp import ICP, set_icp

    icp = ICP.from_toml(text, source=source)
    crm = state.open_crm()
    changed = set_icp(crm, icp)
    report_ok(
        state,
        _(
            "ICP of pipeline {pipeline_name!r} saved: {count} criteria, threshold "
            "{threshold:g}; {changed} prospect(s) re-scored"
        ).format(
            pipeline_name=crm.pipeline_name,
            count=len(icp.criteria),
            threshold=icp.threshold,
            changed=changed,
        ),
    )


@icp_app.command("set")
def icp_set(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help=_("A TOML file; - reads stdin."))],
) -> None:
    """Replace the pipeline's ICP with a TOML file, then re-score open prospects.

    Example:  socialcrm icp set icp.toml
    """
    from socialcrm.errors import ValidationError

    if file == "-":
        text, source = sys.stdin.read(), "stdin"
    else:
        try:
            text, source = Path(file).read_text(encoding="utf-8"), file
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(
                _("cannot read {file}: {exc}").format(file=file, exc=exc), field="file"
            ) from None
    _apply_icp(get_state(ctx), text, source)


def _editor() -> list[str]:
    import shlex

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return shlex.split(command)


@icp_app.command("edit")
def icp_edit(ctx: typer.Context) -> None:
    """Edit the ICP in $VISUAL / $EDITOR; it is saved only if it is valid.

    Example:  EDITOR=nano socialcrm icp edit
    """
    import tempfile  # here: the CLI imports every command module on each run

    from socialcrm.cli.errors import EXIT_INVALID, fail
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.icp import TOML_HELP, get_icp

    state = get_state(ctx)
    crm = state.open_crm()
    icp = get_icp(crm.pipeline)
    text = (
        icp.to_toml(pipeline=crm.pipeline_name)
        if icp
        else TOML_HELP.format(pipeline=crm.pipeline_name) + "\n" + EXAMPLE_ICP
    )
    with tempfile.TemporaryDirectory(prefix="socialcrm-") as tmp:
        path = Path(tmp) / "icp.toml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        while True:
            try:
                subprocess.run([*_editor(), str(path)], check=True)
            except (OSError, subprocess.CalledProcessError) as exc:
                raise fail(
                    _("the editor failed ({exc}); nothing was saved").format(exc=exc), EXIT_INVALID
                ) from None
            edited = path.read_text(encoding="utf-8")
            if edited == text:
                render.echo(_("no change"))
                return
            try:
                _apply_icp(state, edited, "icp.toml")
                return
            except ValidationError as exc:
                echo_err(_("error: {exc}").format(exc=exc))
                if not sys.stdin.isatty() or not typer.confirm(_("Edit again?"), default=True):
                    raise fail(_("the ICP was not saved"), EXIT_INVALID) from None


@icp_app.command("clear")
def icp_clear(ctx: typer.Context) -> None:
    """Remove the ICP: qualification becomes explicit again ('socialcrm qualify').

    Example:  socialcrm icp clear
    """
    from socialcrm.playbook.icp import set_icp

    state = get_state(ctx)
    crm = state.open_crm()
    set_icp(crm, None)
    report_ok(
        state,
        _("pipeline {pipeline_name!r} has no ICP any more").format(pipeline_name=crm.pipeline_name),
    )


def _score_rows(result: "Score") -> list[list[Any]]:
    return [[c.criterion, f"{c.points:+g}", c.reason, c.source] for c in result.contributions]


def score(ctx: typer.Context, ref: Ref) -> None:
    """Score a prospect against the ICP, criterion by criterion (and store the result).

    Example:  socialcrm score jane
    """
    from socialcrm.playbook.icp import rescore

    state = get_state(ctx)
    prospect, result = rescore(state.open_crm(), ref)
    if state.output_format == "json":
        render.emit_json(
            {
                "prospect_id": prospect.id,
                "name": prospect.name,
                "score": result.total,
                "threshold": result.threshold,
                "qualified": result.qualified,
                "contributions": [
                    {
                        "criterion": c.criterion,
                        "points": c.points,
                        "reason": c.reason,
                        "source": c.source,
                    }
                    for c in result.contributions
                ],
            }
        )
        return
    if state.output_format == "csv":
        render.emit_csv(["criterion", "points", "reason", "source"], _score_rows(result))
        return
    render.emit_table(
        state,
        [_("CRITERION"), _("POINTS"), _("WHY"), _("FROM")],
        _score_rows(result),
        title=f"{prospect.name} ({prospect.id})",
    )
    verdict = _("qualifies") if result.qualified else _("does not qualify")
    render.echo(
        _("score {total:g} / threshold {threshold:g}: {verdict}").format(
            total=result.total, threshold=result.threshold, verdict=verdict
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(icp_app, rich_help_panel=PANEL)
    app.command(rich_help_panel=PANEL)(score)
