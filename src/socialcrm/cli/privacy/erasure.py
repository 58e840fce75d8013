"""``privacy erase|object|log``: the one wipe path and its audit log."""

from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli import context, render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.cli.localised import t_
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.privacy.erasure import Wiped

__all__ = ["erase", "log", "object_", "register", "report"]

REASONS = {
    "erase": N_("erasure request"),
    "objection": N_("objection"),
    "expiry": N_("retention period over"),
    "merge": N_("merged into another record"),
    "pipeline-delete": N_("pipeline deleted"),
    "restore": N_("restore of a backup"),
}
"""Why a record was wiped (``privacy.erasure.REASONS``) as a French table or message says
it; English and JSON keep the reason's id (``erase``), as the audit log stores it."""


def reason_shown(reason: str) -> str:
    """``reason`` in the language in force, or its id in English and in JSON or CSV."""
    message = REASONS.get(reason, reason)
    shown = t_(message)
    return reason if shown == message else shown


Yes = Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))]


def report(state: context.CLIState, wiped: "Wiped") -> None:
    """Print what a wipe did (counts only: the person is not named again)."""
    if state.output_format == "json":
        render.emit_json(wiped.to_dict())
        return
    if wiped.pipelines:
        done = _(
            "erased {erased} record(s) ({reason}) from {pipelines}; {suppressed} "
            "identifier(s) suppressed; backups: {backups_rewritten} rewritten, "
            "{backups_dropped} dropped"
        )
    else:  # no one was stored: only identifiers suppressed, or nothing
        done = _(
            "erased {erased} record(s) ({reason}); {suppressed} "
            "identifier(s) suppressed; backups: {backups_rewritten} rewritten, "
            "{backups_dropped} dropped"
        )
    render.echo(
        done.format(
            erased=wiped.erased,
            reason=reason_shown(wiped.reason),
            pipelines=", ".join(wiped.pipelines),
            suppressed=wiped.suppressed,
            backups_rewritten=wiped.backups_rewritten,
            backups_dropped=wiped.backups_dropped,
        )
    )


def _wipe(ctx: typer.Context, ref: str, yes: bool, reason: str, suppress: bool | None) -> None:
    from socialcrm.errors import NotFoundError
    from socialcrm.privacy.erasure import erase as run_erase

    state = get_state(ctx)
    crm = state.open_crm()
    if not yes:
        try:
            label = crm.resolve(ref).name
        except NotFoundError:
            label = ref
        context.confirm(
            _("Erase {label} from every pipeline, history and backup ({reason})?").format(
                label=label, reason=reason_shown(reason)
            ),
            _("not erasing"),
        )
    report(state, run_erase(crm, ref, reason=reason, suppress=suppress))


def erase(
    ctx: typer.Context,
    ref: Ref,
    yes: Yes = False,
    no_suppress: Annotated[
        bool,
        typer.Option(
            "--no-suppress",
            help=_(
                "Do not add the person to the suppression list (a record made by mistake, "
                "not a request of the person)."
            ),
        ),
    ] = False,
) -> None:
    """Erase a person everywhere and suppress them (GDPR art. 17).

    Every pipeline, event, note, identity, index and backup; plugins are told;
    the audit log gets a line without identifying data.  Idempotent.

    \b
    Example:
      socialcrm privacy erase jane@acme.example --yes
    """
    _wipe(ctx, ref, yes, "erase", False if no_suppress else None)


def object_(ctx: typer.Context, ref: Ref, yes: Yes = False) -> None:
    """Record an objection to prospecting and erase and suppress the person (GDPR art. 21).

    \b
    Example:
      socialcrm privacy object https://www.linkedin.com/in/janedoe --yes
    """
    _wipe(ctx, ref, yes, "objection", None)


def log(ctx: typer.Context) -> None:
    """The erasure audit log: date, reason, pipeline, masked reference (no identifying data).

    \b
    Example:
      socialcrm privacy log --format json
    """
    from socialcrm.privacy.records import audit_log
    from socialcrm.privacy.vault import Vault

    state = get_state(ctx)
    entries = audit_log(Vault(state.open_crm().repository))
    if state.output_format == "json":
        render.emit_json([e.to_dict() for e in entries])
        return
    render.emit_table(
        state,
        [_("AT"), _("REASON"), _("PIPELINE"), _("REF")],
        [[f"{e.at:%Y-%m-%d %H:%M}", reason_shown(e.reason), e.pipeline, e.ref] for e in entries],
    )


def register(group: typer.Typer) -> None:
    group.command("erase")(erase)
    group.command("object")(object_)
    group.command("log")(log)
