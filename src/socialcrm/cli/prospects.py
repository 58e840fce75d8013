"""Prospect commands: ``add``, ``show``, ``list``, ``edit``, ``rm``.

Each one parses its options, makes one call on the CRM facade and renders the
result; the rules (validation, identity parsing, duplicates) live in the library.
"""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from socialcrm.cli import context
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.crm import CRM
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _
from socialcrm.repository import SORT_FIELDS

if TYPE_CHECKING:
    from socialcrm.models import Prospect

__all__ = ["SET_FIELDS", "TERMINAL_LIST_LIMIT", "parse_assignments", "register"]

PANEL = N_("Prospects")

#: ``--set``/``--unset`` keys that change a prospect's own field; any other key
#: is a custom field (``--set budget=10k``).  The library decides which fields
#: are editable.
SET_FIELDS = CRM.EDITABLE

TERMINAL_LIST_LIMIT = 50
"""Prospects the ``list`` table draws on a terminal unless ``--limit`` says otherwise,
with a line saying how many more: drawing 30,000 rows there took 16 s.  Piped, the
plain table still gives every row (issue 23)."""


def _listed(values: list[str] | None) -> list[str]:
    return list(values or [])


# -- add --------------------------------------------------------------------------------


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_('Display name, e.g. "Jane Doe".'))],
    url: Annotated[
        list[str] | None,
        typer.Option("--url", "-u", help=_("Profile URL or network:handle (repeatable).")),
    ] = None,
    email: Annotated[
        list[str] | None, typer.Option("--email", "-e", help=_("E-mail (repeatable)."))
    ] = None,
    phone: Annotated[
        list[str] | None, typer.Option("--phone", help=_("Phone, international form (repeatable)."))
    ] = None,
    company: Annotated[str | None, typer.Option(help=_("Company."))] = None,
    title: Annotated[str | None, typer.Option(help=_("Job title."))] = None,
    sector: Annotated[str | None, typer.Option(help=_("Company sector."))] = None,
    location: Annotated[str | None, typer.Option(help=_("City or country."))] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help=_("Tag (repeatable)."))
    ] = None,
    note: Annotated[str | None, typer.Option(help=_("A first note, kept in the history."))] = None,
    allow_shared_email: Annotated[
        bool,
        typer.Option(
            "--allow-shared-email",
            help=_("Add even if another prospect has the same e-mail (a shared mailbox)."),
        ),
    ] = False,
    source: Annotated[
        str | None, typer.Option(help=_('Where you found them, e.g. "comment on X\'s post".'))
    ] = None,
    basis: Annotated[
        str,
        typer.Option(
            "--basis",
            metavar="BASIS",
            help=_(
                "GDPR art. 6 lawful basis: legitimate_interest (B2B prospecting, the "
                "default), consent or contract (see 'socialcrm privacy bases')."
            ),
        ),
    ] = "legitimate_interest",
    owner: Annotated[
        str | None, typer.Option(metavar="REP", help=_("The rep who owns them (default: you)."))
    ] = None,
    organisation: Annotated[
        bool,
        typer.Option(
            "--organisation",
            help=_(
                "An organisation (a channel, a company page), not a person: the name is "
                "not split, and CRM exports leave it out."
            ),
        ),
    ] = False,
) -> None:
    """Add a prospect at stage profile and print its id.

    Each --url becomes a network identity, read by the installed network plugins.

    \b
    Example:
      socialcrm add "Jane Doe" --url https://www.linkedin.com/in/janedoe \\
        --email jane@acme.example --company Acme --tag fintech
    """
    state = get_state(ctx)
    crm = state.open_crm()
    prospect = crm.add(
        name,
        urls=_listed(url),
        emails=_listed(email),
        phones=_listed(phone),
        company=company,
        title=title,
        sector=sector,
        location=location,
        tags=_listed(tag),
        note=note,
        source=source,
        lawful_basis=basis,
        owner=owner,
        kind="organisation" if organisation else "person",
        allow_shared_email=allow_shared_email,
    )
    from socialcrm.cli import render

    if state.output_format == "table":
        render.echo(prospect.id)
        state.info(
            _("added {name} at stage {value}").format(
                name=prospect.name, value=prospect.stage.value
            )
        )
    else:
        render.emit_one(state, prospect, prospect.id)


# -- show -------------------------------------------------------------------------------


