"""Stage 4 — message templates, sequences, and the next message due (``next``)."""

import sys
from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.cli.errors import echo_err
from socialcrm.cli.playbook import PANEL, report_ok
from socialcrm.i18n import gettext as _

__all__ = ["register"]


template_app = typer.Typer(
    name="template",
    help=_(
        "Stage 4: message templates with {first_name} {company} {title} "
        "{point_of_interest} and custom fields."
    ),
    no_args_is_help=True,
)


@template_app.command("set")
def template_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Template name, e.g. first-contact."))],
    text: Annotated[str, typer.Argument(metavar="TEXT", help=_("The text; - reads stdin."))],
) -> None:
    """Create or replace a template.

    Example:  socialcrm template set hello "Hi {first_name}, I enjoyed {point_of_interest}."
    """
    from socialcrm.playbook.templates import set_template

    state = get_state(ctx)
    key = set_template(state.open_crm(), name, sys.stdin.read() if text == "-" else text)
    report_ok(state, _("template {key!r} saved").format(key=key))


@template_app.command("list")
def template_list(ctx: typer.Context) -> None:
    """List the pipeline's templates.

    Example:  socialcrm template list --format json
    """
    from socialcrm.playbook.templates import list_templates

    state = get_state(ctx)
    templates = list_templates(state.open_crm().pipeline)
    if state.output_format == "json":
        render.emit_json(templates)
    elif state.output_format == "csv":
        render.emit_csv(["name", "text"], list(templates.items()))
    else:
        render.emit_table(state, [_("NAME"), _("TEXT")], [[k, v] for k, v in templates.items()])


@template_app.command("show")
def template_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Template name."))],
    ref: Annotated[
        str | None, typer.Option("--for", metavar="REF", help=_("Render it for this prospect."))
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(metavar="NETWORK.CHANNEL", help=_("Check the result against this channel.")),
    ] = None,
) -> None:
    """Print a template, or render it for a prospect (checked against a channel).

    Example:  socialcrm template show hello --for jane --channel linkedin.connection_note
    """
    from socialcrm.cli.activity import split_channel
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.templates import get_template, render_for
    from socialcrm.playbook.templates import render as render_template

    state = get_state(ctx)
    crm = state.open_crm()
    text = get_template(crm.pipeline, name)
    if ref is None:
        render.echo(text)
        return
    prospect = crm.resolve(ref)
    if channel:
        network, channel_id = split_channel(channel)
        if network is None or channel_id is None:
            raise ValidationError(_("write the channel as NETWORK.CHANNEL"), field="channel")
        done = render_for(crm, text, prospect, network, channel_id, template=name)
        render.echo(done.text)
        echo_err(
            _("{length}/{limit} characters on {network} {channel_id}").format(
                length=done.length, limit=done.limit, network=network, channel_id=channel_id
            )
        )
    else:
        render.echo(render_template(text, prospect, template=name))


@template_app.command("rm")
def template_rm(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help=_("Template name."))]
) -> None:
    """Delete a template (refused while a sequence uses it).

    Example:  socialcrm template rm hello
    """
    from socialcrm.playbook.templates import delete_template

    state = get_state(ctx)
    delete_template(state.open_crm(), name)
    report_ok(state, _("template {name!r} deleted").format(name=name))


sequence_app = typer.Typer(
    name="sequence",
    help=_("Stage 4: follow-up sequences you run by hand; a reply stops them."),
    no_args_is_help=True,
)


@sequence_app.command("create")
def sequence_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Sequence name, e.g. warm-intro."))],
    steps: Annotated[
        list[str],
        typer.Option(
            "--step",
            metavar="DAYS:NETWORK.CHANNEL:TEMPLATE",
            help=_("A step, repeated in order: days after the previous step, where, what."),
        ),
    ],
    description: Annotated[str, typer.Option(help=_("What the sequence is for."))] = "",
    replace: Annotated[
        bool, typer.Option("--replace", help=_("Redefine an existing one."))
    ] = False,
) -> None:
    """Define a sequence of steps.

    Example:  socialcrm sequence create warm-intro --step 0:linkedin.connection_note:hello
    --step 3:linkedin.message:follow-up
    """
    from socialcrm.playbook.sequences import define

    state = get_state(ctx)
    sequence = define(state.open_crm(), name, steps, description=description, replace=replace)
    report_ok(
        state,
        _("sequence {name!r} saved with {count} step(s)").format(
            name=sequence.name, count=len(sequence.steps)
        ),
    )


@sequence_app.command("list")
def sequence_list(ctx: typer.Context) -> None:
    """List the pipeline's sequences.

    Example:  socialcrm sequence list
    """
    from socialcrm.playbook.sequences import list_sequences

    state = get_state(ctx)
    sequences = list_sequences(state.open_crm().pipeline)
    if state.output_format == "json":
        render.emit_json([{"name": s.name, **s.to_dict()} for s in sequences])
        return
    rows = [
        [s.name, len(s.steps), " → ".join(str(t) for t in s.steps), s.description]
        for s in sequences
    ]
    if state.output_format == "csv":
        render.emit_csv(["name", "steps", "plan", "description"], rows)
    else:
        render.emit_table(state, [_("NAME"), _("STEPS"), _("PLAN"), _("DESCRIPTION")], rows)


