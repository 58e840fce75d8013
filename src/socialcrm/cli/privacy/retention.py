"""``privacy due``, ``privacy ask``, ``privacy purge``: the retention clock.

The rules live in :mod:`socialcrm.privacy.retention`.
"""

from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli import context, render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.cli.privacy.notice import AllPipelines, Language
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from datetime import datetime

    from socialcrm.privacy.retention import Retention

__all__ = ["register"]


def _rows(found: "list[Retention]", now: "datetime") -> list[list[object]]:
    return [
        [
            r.prospect_id,
            r.name,
            r.pipeline,
            r.anchor,
            f"{r.expires_at:%Y-%m-%d}",
            r.days_left(now),
        ]
        for r in found
    ]


def due(
    ctx: typer.Context,
    within: Annotated[
        str, typer.Option(help=_("How far ahead to look, e.g. 30d, 3m (expired ones included)."))
    ] = "30d",
    all_pipelines: AllPipelines = False,
) -> None:
    """People whose data expires soon (or has expired): ask them, or purge.

    The clock runs for the pipeline's retention period (3 years by default)
    from collection or from the last contact THEY initiated.

    \b
    Example:
      socialcrm privacy due --within 60d
    """
    from socialcrm.privacy.retention import due as find_due

    state = get_state(ctx)
    crm = state.open_crm()
    now = crm.now()
    found = find_due(crm, within=within, now=now, all_pipelines=all_pipelines)
    if state.output_format == "json":
        render.emit_json([r.to_dict(now) for r in found])
        return
    rows = _rows(found, now)
    headers = ["prospect_id", "name", "pipeline", "runs_from", "expires", "days_left"]
    if state.output_format == "csv":
        render.emit_csv(headers, rows)
    elif not found:
        render.echo(_("nobody's data expires within {within}").format(within=within))
    else:
        render.emit_table(
            state,
            [_("ID"), _("NAME"), _("PIPELINE"), _("FROM"), _("EXPIRES"), _("DAYS LEFT")],
            rows,
        )
        state.info(
            _("ask them: socialcrm privacy ask ID; erase the expired: privacy purge --expired")
        )


def ask(
    ctx: typer.Context,
    ref: Ref,
    channel: Annotated[
        str | None,
        typer.Option(
            metavar="[NETWORK.]CHANNEL", help=_("Check the draft against this channel's limit.")
        ),
    ] = None,
    language: Language = None,
) -> None:
    """Draft the "do you still want to hear from us?" message for a person.

    Log it when sent: socialcrm message REF --sent - < draft.txt

    \b
    Example:
      socialcrm privacy ask jane@acme.example --channel linkedin.dm
    """
    from socialcrm.cli.activity import split_channel
    from socialcrm.privacy.retention import ask_draft

    state = get_state(ctx)
    network, channel_id = split_channel(channel)
    draft = ask_draft(state.open_crm(), ref, network=network, channel=channel_id, language=language)
    if state.output_format == "json":
        render.emit_json(
            {
                "prospect_id": draft.prospect.id,
                "text": draft.text,
                "length": draft.length,
                "limit": draft.limit,
                "expires_at": draft.retention.expires_at.isoformat()
                if draft.retention.expires_at
                else None,
            }
        )
        return
    render.echo(draft.text)


def purge(
    ctx: typer.Context,
    expired: Annotated[
        bool, typer.Option("--expired", help=_("Erase everyone whose data has expired."))
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("List who would be erased; erase nothing."))
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))
    ] = False,
    all_pipelines: AllPipelines = False,
) -> None:
    """Erase the people whose retention period has run out (customers never).

    Each is erased as 'socialcrm rm' erases.  Asks for confirmation on a
    terminal; in a script pass --yes.

    \b
    Example:
      socialcrm privacy purge --expired --dry-run
    """
    from socialcrm.errors import ValidationError
    from socialcrm.privacy.retention import expired as find_expired
    from socialcrm.privacy.retention import purge_expired

    if not expired:
        raise ValidationError(_("say what to purge"), field="expired", hint=_("pass --expired"))
    state = get_state(ctx)
    crm = state.open_crm()
    now = crm.now()
    if not dry_run and not yes:
        count = len(find_expired(crm, now=now, all_pipelines=all_pipelines))
        if count:
            context.confirm(
                _("Erase {count} person(s) whose data has expired?").format(count=count),
                _("not erasing {count} person(s)").format(count=count),
            )
    report = purge_expired(crm, dry_run=dry_run, now=now, all_pipelines=all_pipelines)
    if state.output_format == "json":
        render.emit_json(report.to_dict())
        return
    rows = _rows(report.erased, now)
    if state.output_format == "csv":
        render.emit_csv(
            ["prospect_id", "name", "pipeline", "runs_from", "expired", "days_left"], rows
        )
        return
    if rows:
        render.emit_table(
            state, [_("ID"), _("NAME"), _("PIPELINE"), _("FROM"), _("EXPIRED"), _("DAYS")], rows
        )
    message = (
        _("would erase {count} person(s) whose data expired")
        if dry_run
        else _("erased {count} person(s) whose data expired")
    )
    render.echo(message.format(count=len(rows)))


def register(group: typer.Typer) -> None:
    group.command()(due)
    group.command()(ask)
    group.command()(purge)