def show(ctx: typer.Context, ref: Ref) -> None:
    """Everything about one prospect: identities, stage, assessment, history…

    \b
    Example:
      socialcrm show jane@acme.example
    """
    state = get_state(ctx)
    crm = state.open_crm()
    prospect = crm.resolve(ref)
    events = crm.repository.events(prospect.id)
    from socialcrm.cli import render
    from socialcrm.history import stage_spans

    spans = stage_spans(events)
    blocking = _blocking(crm, prospect)
    if state.output_format == "json":
        record = render.prospect_record(prospect)
        record["stage_history"] = [
            {
                "stage": s.stage.value,
                "start": s.start.isoformat(),
                "end": s.end.isoformat() if s.end else None,
            }
            for s in spans
        ]
        record["next_stage"] = blocking[0] if blocking else None
        record["blocking"] = [
            {"rule": p.rule, "message": p.message, "fix": p.fix}
            for p in (blocking[1] if blocking else [])
        ]
        record["history"] = [render.event_record(e) for e in events]
        render.emit_json(record)
        return
    if state.output_format == "csv":
        render.emit_csv(render.PROSPECT_COLUMNS, [render.prospect_row(prospect)])
        return
    from socialcrm.cli.prospect_card import show_table

    show_table(state, crm, prospect, spans, blocking, events)


def _blocking(crm: CRM, prospect: "Prospect") -> tuple[str, list[Any]] | None:
    """The next step and what stops it: (target, problems), or None if closed/last."""
    if not prospect.is_open:
        return None
    target = prospect.stage.next
    if target is None:
        return ("won", crm.win_problems(prospect))
    return (target.value, crm.problems(prospect, target))


def list_(
    ctx: typer.Context,
    stage: Annotated[
        str | None, typer.Option(help=_("profile, identify, notoriety, contact or convert."))
    ] = None,
    status: Annotated[str | None, typer.Option(help=_("open, won or lost."))] = None,
    tag: Annotated[str | None, typer.Option(help=_("Only prospects with this tag."))] = None,
    network: Annotated[
        str | None, typer.Option(help=_("Only prospects with an identity there (e.g. linkedin)."))
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(help=_("Text in name, company, title, e-mails, handles, tags or notes.")),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            help=_("One of {SORT_FIELDS}; prefix with - for descending.").format(
                SORT_FIELDS=", ".join(SORT_FIELDS)
            )
        ),
    ] = "created_at",
    limit: Annotated[int | None, typer.Option(min=0, help=_("At most this many."))] = None,
    min_score: Annotated[
        float | None, typer.Option(help=_("Only prospects whose ICP score is at least this."))
    ] = None,
    owner: Annotated[
        str | None, typer.Option(metavar="REP", help=_("Only the prospects this rep owns."))
    ] = None,
    mine: Annotated[bool, typer.Option("--mine", help=_("Only the prospects you own."))] = False,
) -> None:
    """List prospects of the pipeline, filtered and sorted.

    On a terminal the table shows the first 50 (--limit for another number)
    and says how many more; piped, the table gives every one, as JSON and CSV do.

    \b
    Example:
      socialcrm list --stage contact --tag fintech --format json | jq '.[].name'
      socialcrm list --mine
    """
    state = get_state(ctx)
    rep = state.owner_filter(owner, mine)
    crm = state.open_crm()
    filters = {
        "owner": rep,
        "stage": stage,
        "status": status,
        "tag": tag,
        "network": network,
        "text": search,
        "sort": sort,
        "limit": limit,
        "min_score": min_score,
    }
    from socialcrm.cli import render

    if state.output_format == "table":  # what a table shows: cards, no full models
        from socialcrm.cli import localised

        found = crm.cards(**filters)
        drawn = limit is not None or not state.is_terminal
        shown = found if drawn else found[:TERMINAL_LIST_LIMIT]
        render.emit_cards(state, shown)
        if len(shown) < len(found):
            render.echo(
                _(
                    "… and {more} more (of {total}): '--limit N' draws more, "
                    "'socialcrm list | less' or '--format csv' gives every one"
                ).format(
                    more=localised.number(len(found) - len(shown)),
                    total=localised.number(len(found)),
                )
            )
    else:  # every record, each encoded as the store gives it, then printed in order
        from socialcrm.cli.prospect_lists import emit_listed, listed_encoder

        emit_listed(state, crm.listed(listed_encoder(state), **filters))


# -- edit -------------------------------------------------------------------------------


