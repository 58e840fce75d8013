"""The playbook's commands: each stage's working tools, and ``today``.

``profile`` (your own profile per network), ``icp`` and ``score`` (identify),
``warmth`` and ``post`` (notoriety), ``template``, ``sequence`` and ``next``
(contact), ``today`` and ``stage-limit`` (the agenda).  Every command parses,
makes one call into :mod:`socialcrm.playbook`, and renders.
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli.context import get_state
from socialcrm.cli.prospects import Ref

if TYPE_CHECKING:
    from socialcrm.cli.context import CLIState
    from socialcrm.playbook.icp import Score

__all__ = ["register"]

PANEL = "Playbook"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _ok(state: "CLIState", message: str) -> None:
    if state.is_terminal:
        from rich.markup import escape

        state.console.print(f"[green]✓[/green] {escape(message)}")
    else:
        typer.echo(message)


# -- profile ---------------------------------------------------------------------------

profile_app = typer.Typer(
    name="profile",
    help="Stage 1: your own profile on each network, against the network's checklist.",
    no_args_is_help=True,
)


@profile_app.command("check")
def profile_check(
    ctx: typer.Context,
    network: Annotated[
        str | None, typer.Option(help="One network (default: every installed network).")
    ] = None,
) -> None:
    """Show what your own profile is missing, and why it matters.

    A network you never recorded is 'unchecked': prospects can still leave stage
    profile there. Once you record one item, every item of the checklist counts.

    Example:  socialcrm profile check --network linkedin
    """
    from socialcrm.cli import render
    from socialcrm.playbook.seller_profile import check

    state = get_state(ctx)
    reports = check(state.open_crm(), network)
    if state.output_format == "json":
        render.emit_json(
            [
                {
                    "network": r.network,
                    "name": r.name,
                    "recorded": r.recorded,
                    "ok": r.ok,
                    "items": [
                        {
                            "id": s.item.id,
                            "label": s.item.label,
                            "why": s.item.why,
                            "value": s.value,
                            "ok": s.ok,
                        }
                        for s in r.items
                    ],
                }
                for r in reports
            ]
        )
        return
    rows = []
    for r in reports:
        for s in r.items:
            mark = "ok" if s.ok else ("MISSING" if r.recorded else "unchecked")
            rows.append([r.network, s.item.id, mark, s.item.label, "" if s.ok else s.item.why])
    if state.output_format == "csv":
        render.emit_csv(["network", "item", "state", "label", "why"], rows)
        return
    render.emit_table(state, ["NETWORK", "ITEM", "STATE", "WHAT", "WHY IT MATTERS"], rows)
    for r in reports:
        if not r.recorded:
            typer.echo(
                f"{r.name}: not checked yet — record it: socialcrm profile set {r.network} "
                + " ".join(f"{s.item.id}=yes" for s in r.items[:2])
                + " …"
            )
        elif r.ok:
            typer.echo(f"{r.name}: complete")
        else:
            typer.echo(
                f"{r.name}: {len(r.missing)} item(s) missing — prospects cannot leave stage "
                "profile on this network until they are done"
            )
    if not reports:
        typer.echo("no network plugin is installed")


@profile_app.command("set")
def profile_set(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help="Network id, e.g. linkedin.")],
    items: Annotated[
        list[str],
        typer.Argument(metavar="ITEM=yes|no|VALUE...", help="Checklist items and their state."),
    ],
) -> None:
    """Record the state of items of your own profile on a network.

    'yes' or any text (e.g. your headline) means present; 'no' means missing.

    Example:  socialcrm profile set linkedin photo=yes banner=yes headline="I help SaaS teams hire"
    """
    from socialcrm.playbook.seller_profile import record

    state = get_state(ctx)
    report = record(state.open_crm(), network, items)
    missing = ", ".join(s.item.id for s in report.missing)
    _ok(
        state,
        f"{report.name} profile recorded: "
        + ("complete" if report.ok else f"still missing {missing}"),
    )


# -- icp and score ---------------------------------------------------------------------

icp_app = typer.Typer(
    name="icp",
    help="Stage 2: the ideal customer profile — weighted criteria and a threshold (TOML).",
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
    from socialcrm.cli import render
    from socialcrm.cli.errors import EXIT_NOT_FOUND, fail
    from socialcrm.playbook.icp import get_icp

    state = get_state(ctx)
    crm = state.open_crm()
    icp = get_icp(crm.pipeline)
    if icp is None:
        raise fail(
            f"pipeline {crm.pipeline_name!r} has no ICP yet; write one with 'socialcrm icp edit' "
            "or 'socialcrm icp set FILE'",
            EXIT_NOT_FOUND,
        )
    if state.output_format == "json":
        render.emit_json(icp.to_dict())
    else:
        typer.echo(icp.to_toml(pipeline=crm.pipeline_name), nl=False)


def _apply_icp(state: "CLIState", text: str, source: str) -> None:
    from socialcrm.playbook.icp import ICP, set_icp

    icp = ICP.from_toml(text, source=source)
    crm = state.open_crm()
    changed = set_icp(crm, icp)
    _ok(
        state,
        f"ICP of pipeline {crm.pipeline_name!r} saved: {len(icp.criteria)} criteria, "
        f"threshold {icp.threshold:g}; {changed} prospect(s) re-scored",
    )


@icp_app.command("set")
def icp_set(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help="A TOML file; - reads stdin.")],
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
            raise ValidationError(f"cannot read {file}: {exc}", field="file") from None
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
                raise fail(f"the editor failed ({exc}); nothing was saved", EXIT_INVALID) from None
            edited = path.read_text(encoding="utf-8")
            if edited == text:
                typer.echo("no change")
                return
            try:
                _apply_icp(state, edited, "icp.toml")
                return
            except ValidationError as exc:
                typer.echo(f"error: {exc}", err=True)
                if not sys.stdin.isatty() or not typer.confirm("Edit again?", default=True):
                    raise fail("the ICP was not saved", EXIT_INVALID) from None


@icp_app.command("clear")
def icp_clear(ctx: typer.Context) -> None:
    """Remove the ICP: qualification becomes explicit again ('socialcrm qualify').

    Example:  socialcrm icp clear
    """
    from socialcrm.playbook.icp import set_icp

    state = get_state(ctx)
    crm = state.open_crm()
    set_icp(crm, None)
    _ok(state, f"pipeline {crm.pipeline_name!r} has no ICP any more")


def _score_rows(result: "Score") -> list[list[Any]]:
    return [[c.criterion, f"{c.points:+g}", c.reason, c.source] for c in result.contributions]


def score(ctx: typer.Context, ref: Ref) -> None:
    """Score a prospect against the ICP, criterion by criterion (and store the result).

    Example:  socialcrm score jane
    """
    from socialcrm.cli import render
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
        ["CRITERION", "POINTS", "WHY", "FROM"],
        _score_rows(result),
        title=f"{prospect.name} ({prospect.id})",
    )
    verdict = "qualifies" if result.qualified else "does not qualify"
    typer.echo(f"score {result.total:g} / threshold {result.threshold:g}: {verdict}")


# -- notoriety: warmth and posts -------------------------------------------------------


def warmth(ctx: typer.Context, ref: Ref) -> None:
    """How warm a prospect is: engagement signals weighed by kind and recency.

    Each signal is worth its kind's weight (reply 5, comment/share/mention 3,
    follow/event 2, like/group 1, view 0.5), halved every 14 days.

    Example:  socialcrm warmth jane
    """
    from socialcrm.cli import render
    from socialcrm.playbook.warmth import for_prospect

    state = get_state(ctx)
    crm = state.open_crm()
    prospect = crm.resolve(ref)
    result = for_prospect(crm, prospect.id)
    rows = [
        [s.at.strftime("%Y-%m-%d"), s.kind, s.network or "", f"{s.weight:g}", f"{s.value:.2f}"]
        for s in result.signals
    ]
    if state.output_format == "json":
        render.emit_json(
            {
                "prospect_id": prospect.id,
                "warmth": result.value,
                "level": result.level,
                "signals": [
                    {
                        "at": s.at.isoformat(),
                        "kind": s.kind,
                        "network": s.network,
                        "url": s.url,
                        "weight": s.weight,
                        "value": round(s.value, 4),
                    }
                    for s in result.signals
                ],
            }
        )
        return
    if state.output_format == "csv":
        render.emit_csv(["at", "kind", "network", "weight", "value"], rows)
        return
    render.emit_table(state, ["WHEN", "SIGNAL", "NETWORK", "WEIGHT", "NOW WORTH"], rows)
    typer.echo(f"{prospect.name}: warmth {result.value:.2f} ({result.level})")


post_app = typer.Typer(
    name="post",
    help="Stage 3: your own posts, their engagement rate against the target (default 4 %).",
    no_args_is_help=True,
)


@post_app.command("log")
def post_log(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help="Network id, e.g. linkedin.")],
    views: Annotated[int, typer.Option("--views", min=0, help="Views (impressions).")],
    reactions: Annotated[int, typer.Option("--reactions", min=0, help="Reactions.")],
    url: Annotated[
        str | None, typer.Option(help="Link to the post; logging it again updates its counts.")
    ] = None,
) -> None:
    """Log one of your posts; its engagement rate is reactions ÷ views.

    Example:  socialcrm post log linkedin --views 1200 --reactions 54
    --url https://www.linkedin.com/posts/me_hiring-123
    """
    from socialcrm.cli import render
    from socialcrm.playbook.posts import log_post, target_of

    state = get_state(ctx)
    crm = state.open_crm()
    post = log_post(crm, network, views=views, reactions=reactions, url=url)
    target = target_of(crm.pipeline)
    if state.output_format == "json":
        render.emit_json(
            {
                **post.to_dict(),
                "rate": post.rate,
                "target": target,
                "below_target": post.below(target),
            }
        )
        return
    flag = " — below your target" if post.below(target) else ""
    _ok(state, f"post logged: engagement {_pct(post.rate)} (target {_pct(target)}){flag}")


@post_app.command("list")
def post_list(
    ctx: typer.Context,
    network: Annotated[str | None, typer.Option(help="Only this network.")] = None,
) -> None:
    """Your posts with their engagement rates, flagged against the target.

    Example:  socialcrm post list --network linkedin
    """
    from socialcrm.cli import render
    from socialcrm.playbook.posts import list_posts, summary

    state = get_state(ctx)
    crm = state.open_crm()
    posts = list_posts(crm, network)
    total = summary(crm, network)
    if state.output_format == "json":
        render.emit_json(
            {
                "target": total.target,
                "rate": total.rate,
                "below_target": total.below_target,
                "views": total.views,
                "reactions": total.reactions,
                "posts": [
                    {**p.to_dict(), "rate": p.rate, "below_target": p.below(total.target)}
                    for p in posts
                ],
            }
        )
        return
    rows = [
        [
            p.at.strftime("%Y-%m-%d"),
            p.network,
            p.views,
            p.reactions,
            _pct(p.rate),
            "below" if p.below(total.target) else "",
            p.url or "",
        ]
        for p in posts
    ]
    if state.output_format == "csv":
        render.emit_csv(["date", "network", "views", "reactions", "rate", "flag", "url"], rows)
        return
    render.emit_table(state, ["DATE", "NETWORK", "VIEWS", "REACTIONS", "RATE", "", "URL"], rows)
    flag = " — below target" if total.below_target else ""
    typer.echo(
        f"{total.posts} post(s): engagement {_pct(total.rate)} (target {_pct(total.target)}){flag}"
    )


@post_app.command("target")
def post_target(
    ctx: typer.Context,
    rate: Annotated[
        str | None, typer.Argument(help="e.g. 5% or 0.05; omit to show the current target.")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default 4 %.")] = False,
) -> None:
    """Show or set the pipeline's engagement-rate target.

    Example:  socialcrm post target 5%
    """
    from socialcrm.playbook.posts import set_target, target_of

    state = get_state(ctx)
    crm = state.open_crm()
    if reset or rate is not None:
        value = set_target(crm, None if reset else rate)
        _ok(state, f"engagement target: {_pct(value)}")
    else:
        typer.echo(_pct(target_of(crm.pipeline)))


# -- contact: templates, sequences, next ---------------------------------------------

template_app = typer.Typer(
    name="template",
    help="Stage 4: message templates with {first_name} {company} {title} "
    "{point_of_interest} and custom fields.",
    no_args_is_help=True,
)


@template_app.command("set")
def template_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Template name, e.g. first-contact.")],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The text; - reads stdin.")],
) -> None:
    """Create or replace a template.

    Example:  socialcrm template set hello "Hi {first_name}, I enjoyed {point_of_interest}."
    """
    from socialcrm.playbook.templates import set_template

    state = get_state(ctx)
    key = set_template(state.open_crm(), name, sys.stdin.read() if text == "-" else text)
    _ok(state, f"template {key!r} saved")


@template_app.command("list")
def template_list(ctx: typer.Context) -> None:
    """List the pipeline's templates.

    Example:  socialcrm template list --format json
    """
    from socialcrm.cli import render
    from socialcrm.playbook.templates import list_templates

    state = get_state(ctx)
    templates = list_templates(state.open_crm().pipeline)
    if state.output_format == "json":
        render.emit_json(templates)
    elif state.output_format == "csv":
        render.emit_csv(["name", "text"], list(templates.items()))
    else:
        render.emit_table(state, ["NAME", "TEXT"], [[k, v] for k, v in templates.items()])


@template_app.command("show")
def template_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Template name.")],
    ref: Annotated[
        str | None, typer.Option("--for", metavar="REF", help="Render it for this prospect.")
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(metavar="NETWORK.CHANNEL", help="Check the result against this channel."),
    ] = None,
) -> None:
    """Print a template, or render it for a prospect (checked against a channel).

    Example:  socialcrm template show hello --for jane --channel linkedin.connection_note
    """
    from socialcrm.cli.activity import split_channel
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.templates import get_template, render, render_for

    state = get_state(ctx)
    crm = state.open_crm()
    text = get_template(crm.pipeline, name)
    if ref is None:
        typer.echo(text)
        return
    prospect = crm.resolve(ref)
    if channel:
        network, channel_id = split_channel(channel)
        if network is None or channel_id is None:
            raise ValidationError("write the channel as NETWORK.CHANNEL", field="channel")
        done = render_for(crm, text, prospect, network, channel_id, template=name)
        typer.echo(done.text)
        typer.echo(f"{done.length}/{done.limit} characters on {network} {channel_id}", err=True)
    else:
        typer.echo(render(text, prospect, template=name))


@template_app.command("rm")
def template_rm(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Template name.")]
) -> None:
    """Delete a template (refused while a sequence uses it).

    Example:  socialcrm template rm hello
    """
    from socialcrm.playbook.templates import delete_template

    state = get_state(ctx)
    delete_template(state.open_crm(), name)
    _ok(state, f"template {name!r} deleted")


sequence_app = typer.Typer(
    name="sequence",
    help="Stage 4: follow-up sequences you run by hand; a reply stops them.",
    no_args_is_help=True,
)


@sequence_app.command("create")
def sequence_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Sequence name, e.g. warm-intro.")],
    steps: Annotated[
        list[str],
        typer.Option(
            "--step",
            metavar="DAYS:NETWORK.CHANNEL:TEMPLATE",
            help="A step, repeated in order: days after the previous step, where, what.",
        ),
    ],
    description: Annotated[str, typer.Option(help="What the sequence is for.")] = "",
    replace: Annotated[bool, typer.Option("--replace", help="Redefine an existing one.")] = False,
) -> None:
    """Define a sequence of steps.

    Example:  socialcrm sequence create warm-intro --step 0:linkedin.connection_note:hello
    --step 3:linkedin.message:follow-up
    """
    from socialcrm.playbook.sequences import define

    state = get_state(ctx)
    sequence = define(state.open_crm(), name, steps, description=description, replace=replace)
    _ok(state, f"sequence {sequence.name!r} saved with {len(sequence.steps)} step(s)")


@sequence_app.command("list")
def sequence_list(ctx: typer.Context) -> None:
    """List the pipeline's sequences.

    Example:  socialcrm sequence list
    """
    from socialcrm.cli import render
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
        render.emit_table(state, ["NAME", "STEPS", "PLAN", "DESCRIPTION"], rows)


@sequence_app.command("show")
def sequence_show(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Sequence name.")]
) -> None:
    """A sequence's steps and the prospects enrolled in it, with their next step.

    Example:  socialcrm sequence show warm-intro
    """
    from socialcrm.cli import render
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
        ["#", "AFTER", "NETWORK", "CHANNEL", "TEMPLATE"],
        [
            [i, f"{s.delay_days} d", s.network, s.channel, s.template]
            for i, s in enumerate(sequence.steps, 1)
        ],
        title=f"{sequence.name}: {sequence.description}" if sequence.description else sequence.name,
    )
    render.emit_table(
        state,
        ["ID", "NAME", "STATE", "DONE", "NEXT DUE"],
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
    name: Annotated[str, typer.Argument(help="Sequence name.")],
) -> None:
    """Put a prospect in a sequence; 'socialcrm next REF' then gives each message.

    Example:  socialcrm sequence enroll jane warm-intro
    """
    from socialcrm.cli import render
    from socialcrm.playbook.sequences import enroll

    state = get_state(ctx)
    prospect = enroll(state.open_crm(), ref, name)
    render.emit_one(state, prospect, f"{prospect.name} enrolled in {name.strip().lower()!r}")


@sequence_app.command("unenroll")
def sequence_unenroll(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
) -> None:
    """Take a prospect out of their sequence.

    Example:  socialcrm sequence unenroll jane --reason "met at a conference"
    """
    from socialcrm.cli import render
    from socialcrm.playbook.sequences import unenroll

    state = get_state(ctx)
    prospect = unenroll(state.open_crm(), ref, reason=reason)
    render.emit_one(state, prospect, f"{prospect.name} left their sequence")


@sequence_app.command("delete")
def sequence_delete(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Sequence name.")]
) -> None:
    """Delete a sequence definition (enrolled prospects stop being followed).

    Example:  socialcrm sequence delete warm-intro
    """
    from socialcrm.playbook.sequences import delete_sequence

    state = get_state(ctx)
    delete_sequence(state.open_crm(), name)
    _ok(state, f"sequence {name!r} deleted")


def next_message(
    ctx: typer.Context,
    ref: Ref,
    sent: Annotated[
        bool, typer.Option("--sent", help="You sent it: record it and schedule the next step.")
    ] = False,
) -> None:
    """Render the prospect's next sequence message for you to send (socialcrm never sends).

    The message goes to stdout (pipe it to your clipboard); then record it with
    --sent, or log what you really sent with 'socialcrm message REF --sent TEXT
    --channel NETWORK.CHANNEL'.

    Example:  socialcrm next jane | pbcopy && socialcrm next jane --sent
    """
    from socialcrm.cli import render
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
            f"next step due {following.due_at:%Y-%m-%d}"
            if following is not None and following.due_at is not None
            else "sequence completed"
        )
        render.emit_one(
            state,
            after,
            f"step {prog.next_step + 1}/{prog.step_count} of {prog.sequence!r} recorded as sent "
            f"to {p.name}; {then}",
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
    when = "due now" if item.is_due else f"not due before {prog.due_at:%Y-%m-%d}"
    typer.echo(
        f"{p.name} — step {prog.next_step + 1}/{prog.step_count} of {prog.sequence!r}, "
        f"{where}, {when} ({item.message.length}/{item.message.limit} characters):",
        err=True,
    )
    typer.echo(item.message.text)
    typer.echo(f"once sent: socialcrm next {p.id} --sent", err=True)


# -- agenda --------------------------------------------------------------------------


def today(ctx: typer.Context) -> None:
    """What to do now: replies to answer, sequence steps due, prospects waiting too long.

    Sorted by urgency; each line ends with the command to act.

    Example:  socialcrm today --format json
    """
    from socialcrm.cli import render
    from socialcrm.playbook.agenda import today as agenda

    state = get_state(ctx)
    items = agenda(state.open_crm())
    if state.output_format == "json":
        render.emit_json([i.to_dict() for i in items])
        return
    rows = [
        [i.kind, i.prospect_id, i.name, i.stage.value, i.summary, state.runnable(i.command)]
        for i in items
    ]
    if state.output_format == "csv":
        render.emit_csv(["kind", "prospect_id", "name", "stage", "what", "command"], rows)
        return
    if not items:
        typer.echo("nothing due today")
        return
    render.emit_table(
        state, ["WHAT", "ID", "NAME", "STAGE", "WHY", "DO"], rows, styles={3: "stage"}
    )


def stage_limit(
    ctx: typer.Context,
    stage: Annotated[str | None, typer.Argument(help="A stage, e.g. contact.")] = None,
    days: Annotated[int | None, typer.Argument(min=1, help="Days allowed in it.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default.")] = False,
) -> None:
    """Show or set how many days a prospect may wait in a stage before 'today' flags it.

    Example:  socialcrm stage-limit contact 10
    """
    from socialcrm.cli import render
    from socialcrm.errors import ValidationError
    from socialcrm.playbook.agenda import set_stage_limit, stage_limits

    state = get_state(ctx)
    crm = state.open_crm()
    if stage is not None and (days is not None or reset):
        limits = set_stage_limit(crm, stage, None if reset else days)
    elif stage is not None:
        raise ValidationError("give the number of days, or --reset", field="days")
    else:
        limits = stage_limits(crm.pipeline)
    if state.output_format == "json":
        render.emit_json({s.value: d for s, d in limits.items()})
    else:
        render.emit_table(state, ["STAGE", "DAYS"], [[s.value, d] for s, d in limits.items()])


def register(app: typer.Typer) -> None:
    for sub in (profile_app, icp_app, post_app, template_app, sequence_app):
        app.add_typer(sub, rich_help_panel=PANEL)
    app.command(rich_help_panel=PANEL)(score)
    app.command(rich_help_panel=PANEL)(warmth)
    app.command("next", rich_help_panel=PANEL)(next_message)
    app.command(rich_help_panel=PANEL)(today)
    app.command("stage-limit", rich_help_panel=PANEL)(stage_limit)