@sequence_app.command("show")
def sequence_show(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help=_("Sequence name."))]
) -> None:
    """A sequence's steps and the prospects enrolled in it, with their next step.

    Example:  socialcrm sequence show warm-intro
    """
    from socialcrm.playbook.sequences import enrolled_in, get_sequence

    state = get_state(ctx)
    crm = state.open_crm()
    sequence = get_sequence(crm.pipeline, name)
    enrolled = enrolled_in(crm, sequence.name)
    if state.output_format == "json":
        render.emit_json(
            {
                "name": sequence.name,
                **sequence.to_dict(),
                "prospects": [
                    {
                        "prospect_id": p.id,
                        "name": p.name,
                        "state": c.state.value,
                        "steps_done": len(c.done),
                        "next_step": None if c.next_step is None else c.next_step + 1,
                        "due_at": c.due_at.isoformat() if c.due_at else None,
                    }
                    for p, c in enrolled
                ],
            }
        )
        return
    render.emit_table(
        state,
        ["#", _("AFTER"), _("NETWORK"), _("CHANNEL"), _("TEMPLATE")],
        [
            [i, f"{s.delay_days} d", s.network, s.channel, s.template]
            for i, s in enumerate(sequence.steps, 1)
        ],
        title=f"{sequence.name}: {sequence.description}" if sequence.description else sequence.name,
    )
    render.emit_table(
        state,
        [_("ID"), _("NAME"), _("STATE"), _("DONE"), _("NEXT DUE")],
        [
            [
                p.id,
                p.name,
                c.state.value,
                f"{len(c.done)}/{c.step_count}",
                c.due_at.strftime("%Y-%m-%d") if c.due_at else "",
            ]
            for p, c in enrolled
        ],
    )


@sequence_app.command("enroll")
def sequence_enroll(
    ctx: typer.Context,
    ref: Ref,
    name: Annotated[str, typer.Argument(help=_("Sequence name."))],
) -> None:
    """Put a prospect in a sequence; 'socialcrm next REF' then gives each message.

    Example:  socialcrm sequence enroll jane warm-intro
    """
    from socialcrm.playbook.sequences import enroll

    state = get_state(ctx)
    prospect = enroll(state.open_crm(), ref, name)
    render.emit_one(
        state,
        prospect,
        _("{name} enrolled in {value!r}").format(name=prospect.name, value=name.strip().lower()),
    )


@sequence_app.command("unenroll")
def sequence_unenroll(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str | None, typer.Option(help=_("Why (kept in the history)."))] = None,
) -> None:
    """Take a prospect out of their sequence.

    Example:  socialcrm sequence unenroll jane --reason "met at a conference"
    """
    from socialcrm.playbook.sequences import unenroll

    state = get_state(ctx)
    prospect = unenroll(state.open_crm(), ref, reason=reason)
    render.emit_one(state, prospect, _("{name} left their sequence").format(name=prospect.name))


@sequence_app.command("delete")
def sequence_delete(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help=_("Sequence name."))]
) -> None:
    """Delete a sequence definition (enrolled prospects stop being followed).

    Example:  socialcrm sequence delete warm-intro
    """
    from socialcrm.playbook.sequences import delete_sequence

    state = get_state(ctx)
    delete_sequence(state.open_crm(), name)
    report_ok(state, _("sequence {name!r} deleted").format(name=name))


def next_message(
    ctx: typer.Context,
    ref: Ref,
    sent: Annotated[
        bool, typer.Option("--sent", help=_("You sent it: record it and schedule the next step."))
    ] = False,
) -> None:
    """Render the prospect's next sequence message for you to send (socialcrm never sends).

    The message goes to stdout (pipe it to your clipboard); then record it with
    --sent, or log what you really sent with 'socialcrm message REF --sent TEXT
    --channel NETWORK.CHANNEL'.

    Example:  socialcrm next jane | pbcopy && socialcrm next jane --sent
    """
    from socialcrm.playbook.sequences import due, mark_sent, progress_of

    state = get_state(ctx)
    crm = state.open_crm()
    item = due(crm, ref)
    p, step, prog = item.prospect, item.step, item.progress
    assert prog.next_step is not None and prog.due_at is not None
    where = f"{step.network}.{step.channel}"
    if sent:
        after = mark_sent(crm, p.id)
        following = progress_of(crm, after)
        then = (
            _("next step due {day}").format(day=f"{following.due_at:%Y-%m-%d}")
            if following is not None and following.due_at is not None
            else _("sequence completed")
        )
        render.emit_one(
            state,
            after,
            _(
                "step {value}/{step_count} of {sequence!r} recorded as sent to {name}; {then}"
            ).format(
                value=prog.next_step + 1,
                step_count=prog.step_count,
                sequence=prog.sequence,
                name=p.name,
                then=then,
            ),
        )
        return
    if state.output_format == "json":
        render.emit_json(
            {
                "prospect_id": p.id,
                "name": p.name,
                "sequence": prog.sequence,
                "step": prog.next_step + 1,
                "steps": prog.step_count,
                "due_at": prog.due_at.isoformat(),
                "due": item.is_due,
                "network": step.network,
                "channel": step.channel,
                "template": step.template,
                "text": item.message.text,
                "length": item.message.length,
                "limit": item.message.limit,
                "record": f"socialcrm next {p.id} --sent",
            }
        )
        return
    when = (
        _("due now")
        if item.is_due
        else _("not due before {day}").format(day=f"{prog.due_at:%Y-%m-%d}")
    )
    echo_err(
        _(
            "{name} — step {value}/{step_count} of {sequence!r}, {where}, {when} "
            "({length}/{limit} characters):"
        ).format(
            name=p.name,
            value=prog.next_step + 1,
            step_count=prog.step_count,
            sequence=prog.sequence,
            where=where,
            when=when,
            length=item.message.length,
            limit=item.message.limit,
        )
    )
    render.echo(item.message.text)
    echo_err(_("once sent: socialcrm next {id} --sent").format(id=p.id))


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, rich_help_panel=PANEL)
    app.add_typer(sequence_app, rich_help_panel=PANEL)
    app.command("next", rich_help_panel=PANEL)(next_message)
