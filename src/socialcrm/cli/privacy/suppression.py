"""``privacy suppress|unsuppress``: the suppression list, by explicit identifier only."""

from typing import TYPE_CHECKING, Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["register", "suppress", "unsuppress"]

Emails = Annotated[
    list[str], typer.Option("--email", metavar="EMAIL", help=_("An e-mail address."))
]
Urls = Annotated[list[str], typer.Option("--url", metavar="URL", help=_("A profile URL."))]
Handles = Annotated[
    list[str], typer.Option("--handle", metavar="NETWORK:HANDLE", help=_("e.g. x:jdupont."))
]
Phones = Annotated[list[str], typer.Option("--phone", metavar="PHONE", help=_("A phone number."))]


def _identifiers(
    ctx: typer.Context, emails: list[str], urls: list[str], handles: list[str], phones: list[str]
) -> tuple["CRM", list[str]]:
    from socialcrm.privacy.identifiers import of_inputs

    crm = get_state(ctx).open_crm()
    found = of_inputs(
        crm.networks,
        emails=emails,
        urls=urls,
        handles=handles,
        phones=phones,
        phone_region=crm.phone_region,
    )
    return crm, found


def suppress(
    ctx: typer.Context,
    email: Emails = [],  # noqa: B006 - Typer reads the default
    url: Urls = [],  # noqa: B006
    handle: Handles = [],  # noqa: B006
    phone: Phones = [],  # noqa: B006
) -> None:
    """Suppress someone who objected before ever being stored (kept as keyed digests).

    \b
    Example:
      socialcrm privacy suppress --email jane@acme.example --url https://www.linkedin.com/in/janedoe
    """
    from socialcrm.privacy.suppression import suppress as run

    crm, identifiers = _identifiers(ctx, email, url, handle, phone)
    added = run(crm, identifiers)
    state = get_state(ctx)
    if state.output_format == "json":
        render.emit_json({"suppressed": added, "given": len(identifiers)})
        return
    render.echo(_("{added} identifier(s) added to the suppression list").format(added=added))


def unsuppress(
    ctx: typer.Context,
    email: Emails = [],  # noqa: B006
    url: Urls = [],  # noqa: B006
    handle: Handles = [],  # noqa: B006
    phone: Phones = [],  # noqa: B006
) -> None:
    """Lift a suppression, by the exact identifier only (the person came back to you).

    \b
    Example:
      socialcrm privacy unsuppress --email jane@acme.example
    """
    from socialcrm.privacy.suppression import unsuppress as run

    crm, identifiers = _identifiers(ctx, email, url, handle, phone)
    removed = run(crm, identifiers)
    state = get_state(ctx)
    if state.output_format == "json":
        render.emit_json({"unsuppressed": removed, "given": len(identifiers)})
        return
    render.echo(
        _("{removed} identifier(s) removed from the suppression list").format(removed=removed)
    )


def register(group: typer.Typer) -> None:
    group.command("suppress")(suppress)
    group.command("unsuppress")(unsuppress)
