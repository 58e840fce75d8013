"""``privacy config``, ``privacy bases``, ``privacy notice``, ``privacy overdue``.

The rules live in :mod:`socialcrm.privacy` (settings, texts, notice).
"""

from pathlib import Path
from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.cli.localised import t_
from socialcrm.i18n import gettext as _

__all__ = ["register"]

AllPipelines = Annotated[
    bool, typer.Option("--all-pipelines", help=_("Every pipeline, not only the current one."))
]
Language = Annotated[
    str | None, typer.Option("--language", "-l", help=_("fr or en (default: the pipeline's)."))
]


def config(
    ctx: typer.Context,
    controller: Annotated[
        str | None, typer.Option(help=_('Who is responsible for the data, e.g. "Acme SAS".'))
    ] = None,
    contact: Annotated[
        str | None, typer.Option(help=_("Where people exercise their rights, e.g. an e-mail."))
    ] = None,
    purpose: Annotated[str | None, typer.Option(help=_("Why the data is processed."))] = None,
    how_to_object: Annotated[
        str | None,
        typer.Option("--object", help=_('How to object, e.g. "reply STOP or write to …".')),
    ] = None,
    language: Annotated[
        str | None, typer.Option(help=_("Language of the texts: fr or en."))
    ] = None,
    retention: Annotated[
        str | None,
        typer.Option(help=_("Retention period of this pipeline's prospects, e.g. 3y, 18m, 400d.")),
    ] = None,
    text: Annotated[
        list[str] | None,
        typer.Option(
            "--text",
            metavar="KIND.LANG=FILE",
            help=_("Replace a shipped text (notice, short, ask; fr, en) by a file's content."),
        ),
    ] = None,
    reset_text: Annotated[
        list[str] | None,
        typer.Option("--reset-text", metavar="KIND.LANG", help=_("Back to the shipped text.")),
    ] = None,
) -> None:
    """Show or set the current pipeline's privacy settings (an empty value clears one).

    \b
    Example:
      socialcrm privacy config --controller "Acme SAS" --contact dpo@acme.example \\
        --retention 3y --language fr
    """
    from socialcrm.privacy.settings import MAX_TEXT, configure, settings_of

    state = get_state(ctx)
    crm = state.open_crm()
    changes: dict[str, str | None] = {
        key: value
        for key, value in (
            ("controller", controller),
            ("contact", contact),
            ("purpose", purpose),
            ("how_to_object", how_to_object),
            ("language", language),
            ("retention", retention),
        )
        if value is not None
    }
    for item in text or []:
        name, sep, file = item.partition("=")
        if not sep or not file:
            raise typer.BadParameter(
                _("{item!r}: expected KIND.LANG=FILE").format(item=item), param_hint="--text"
            )
        with Path(file).open(encoding="utf-8") as fh:  # bounded: the library refuses more
            changes[f"texts.{name}"] = fh.read(MAX_TEXT + 1)
    for name in reset_text or []:
        changes[f"texts.{name}"] = None
    settings = configure(crm, changes) if changes else settings_of(crm.pipeline)
    data = settings.to_dict()
    if state.output_format == "json":
        render.emit_json({"pipeline": crm.pipeline_name, **data})
        return
    rows = [[k, v or ""] for k, v in data.items() if k != "texts"]
    # a label of the table (CSV keeps it English: t_)
    rows.append([t_("texts overridden"), ", ".join(sorted(data["texts"])) or t_("none")])
    if state.output_format == "csv":
        render.emit_csv(["setting", "value"], rows)
    else:
        render.emit_table(state, [_("SETTING"), _("VALUE")], rows, title=crm.pipeline_name)


def bases(ctx: typer.Context) -> None:
    """The GDPR art. 6 lawful bases accepted by --basis, with their article.

    Example:  socialcrm privacy bases
    """
    from socialcrm.privacy.basis import BASIS_TEXT

    state = get_state(ctx)
    rows = [[b.value, a, en, fr] for b, (a, en, fr) in BASIS_TEXT.items()]
    if state.output_format == "json":
        render.emit_json([{"basis": v, "article": a, "en": en, "fr": fr} for v, a, en, fr in rows])
    elif state.output_format == "csv":
        render.emit_csv(["basis", "article", "en", "fr"], rows)
    else:
        render.emit_table(state, [_("BASIS"), _("ARTICLE"), _("MEANING"), _("EN FRANÇAIS")], rows)


def notice(
    ctx: typer.Context,
    ref: Ref,
    given: Annotated[
        bool, typer.Option("--given", help=_("Record that you gave them the notice another way."))
    ] = False,
    channel: Annotated[
        str | None, typer.Option(help=_("How it was given (with --given), e.g. email, letter."))
    ] = None,
    short: Annotated[bool, typer.Option("--short", help=_("The short form."))] = False,
    language: Language = None,
) -> None:
    """Print the information notice (GDPR art. 14) for a person, or record it as given.

    \b
    Examples:
      socialcrm privacy notice jane@acme.example --language en
      socialcrm privacy notice jane@acme.example --given --channel email
    """
    from socialcrm.privacy.notice import notice_text, record_notice

    state = get_state(ctx)
    crm = state.open_crm()
    if given:
        prospect = record_notice(crm, ref, channel=channel, language=language)
        render.emit_one(
            state, prospect, _("notice recorded as given to {name}").format(name=prospect.name)
        )
        return
    if channel is not None:
        raise typer.BadParameter(_("--channel goes with --given"), param_hint="--channel")
    prospect, text = notice_text(crm, ref, short=short, language=language)
    if state.output_format == "json":
        render.emit_json({"prospect_id": prospect.id, "short": short, "text": text})
    else:
        render.echo(text)


def overdue(ctx: typer.Context, all_pipelines: AllPipelines = False) -> None:
    """People who should have had the notice: collected over 30 days ago with neither
    notice nor contact, or messaged without it.

    Example:  socialcrm privacy overdue --format json
    """
    from socialcrm.privacy.notice import overdue as find_overdue

    state = get_state(ctx)
    found = find_overdue(state.open_crm(), all_pipelines=all_pipelines)
    if state.output_format == "json":
        render.emit_json([o.to_dict() for o in found])
        return
    rows = [
        [o.prospect_id, o.name, o.pipeline, f"{o.collected_at:%Y-%m-%d}", o.days, o.reason]
        for o in found
    ]
    if state.output_format == "csv":
        render.emit_csv(["prospect_id", "name", "pipeline", "collected", "days", "why"], rows)
    elif not found:
        render.echo(_("nobody is overdue for the information notice"))
    else:
        shown = [[*r[:5], _(str(r[5]))] for r in rows]  # the reason: an English N_ message
        render.emit_table(
            state, [_("ID"), _("NAME"), _("PIPELINE"), _("COLLECTED"), _("DAYS"), _("WHY")], shown
        )
        state.info(
            _("give it: socialcrm privacy notice ID --given --channel email, or --with-notice")
        )


def register(group: typer.Typer) -> None:
    group.command()(config)
    group.command()(bases)
    group.command()(notice)
    group.command()(overdue)
