"""``note-edit`` / ``note-rm``: rectify a note (GDPR art. 16), keeping no old text."""

from typing import Annotated

import typer

from socialcrm.cli import render
from socialcrm.cli.arguments import Ref
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

__all__ = ["note_edit", "note_rm", "register"]

NoteId = Annotated[
    str, typer.Argument(metavar="NOTE_ID", help=_("The note's event id or a unique prefix."))
]


def note_edit(
    ctx: typer.Context,
    ref: Ref,
    note_id: NoteId,
    text: Annotated[str, typer.Argument(metavar="TEXT", help=_("The new text."))],
) -> None:
    """Replace a note's text; its old text is not kept anywhere.

    \b
    Example:
      socialcrm note-edit jane@acme.example 01HV3K "Prefers calls"
    """
    from socialcrm.privacy.rectification import edit_note

    state = get_state(ctx)
    prospect = edit_note(state.open_crm(), ref, note_id, text)
    render.emit_one(
        state,
        prospect,
        _("note {note_id} edited for {name}").format(note_id=note_id, name=prospect.name),
    )


def note_rm(ctx: typer.Context, ref: Ref, note_id: NoteId) -> None:
    """Remove a note from a prospect's history.

    \b
    Example:
      socialcrm note-rm jane@acme.example 01HV3K
    """
    from socialcrm.privacy.rectification import remove_note

    state = get_state(ctx)
    prospect = remove_note(state.open_crm(), ref, note_id)
    render.emit_one(
        state,
        prospect,
        _("note {note_id} removed for {name}").format(note_id=note_id, name=prospect.name),
    )


def register(app: typer.Typer) -> None:
    app.command("note-edit", rich_help_panel=_("Working a prospect"))(note_edit)
    app.command("note-rm", rich_help_panel=_("Working a prospect"))(note_rm)
