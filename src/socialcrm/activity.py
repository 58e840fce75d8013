"""Working a prospect: qualification, point of interest, signals, messages, notes.

Each function checks what the rep typed at once (control characters, the
interaction type, a message against its channel's length limit) and returns
the :data:`~socialcrm.editing.Change` the facade records inside its
transaction.  The network of a signal or message is the one given, else the
one its URL or channel implies, else the prospect's only network.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from attrs import evolve

from socialcrm.errors import InvalidURLError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import (
    Assessed,
    Assessment,
    Interaction,
    MessageReceived,
    MessageSent,
    Note,
    Payload,
    PointOfInterest,
    PointOfInterestSet,
    Prospect,
    nfc,
)
from socialcrm.text import check, check_fields

if TYPE_CHECKING:
    from socialcrm.editing import Change
    from socialcrm.workspace import Workspace

__all__ = [
    "INTERACTION_TYPES",
    "assessment_change",
    "interaction_change",
    "message_change",
    "note_change",
    "point_of_interest_change",
]

INTERACTION_TYPES = (
    "like",
    "comment",
    "share",
    "follow",
    "mention",
    "view",
    "group",
    "event",
    "meeting",
)


def assessment_change(
    crm: Workspace,
    *,
    qualified: bool,
    score: float | None = None,
    threshold: float | None = None,
    note: str | None = None,
) -> Change:
    """Qualify explicitly; refused where a plugin assesses the prospects (an ICP score)."""
    if note is not None:
        check(note, "note", multiline=True)
    if crm.recording.assessor(crm.pipeline) is not None:
        raise ValidationError(
            _("pipeline {pipeline_name!r} qualifies prospects by their ICP score").format(
                pipeline_name=crm.pipeline_name
            ),
            field="assessment",
            hint=_("see 'socialcrm score REF'; edit the prospect or the ICP, or force the move"),
        )

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        at = crm.now()
        assessment = Assessment(qualified, score, threshold, note, at)
        payload = Assessed(qualified, score, threshold, assessment.note)
        return evolve(p, assessment=assessment, updated_at=at), [payload]

    return change


def point_of_interest_change(crm: Workspace, text: str, url: str | None = None) -> Change:
    """Record what the prospect shared or reacted to: the hook of the first message."""
    check_fields({"text": text, "url": url}, multiline={"text"})
    if not nfc(text):
        raise ValidationError(_("a point of interest needs a text"), field="text")

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        at = crm.now()
        poi = PointOfInterest(text, url, at)
        payload = PointOfInterestSet(poi.text, poi.url)
        return evolve(p, point_of_interest=poi, updated_at=at), [payload]

    return change


def interaction_change(
    crm: Workspace,
    type: str,
    *,
    url: str | None = None,
    note: str | None = None,
    network: str | None = None,
    inbound: bool = False,
) -> Change:
    """Log a notoriety signal (one of :data:`INTERACTION_TYPES`); ``inbound``: they did it."""
    check_fields({"url": url, "note": note, "network": network}, multiline={"note"})
    kind = type.strip().lower()
    if kind not in INTERACTION_TYPES:
        raise ValidationError(
            _("unknown interaction {type!r}").format(type=type),
            field="kind",
            value=type,
            hint=_("one of: ") + ", ".join(INTERACTION_TYPES),
        )

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        net = network or _network_of(crm, url) or _only_network(p)
        return p, [Interaction(kind, net, url, nfc(note) if note else None, inbound)]

    return change


def message_change(
    crm: Workspace,
    text: str,
    *,
    received: bool = False,
    channel: str | None = None,
    network: str | None = None,
) -> Change:
    """Log a message; a sent one is checked against the channel's length limit."""
    check_fields({"text": text, "channel": channel, "network": network}, multiline={"text"})
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise ValidationError(_("a message needs a text"), field="text")

    def change(p: Prospect) -> tuple[Prospect, list[Payload]]:
        net = network.lower() if network else None
        if channel and net is None:
            net = _network_with_channel(crm, p, channel)
        if net is None:
            net = _only_network(p)
        if channel and net is not None and not received:
            crm.networks.check_message(net, channel, text)
        payload: Payload = (
            MessageReceived(text, net, channel) if received else MessageSent(text, net, channel)
        )
        return p, [payload]

    return change


def note_change(text: str) -> Change:
    """Add a free note to the prospect's history."""
    check(text, "text", multiline=True)
    if not nfc(text):
        raise ValidationError(_("a note needs a text"), field="text")
    return lambda p: (p, [Note(nfc(text))])


def _network_of(crm: Workspace, url: str | None) -> str | None:
    if not url:
        return None
    try:
        return crm.networks.parse(url).network
    except InvalidURLError:
        return crm.networks.network_of_url(url)  # a post, a video: not a profile


def _network_with_channel(crm: Workspace, p: Prospect, channel: str) -> str:
    networks = [i.network for i in p.identities if i.network in crm.networks]
    having = [n for n in networks if channel in crm.networks.get(n).channels]
    if len(having) == 1:
        return having[0]
    if not having:
        known = sorted(f"{n}.{c}" for n in networks for c in crm.networks.get(n).channels)
        raise ValidationError(
            _("{name} has no network with a {channel!r} channel").format(
                name=p.name, channel=channel
            ),
            field="channel",
            value=channel,
            hint=_("channels: ") + (", ".join(known) or _("none (add a profile URL first)")),
        )
    raise ValidationError(
        _("cannot tell which network's {channel!r} channel is meant").format(channel=channel),
        field="channel",
        value=channel,
        hint=_("give the network too (e.g. --channel linkedin.connection_note)"),
    )


def _only_network(p: Prospect) -> str | None:
    return p.identities[0].network if len(p.identities) == 1 else None
