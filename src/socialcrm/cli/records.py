"""The shapes of records the CLI prints: JSON objects, CSV rows, one-line summaries.

Kept apart from :mod:`socialcrm.cli.render` (how they are printed): these are
the stable, documented forms (docs/cli.md) scripts rely on.  Values are as
stored; :mod:`~socialcrm.cli.render` escapes what a terminal would obey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialcrm.prospect_records import as_is, iso, prospect_record, record, record_floats

if TYPE_CHECKING:
    from socialcrm.cards import Card
    from socialcrm.crm import Board
    from socialcrm.models import Event, Pipeline, Prospect

__all__ = [
    "PROSPECT_COLUMNS",
    "as_is",
    "board_record",
    "describe_event",
    "event_record",
    "pipeline_record",
    "prospect_record",
    "prospect_row",
    "record",
    "record_floats",
    "record_row",
    "stage_label",
]


# -- JSON shapes ----------------------------------------------------------------------


def event_record(e: Event) -> dict[str, Any]:
    """The stable JSON form of an event: ``kind`` plus the payload's fields in ``data``."""
    from socialcrm.serialization import event_to_dict

    payload = dict(event_to_dict(e)["payload"])
    payload.pop("kind", None)
    return {
        "id": e.id,
        "at": iso(e.at),
        "kind": e.kind.value,
        "actor": e.actor,
        "summary": describe_event(e),
        "data": payload,
    }


def pipeline_record(p: Pipeline, *, prospects: int, current: bool) -> dict[str, Any]:
    return {
        "name": p.name,
        "current": current,
        "prospects": prospects,
        "description": p.description,
        "created_at": iso(p.created_at),
    }


def _brief(p: Card) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "company": p.company}


def board_record(board: Board) -> dict[str, Any]:
    """The board as JSON: open prospects per stage, won and lost."""
    return {
        "pipeline": board.pipeline,
        "stages": {
            stage.value: [_brief(p) for p in people] for stage, people in board.stages.items()
        },
        "counts": {stage.value: len(people) for stage, people in board.stages.items()},
        "won": [_brief(p) for p in board.won],
        "lost": [_brief(p) for p in board.lost],
        "total": board.total,
    }


# -- event summaries ------------------------------------------------------------------


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def describe_event(e: Event) -> str:
    """One human line for an event (history tables, ``show``; English in JSON and CSV)."""
    from socialcrm import models as m
    from socialcrm.cli.localised import t_, word

    p = e.payload
    if isinstance(p, m.Created):
        return t_("created at {stage}").format(stage=word(p.stage.value))
    if isinstance(p, m.StageChanged):
        text = f"{word(p.from_stage.value)} → {word(p.to_stage.value)}"
        if p.forced:
            text += t_(" (forced over {count} problem(s))").format(count=len(p.overridden))
        if p.reason:
            text += t_(": {reason}").format(reason=p.reason)
        return text
    if isinstance(p, m.StatusChanged):
        text = f"{word(p.from_status.value)} → {word(p.to_status.value)}"
        return text + (t_(": {reason}").format(reason=p.reason) if p.reason else "")
    if isinstance(p, m.Interaction):
        where = t_(" on {network}").format(network=p.network) if p.network else ""
        extra = (
            t_(": {note}").format(note=_short(p.note)) if p.note else (f" {p.url}" if p.url else "")
        )
        return f"{word(p.type)}{t_(' (by them)') if p.inbound else ''}{where}{extra}"
    if isinstance(p, m.MessageSent | m.MessageReceived):
        via = ".".join(x for x in (p.network, p.channel) if x)
        sent = isinstance(p, m.MessageSent)
        if via:
            template = t_("sent via {via}: {text}") if sent else t_("received via {via}: {text}")
        else:
            template = t_("sent: {text}") if sent else t_("received: {text}")
        return template.format(via=via, text=_short(p.text))
    if isinstance(p, m.Note):
        return _short(p.text)
    if isinstance(p, m.PointOfInterestSet):
        return _short(p.text) + (f" {p.url}" if p.url else "")
    if isinstance(p, m.Assessed):
        verdict = t_("qualified") if p.qualified else t_("not qualified")
        score = t_(" (score {score:g})").format(score=p.score) if p.score is not None else ""
        return verdict + score + (t_(": {note}").format(note=_short(p.note)) if p.note else "")
    if isinstance(p, m.Imported):
        template = t_("created from {format}") if p.created else t_("updated from {format}")
        return template.format(format=p.format) + (f" {p.file}" if p.file else "")
    if isinstance(p, m.Merged):
        return t_("merged {name} ({id})").format(name=p.other_name, id=p.other_id)
    if isinstance(p, m.Edited):
        return t_("changed {fields}").format(fields=", ".join(sorted(p.changes)))
    if isinstance(p, m.SequenceEnrolled):
        return t_("enrolled in sequence {sequence!r}").format(sequence=p.sequence)
    if isinstance(p, m.SequenceStopped):
        text = t_("left sequence {sequence!r}").format(sequence=p.sequence)
        return text + (t_(": {reason}").format(reason=p.reason) if p.reason else "")
    if isinstance(p, m.NoticeGiven):
        text = (
            t_("information notice with a message")
            if p.with_message
            else t_("information notice given")
        )
        return text + "".join(f" ({x})" for x in (p.channel, p.language) if x)
    return e.kind.value


# -- CSV rows ------------------------------------------------------------------------

PROSPECT_COLUMNS = (
    "id",
    "name",
    "stage",
    "status",
    "company",
    "title",
    "emails",
    "phones",
    "identities",
    "tags",
    "created_at",
    "updated_at",
    "owner",
)


def prospect_row(p: Prospect) -> list[Any]:
    """A prospect as CSV cells in :data:`PROSPECT_COLUMNS` order (:func:`record_row`)."""
    return record_row(prospect_record(p))


def record_row(r: dict[str, Any]) -> list[Any]:
    """A prospect's record as CSV cells in :data:`PROSPECT_COLUMNS` order (lists joined
    with ``;``; ``owner`` last, so scripts reading the earlier columns by position
    still work; the prospect's ``kind`` is in the JSON record)."""
    return [
        r["id"],
        r["name"],
        r["stage"],
        r["status"],
        r["company"] or "",
        r["title"] or "",
        "; ".join(r["emails"]),
        "; ".join(r["phones"]),
        "; ".join(i["url"] for i in r["identities"]),
        "; ".join(r["tags"]),
        r["created_at"],
        r["updated_at"],
        r["owner"] or "",
    ]


def stage_label(p: Prospect | Card) -> str:
    """``contact``, or ``won``/``lost`` for closed prospects (with their last stage)."""
    if p.status.value == "open":
        return p.stage.value
    return f"{p.status.value} (at {p.stage.value})"
