"""Working a prospect: ``interest``, ``engage``, ``message``, ``note``, ``history``."""

import sys
from typing import Annotated

import typer

from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

__all__ = ["register", "split_channel"]

PANEL = N_("Working a prospect")

Text = Annotated[str, typer.Argument(metavar="TEXT", help=_("The text; - reads it from stdin."))]


def _text(value: str) -> str:
    return sys.stdin.read() if value == "-" else value


def split_channel(value: str | None) -> tuple[str | None, str | None]:
    """``linkedin.connection_note`` → (``linkedin``, ``connection_note``); ``dm`` → (None, ``dm``).

    Only the first dot separates the network from the channel.
    """
    if not value:
        return None, None
    network, sep, channel = value.strip().partition(".")
    if not sep:
        return None, network
    return network.lower(), channel


def interest(
    ctx: typer.Context,
    ref: Ref,
    text: Text,
    url: Annotated[str | None, typer.Option(help=_("Link to the post or content."))] = None,
) -> None:
    """Record the point of interest: what the prospect shared or reacted to.

    It is the hook of your first message, and leaving stage notoriety needs one.

    \b
    Example:
      socialcrm interest jane@acme.example "Posted about hiring SDRs in Lyon" \\
        --url https://www.linkedin.com/posts/janedoe_hiring-123
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().set_point_of_interest(ref, _text(text), url=url)
    render.emit_one(
        state, prospect, _("point of interest recorded for {name}").format(name=prospect.name)
    )


def engage(
    ctx: typer.Context,
    ref: Ref,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help=_("like, comment, share, follow, mention, view, group, event or meeting."),
        ),
    ],
    url: Annotated[str | None, typer.Option(help=_("Link to what you engaged with."))] = None,
    note: Annotated[str | None, typer.Option(help=_("What you did or wrote."))] = None,
    network: Annotated[
        str | None, typer.Option(help=_("Network (default: from --url or their only identity)."))
    ] = None,
    inbound: Annotated[
        bool,
        typer.Option(
            "--inbound",
            help=_(
                "They did it (commented on your post, mentioned you, accepted a meeting): "
                "a comment, mention or meeting by them restarts the retention clock."
            ),
        ),
    ] = False,
) -> None:
    """Log a notoriety signal: you liked, commented, shared, followed… (or they did: --inbound)

    \b
    Example:
      socialcrm engage jane@acme.example comment --note "Added a case study to her thread"
      socialcrm engage jane@acme.example meeting --inbound --note "Accepted a call on Friday"
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().log_interaction(
        ref, kind, url=url, note=note, network=network, inbound=inbound
    )
    render.emit_one(
        state,
        prospect,
        _("{value} logged for {name}").format(value=kind.strip().lower(), name=prospect.name),
    )


def message(
    ctx: typer.Context,
    ref: Ref,
    text: Text,
    sent: Annotated[bool, typer.Option("--sent", help=_("You sent it."))] = False,
    received: Annotated[
        bool, typer.Option("--received", help=_("They sent it (a reply)."))
    ] = False,
    channel: Annotated[
        str | None,
        typer.Option(
            metavar="[NETWORK.]CHANNEL",
            help=_(
                "e.g. linkedin.connection_note, linkedin.inmail, x.dm; a sent message is "
                "checked against the channel's length limit."
            ),
        ),
    ] = None,
    with_notice: Annotated[
        bool,
        typer.Option(
            "--with-notice",
            help=_(
                "Append the short information notice (GDPR art. 14) to the message you "
                "send, record it as given, and print the text to send."
            ),
        ),
    ] = False,
) -> None:
    """Log a message you sent (--sent) or received (--received).

    A message sent to someone who never had the information notice is logged
    and reported on stderr: add --with-notice, or record how you gave it
    ('socialcrm privacy notice REF --given').

    \b
    Example:
      socialcrm message jane@acme.example --sent "Loved your post on SDR hiring…" \\
        --channel linkedin.connection_note
    """
    from socialcrm.cli import render
    from socialcrm.privacy.notice import log_message

    if sent == received:
        raise typer.BadParameter(_("give exactly one of --sent or --received"))
    network, channel_id = split_channel(channel)
    state = get_state(ctx)
    logged = log_message(
        state.open_crm(),
        ref,
        _text(text),
        received=received,
        channel=channel_id,
        network=network,
        with_notice=with_notice,
    )
    prospect = logged.prospect
    template = (
        _("message received from {name} logged") if received else _("message sent to {name} logged")
    )
    if logged.notice_appended and state.output_format == "table":
        render.echo(logged.text)
    render.emit_one(state, prospect, template.format(name=prospect.name))
    if logged.notice_missing:
        from socialcrm.cli.errors import warn

        warn(
            _(
                "{name} has not had the information notice (GDPR art. 14: due with the "
                "first message): send it with --with-notice, or record how you gave it: "
            ).format(name=prospect.name)
            + state.runnable(f"socialcrm privacy notice {prospect.id} --given --channel email")
        )


def note(ctx: typer.Context, ref: Ref, text: Text) -> None:
    """Add a free note to a prospect's history.

    \b
    Example:
      socialcrm note jane@acme.example "Prefers e-mail after 6pm"
    """
    from socialcrm.cli import render

    state = get_state(ctx)
    prospect = state.open_crm().add_note(ref, _text(text))
    render.emit_one(state, prospect, _("note added for {name}").format(name=prospect.name))


def history(ctx: typer.Context, ref: Ref) -> None:
    """The prospect's timeline: every event, oldest first.

    \b
    Example:
      socialcrm history jane@acme.example --format json | jq '.[].kind'
    """
    from socialcrm.cli import localised, render

    state = get_state(ctx)
    events = state.open_crm().history(ref)
    if state.output_format == "json":
        render.emit_json([render.event_record(e) for e in events])
    elif state.output_format == "csv":
        render.emit_csv(
            ["id", "at", "kind", "actor", "summary"],
            [
                [e.id, e.at.isoformat(), e.kind.value, e.actor or "", render.describe_event(e)]
                for e in events
            ],
        )
    else:
        render.emit_table(
            state,
            [_("WHEN"), _("WHAT"), _("DETAIL")],
            [
                [
                    e.at.strftime("%Y-%m-%d %H:%M"),
                    localised.event_kind(e.kind.value),
                    render.describe_event(e),
                ]
                for e in events
            ],
        )


def register(app: typer.Typer) -> None:
    for command in (interest, engage, message, note, history):
        app.command(rich_help_panel=PANEL)(command)
