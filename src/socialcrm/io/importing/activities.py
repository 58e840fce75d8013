"""Activities in an import: messages and signals attached to prospects.

An activity (a message sent or received, a reaction…) belongs to the prospect
whose profile URL it names.  A person it names who is not a prospect yet (an
InMail's sender, a pending invitee) is created from the profile and the name
the file gives (:meth:`People.counterpart`), except the export's owner; when
the direction of a message cannot be told (one conversation, rep unknown) it
is skipped with that reason.  An activity is attached once: the same kind,
time and text is never recorded twice, whether it is already stored or
earlier in the same file.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from socialcrm.errors import SocialCRMError
from socialcrm.formats import ActivityRecord
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.io.importing.index import Target
from socialcrm.io.importing.rows import RowError, check_activity
from socialcrm.models import Interaction, MessageReceived, MessageSent, Payload, nfc

if TYPE_CHECKING:
    from socialcrm.io.importing.batch import Batch
    from socialcrm.io.importing.people import People

__all__ = ["READ_CHUNK", "READ_ONE_BY_ONE", "Activities"]

#: Prospects whose stored activities an import reads one by one before reading
#: the rest of the pipeline's in one pass (see :meth:`Activities.read_event_keys`).
READ_ONE_BY_ONE = 64
#: Prospects whose stored activities are read in one pass after the first ones.
READ_CHUNK = 50_000


class Activities:
    """Plans the activity records of an import (:class:`ActivityRecord`)."""

    def __init__(self, batch: Batch, people: People) -> None:
        self.batch = batch
        self.people = people
        # activities already stored or planned are kept in the plan's index as
        # hash((prospect id, *_event_key)): 300,000 stored events' keys as tuples
        # of strings took ~100 MB, as a set of hashes ~27 MB, on disk nothing
        self.read_one_by_one = 0

    def read_event_keys(self, pid: str) -> None:
        """Record the keys of ``pid``'s stored activities in the plan, once.

        The first prospects are read one by one.  Past :data:`READ_ONE_BY_ONE`,
        all the pipeline's prospects not read yet are read in passes of
        :data:`READ_CHUNK`, events file by events file: reading each prospect
        apart re-parsed a whole events file each time (40 s for 30,000 messages
        into a 30,000-prospect store).
        """
        b = self.batch
        plan = b.plan
        if plan.events_read(pid) or b.created_row(pid) is not None:
            return
        if self.read_one_by_one < READ_ONE_BY_ONE:
            self.read_one_by_one += 1
            self._read([pid])
            return
        self._read([pid])
        for chunk in b.pipeline_ids(b.pipeline_name, READ_CHUNK):
            self._read([p for p in chunk if not plan.events_read(p) and b.created_row(p) is None])

    def _read(self, ids: list[str]) -> None:
        plan = self.batch.plan
        for read, events in self.batch.repo.events_for(ids):  # (never kept in a cache)
            plan.mark_events_read(read)
            plan.add_activities(hash((read, *_event_key(e.payload, e.at))) for e in events)

    def lookup(self, url: str | None, hint: str | None = None) -> tuple[Target | None, bool]:
        """The known prospect behind ``url`` (and whether ``url`` was a valid profile)."""
        b = self.batch
        if not url or not url.strip():
            return None, False
        try:
            identity = b.parse(url, hint)
        except SocialCRMError:
            return None, False
        return b.target(b.pipeline_name, identity.key), True

    def attach(self, target: Target, payload: Payload, at: datetime) -> bool:
        """Record ``payload`` on ``target`` unless the same one is already there."""
        self.read_event_keys(target.id)
        # a 64-bit hash, not the key: with 300,000 keys known, a new activity has a
        # 300,000 / 2**64 (~2e-14) chance of being taken for one already imported
        key = hash((target.id, *_event_key(payload, at)))
        if self.batch.plan.seen_activity(key):
            return False
        self.batch.new_event(target, payload, at)
        return True

    def on_activity(self, record: ActivityRecord) -> None:
        b = self.batch
        check_activity(record)
        text = nfc(record.text)
        at = record.at or b.now
        if record.kind == "message":
            self.on_message(record, text, at)
            return
        target: Target | None = None
        valid = 0
        for url in record.urls:
            target, ok = self.lookup(url, record.network)
            valid += ok
            if target is not None:
                break
        if target is None:
            if record.urls and not valid:
                raise RowError(
                    _("no valid profile URL ({urls})").format(urls=", ".join(record.urls)),
                    "url",
                )
            named = next((u for u in record.urls if self.lookup(u, record.network)[1]), None)
            target = self.new_person(record, named, record.kind.replace("_", " "))
            if target is None:
                b.outcome(record.row, "skipped", N_("the archive's owner: never a prospect"))
                return
        payload: Payload
        if record.kind == "message_sent":
            payload = MessageSent(text, record.network, record.channel)
        elif record.kind == "message_received":
            payload = MessageReceived(text, record.network, record.channel)
        elif record.kind == "interaction":
            payload = Interaction(
                record.interaction or "interaction", record.network, None, text or None
            )
        else:
            raise RowError(_("unknown activity kind {kind!r}").format(kind=record.kind), "kind")
        if not self.attach(target, payload, at):
            b.outcome(
                record.row,
                "skipped",
                N_("already imported"),
                name=target.name,
                prospect_id=target.id,
            )
            return
        b.outcome(
            record.row,
            "attached",
            record.kind.replace("_", " "),
            name=target.name,
            prospect_id=target.id,
        )

    def new_person(self, record: ActivityRecord, url: str | None, what: str) -> Target | None:
        """The person behind ``url``, created as a prospect (``None``: the owner)."""
        if url is None:
            return None
        created = self.people.counterpart(
            record.row,
            url,
            record.names.get(url),
            record.network,
            f"not a prospect yet: named by a {what}",
        )
        if created is None:
            return None
        return self.lookup(url, record.network)[0]

    def from_rep(self, record: ActivityRecord) -> bool | None:
        """Whether the rep sent ``record``: the export's owner decides when known."""
        owners = self.batch.owner_keys()
        if owners and record.sender:
            try:
                return self.batch.parse(record.sender, record.network).key in owners
            except SocialCRMError:
                pass
        return record.from_rep

    def on_message(self, record: ActivityRecord, text: str, at: datetime) -> None:
        """A message of unknown direction (see :class:`ActivityRecord`)."""
        b = self.batch
        sender, sender_ok = self.lookup(record.sender, record.network)
        from_rep = self.from_rep(record)
        payload: Payload
        if sender is None and from_rep is False and sender_ok:
            if len(record.recipients) > 1:
                b.outcome(
                    record.row,
                    "skipped",
                    N_("from a third party in a group conversation (not a prospect)"),
                )
                return
            sender = self.new_person(record, record.sender, "message received")
        if sender is not None:
            payload = MessageReceived(text, record.network, record.channel)
            targets = [sender]
            what = "message received"
        elif from_rep is False:
            b.outcome(
                record.row,
                "skipped",
                N_("from a third party (neither you nor a known prospect)"),
            )
            return
        else:
            targets = []
            for url in record.recipients:
                found, ok = self.lookup(url, record.network)
                if found is None and ok and from_rep is True:
                    found = self.new_person(record, url, "message sent")
                if found is not None and found.id not in {t.id for t in targets}:
                    targets.append(found)
            if not targets:
                who = ", ".join(record.recipients or (_("(no recipient)"),))
                b.outcome(
                    record.row,
                    "skipped",
                    _("not a known prospect: {who}").format(who=who)
                    if from_rep
                    else _(
                        "not a known prospect: {who} (who is the rep cannot be told "
                        "from one conversation)"
                    ).format(who=who),
                )
                return
            payload = MessageSent(text, record.network, record.channel)
            what = "message sent"
        added = [p for p in targets if self.attach(p, payload, at)]
        if not added:
            b.outcome(
                record.row,
                "skipped",
                N_("already imported"),
                name=targets[0].name,
                prospect_id=targets[0].id,
            )
            return
        b.outcome(
            record.row,
            "attached",
            what,
            name=", ".join(p.name for p in added),
            prospect_id=added[0].id,
        )


def _event_key(payload: Payload, at: datetime) -> tuple[str, str, str]:
    text = getattr(payload, "text", None) or getattr(payload, "type", None) or ""
    return (payload.kind.value, at.isoformat(), str(text))