def parse_assignments(values: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """``key=value`` pairs → (prospect fields, custom fields); see :data:`SET_FIELDS`."""
    from socialcrm.errors import ValidationError

    fields: dict[str, Any] = {}
    custom: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValidationError(
                _("--set expects key=value, got {item!r}").format(item=item),
                field="set",
                value=item,
            )
        if key in SET_FIELDS:
            if key == "company_size":
                try:
                    fields[key] = int(value) if value.strip() else None
                except ValueError:
                    raise ValidationError(
                        _("company_size must be a whole number, got {value!r}").format(value=value),
                        field="company_size",
                        value=value,
                    ) from None
            else:
                fields[key] = value
        else:
            custom[key] = value
    return fields, custom


def edit(
    ctx: typer.Context,
    ref: Ref,
    add_url: Annotated[list[str] | None, typer.Option(help=_("Add a profile URL."))] = None,
    rm_url: Annotated[list[str] | None, typer.Option(help=_("Remove a profile URL."))] = None,
    add_email: Annotated[list[str] | None, typer.Option(help=_("Add an e-mail."))] = None,
    rm_email: Annotated[list[str] | None, typer.Option(help=_("Remove an e-mail."))] = None,
    add_phone: Annotated[list[str] | None, typer.Option(help=_("Add a phone number."))] = None,
    rm_phone: Annotated[list[str] | None, typer.Option(help=_("Remove a phone number."))] = None,
    add_tag: Annotated[list[str] | None, typer.Option(help=_("Add a tag."))] = None,
    rm_tag: Annotated[list[str] | None, typer.Option(help=_("Remove a tag."))] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help=_(
                "Set a field (name, first_name, last_name, title, company, sector, "
                "company_size, location, notes, owner, lawful_basis) or else a custom field."
            ),
        ),
    ] = None,
    unset: Annotated[
        list[str] | None,
        typer.Option(metavar="KEY", help=_("Clear a field, or remove a custom field.")),
    ] = None,
) -> None:
    """Change a prospect's fields, identities, e-mails, phones and tags.

    --set company=Acme changes the field; --set budget=10k (any key not a field)
    sets a custom field.  Every change is recorded in the history.

    \b
    Example:
      socialcrm edit jane@acme.example --set title="Head of Sales" --set budget=10k
    """
    from socialcrm.errors import ValidationError

    state = get_state(ctx)
    fields, custom = parse_assignments(_listed(set_))
    unset_custom: list[str] = []
    for key in _listed(unset):
        key = key.strip()
        if key == "name":
            raise ValidationError(_("the name cannot be cleared"), field="name")
        if key in SET_FIELDS:
            fields[key] = "" if key == "notes" else None
        else:
            unset_custom.append(key)
    crm = state.open_crm()
    before = crm.resolve(ref)
    after = crm.edit(
        before.id,
        set_fields=fields,
        add_urls=_listed(add_url),
        rm_urls=_listed(rm_url),
        add_emails=_listed(add_email),
        rm_emails=_listed(rm_email),
        add_phones=_listed(add_phone),
        rm_phones=_listed(rm_phone),
        add_tags=_listed(add_tag),
        rm_tags=_listed(rm_tag),
        set_custom=custom,
        unset_custom=unset_custom,
    )
    from socialcrm.cli import render

    message = (
        _("updated {name} ({id})").format(name=after.name, id=after.id)
        if after != before
        else _("nothing changed")
    )
    render.emit_one(state, after, message)


# -- rm ---------------------------------------------------------------------------------


def rm(
    ctx: typer.Context,
    ref: Ref,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Print what would be removed; write nothing."))
    ] = False,
    no_suppress: Annotated[
        bool, typer.Option("--no-suppress", help=_("Do not add them to the suppression list."))
    ] = False,
) -> None:
    """Erase a person everywhere (right to erasure): as 'privacy erase'.

    Every pipeline, event, note, identity, index and backup; the person joins
    the suppression list (--no-suppress for a record made by mistake).  Asks
    for confirmation on a terminal; in a script pass --yes.  --dry-run prints
    what would be deleted and writes nothing.

    \b
    Example:
      socialcrm rm 01HV3K --yes
      socialcrm rm "Jane Doe" --dry-run
    """
    from socialcrm.cli.privacy.erasure import report
    from socialcrm.privacy.erasure import erase

    state = get_state(ctx)
    crm = state.open_crm()
    prospect = crm.resolve(ref)
    if dry_run:
        from socialcrm.cli import render

        events = len(crm.repository.events(prospect.id))
        render.emit_one(
            state,
            prospect,
            _(
                "would delete {name} ({id}) and its {events} event(s); nothing written (dry run)"
            ).format(name=prospect.name, id=prospect.id, events=events),
        )
        return
    if not yes:
        context.confirm(
            _("Erase {name} ({id}) from every pipeline, history and backup?").format(
                name=prospect.name, id=prospect.id
            ),
            _("not deleting {name} ({id})").format(name=prospect.name, id=prospect.id),
        )
    report(state, erase(crm, prospect.id, suppress=False if no_suppress else None))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(add)
    app.command(rich_help_panel=PANEL)(show)
    app.command("list", rich_help_panel=PANEL)(list_)
    app.command(rich_help_panel=PANEL)(edit)
    app.command(rich_help_panel=PANEL)(rm)
