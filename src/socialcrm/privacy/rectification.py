"""Rectification of notes (GDPR art. 16): edit or remove a note, keeping no old text.

A note is an event in the prospect's history; the store has no "update an
event", so the history is rewritten in the unit of work: the prospect's
events are taken out and put back with the note changed (or without it),
then an ``edited`` event records *that* a note changed — its id, never its
old text.  Name, e-mail and phone edits are masked in history by
:func:`socialcrm.serialization.changed_fields`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import evolve

from socialcrm.errors import AmbiguousReferenceError, NotFoundError
from socialcrm.i18n import text as _
from socialcrm.models import Edited, Event, Note, Prospect, nfc
from socialcrm.text import check

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = ["edit_note", "remove_note"]


def _find(events: list[Event], note_id: str) -> Event:
    notes = [e for e in events if isinstance(e.payload, Note) and e.id.startswith(note_id.upper())]
    if not notes:
        raise NotFoundError(note_id, what="note", hint=_("'socialcrm history REF' lists note ids"))
    if len(notes) > 1:
        raise AmbiguousReferenceError(note_id, [(e.id, "note") for e in notes])
    return notes[0]


def _rewrite(crm: CRM, ref: str, note_id: str, text: str | None) -> Prospect:
    with crm.recording.transaction() as recorder:
        prospect = crm.resolve(ref)
        events = crm.repository.events(prospect.id)
        target = _find(events, note_id)
        kept = [e for e in events if text is not None or e.id != target.id]
        if text is not None:
            kept = [evolve(e, payload=Note(text=text)) if e.id == target.id else e for e in kept]
        crm.repository.delete(prospect.id)  # the prospect and its events, then back
        crm.repository.put(prospect)
        for event in kept:
            crm.repository.append_event(event)
        what = "edited" if text is not None else "removed"
        recorded = recorder.record(prospect, [Edited(changes={"note": [target.id, what]})])
    return recorded.prospect or prospect


def edit_note(crm: CRM, ref: str, note_id: str, text: str) -> Prospect:
    """Replace the text of note ``note_id`` (an event id or unique prefix) of ``ref``."""
    check(text, "note", multiline=True)
    return _rewrite(crm, ref, note_id, nfc(text))


def remove_note(crm: CRM, ref: str, note_id: str) -> Prospect:
    """Remove note ``note_id`` of ``ref`` from its history."""
    return _rewrite(crm, ref, note_id, None)
