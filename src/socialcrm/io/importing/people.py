"""People in an import: a contact, connection or vCard row becomes a prospect.

A row whose profile URL or e-mail belongs to a known prospect *is* that
prospect: it is skipped as "already known", or, with ``update``, updated
(the file's values win, lists are unioned, an ``Edited`` event records the
changes).  A row with neither matches a prospect of the same name whose
company and custom fields agree.  The same person twice in one file is
merged into the first row's prospect.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from attrs import evolve

from socialcrm.contact_fields import normalize_email, normalize_phone, split_name
from socialcrm.dates import precision
from socialcrm.errors import InvalidURLError, SocialCRMError, ValidationError
from socialcrm.formats import OwnerRecord, ProspectRecord
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.io.importing.rows import RowError, check_prospect
from socialcrm.models import (
    Created,
    Edited,
    Identity,
    Imported,
    Payload,
    Prospect,
    ProspectKind,
    Source,
    nfc,
)
from socialcrm.placeholders import is_placeholder
from socialcrm.serialization import changed_fields

if TYPE_CHECKING:
    from socialcrm.io.importing.batch import Batch

__all__ = ["People"]


class People:
    """Plans the prospect records of an import (:class:`ProspectRecord`)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch

    # -- record -> values ---------------------------------------------------------
    def identities(self, urls: Iterable[str], hint: str | None = None) -> list[Identity]:
        found: list[Identity] = []
        for url in urls:
            if not url or not url.strip():
                continue
            try:
                identity = self.batch.parse(url, hint)
            except InvalidURLError as exc:
                raise RowError(exc.message, "url") from None
            except SocialCRMError as exc:
                raise RowError(str(exc), "url") from None
            clash = next((i for i in found if i.network == identity.network), None)
            if clash is not None and clash.key != identity.key:
                raise RowError(
                    _("two {network} identities ({handle}, {handle2})").format(
                        network=identity.network, handle=clash.handle, handle2=identity.handle
                    ),
                    "url",
                )
            if clash is None:
                found.append(identity)
        return found

    def emails(self, values: Iterable[str]) -> list[str]:
        out = []
        for value in values:
            if value and value.strip():
                try:
                    out.append(normalize_email(value))
                except ValidationError as exc:
                    raise RowError(exc.message, "email") from None
        return out

    def phones(self, values: Iterable[str]) -> list[str]:
        out = []
        for value in values:
            if value and value.strip():
                try:
                    out.append(normalize_phone(value, self.batch.crm.phone_region))
                except ValidationError as exc:
                    raise RowError(exc.message, "phone") from None
        return out

    # -- the record ----------------------------------------------------------------
    def on_owner(self, record: OwnerRecord) -> None:
        """The export's owner: reported, remembered, never a prospect."""
        b = self.batch
        name = nfc(record.name or "") or "(unnamed)"
        b.report.owner = {"name": name, "urls": list(record.urls), "network": record.network}
        b.add_owner(record.urls)
        b.outcome(
            record.row,
            "skipped",
            _("the archive's owner ({name}): never a prospect").format(name=name),
        )

    def on_prospect(self, record: ProspectRecord) -> None:
        b = self.batch
        check_prospect(record, b.tags)
        name = nfc(record.name or "")
        if not name:
            raise RowError(_("no name"), "name")
        identities = self.identities(record.urls, record.network)
        if b.owner_urls and any(i.key in b.owner_keys() for i in identities):
            b.outcome(
                record.row,
                "skipped",
                _("the archive's owner ({name}): never a prospect").format(name=name),
            )
            return
        emails = self.emails(record.emails)
        phones = self.phones(record.phones)
        if b.suppressed(record.row, emails, phones, identities):
            return
        known = b.match(b.pipeline_name, identities, emails, record)
        if known is None:
            self.create(record, name, identities, emails, phones)
            return
        first_row = b.created_row(known.id)
        if first_row is not None:  # the same person twice in this file
            merged = self.merged(known, record, identities, emails, phones, tags=())
            b.stage(merged)
            b.outcome(
                record.row,
                "skipped",
                _("same person as row {first_row}: details merged into it").format(
                    first_row=first_row
                ),
                name=name,
                prospect_id=known.id,
            )
            return
        if not b.update:
            added = {k: v for k, v in record.custom.items() if k not in known.custom and v}
            if not added:
                b.outcome(
                    record.row,
                    "skipped",
                    _("already known as {id} ({name}); use --update to update").format(
                        id=known.id, name=known.name
                    ),
                    name=name,
                    prospect_id=known.id,
                )
                return
            # a fact the prospect lacks (a mutual follow: x_following on a follower)
            # is added without --update: nothing stored is replaced
            merged = evolve(known, custom={**known.custom, **added})
        else:
            merged = self.merged(known, record, identities, emails, phones, tags=b.tags)
        changes = changed_fields(known, merged)
        if not changes:
            b.outcome(record.row, "skipped", N_("unchanged"), name=name, prospect_id=known.id)
            return
        merged, payloads = b.assessed(
            evolve(merged, updated_at=b.now),
            [
                Imported(b.importer.name, b.file_name, record.row, False),
                Edited(changes=changes),
            ],
        )
        b.stage(merged)
        for payload in payloads:
            b.new_event(merged, payload)
        b.outcome(
            record.row,
            "updated",
            "changed: " + ", ".join(sorted(changes)),
            name=merged.name,
            prospect_id=known.id,
        )

    def create(
        self,
        record: ProspectRecord,
        name: str,
        identities: list[Identity],
        emails: list[str],
        phones: list[str],
        reason: str = "",
    ) -> Prospect:
        b = self.batch
        organisation = record.organisation or any(
            b.crm.networks.is_organisation(i) for i in identities
        )  # a channel the importer knows, or a company page
        first, last = record.first_name, record.last_name
        if first is None and last is None and not organisation:
            first, last = _split(name)
        primary = identities[0] if identities else None
        source = Source(
            network=record.network or (primary.network if primary else None),
            url=primary.url if primary else None,
            collected_at=b.now,
            note=(f"{b.source} — " if b.source else "")
            + f"imported from {b.file_name} ({b.importer.name}), row {record.row}",
        )
        try:
            prospect = Prospect(
                id=b.crm.recording.new_id(b.now),
                name=name,
                pipeline=b.pipeline_name,
                first_name=first,
                last_name=last,
                title=record.title,
                company=record.company,
                location=record.location,
                emails=emails,
                phones=phones,
                identities=identities,
                tags=[*record.tags, *b.tags],
                notes=record.notes or "",
                custom=record.custom,
                kind=ProspectKind.ORGANISATION if organisation else ProspectKind.PERSON,
                owner=b.rep,
                source=source,
                lawful_basis=b.lawful_basis,
                created_at=b.now,
                updated_at=b.now,
            )
        except (ValueError, TypeError) as exc:
            raise RowError(str(exc)) from None
        payloads: list[Payload] = [
            Created(stage=prospect.stage, status=prospect.status),
            Imported(b.importer.name, b.file_name, record.row, True),
        ]
        prospect, payloads = b.assessed(prospect, payloads)
        b.stage(prospect, created_row=record.row)
        for payload in payloads:
            b.new_event(prospect, payload)
        b.outcome(record.row, "created", reason, name=prospect.name, prospect_id=prospect.id)
        return prospect

    def counterpart(
        self, row: int, url: str, name: str | None, network: str | None, reason: str
    ) -> Prospect | None:
        """A person an activity names who is not a prospect yet (a message's sender, a
        pending invitee): created from the profile alone, ``None`` for the owner."""
        b = self.batch
        identities = self.identities([url], network)
        if not identities or identities[0].key in b.owner_keys():
            return None
        identity = identities[0]
        display = (
            nfc(name or "").strip() or f"{identity.network}:{identity.handle.removeprefix('id:')}"
        )
        record = ProspectRecord(row=row, name=display, urls=[url], network=network)
        check_prospect(record, b.tags)
        return self.create(record, display, identities, [], [], reason)

    def merged(
        self,
        p: Prospect,
        record: ProspectRecord,
        identities: Sequence[Identity],
        emails: Sequence[str],
        phones: Sequence[str],
        *,
        tags: Sequence[str],
    ) -> Prospect:
        """``p`` updated from ``record``: the file's values win, lists are unioned.

        The name is kept (the rep may have corrected it) unless it is only a
        placeholder (an identity key such as ``x:1234567``).
        """
        all_identities = list(p.identities)
        for identity in identities:
            current = p.identity(identity.network)
            if current is not None and current.key != identity.key:
                raise RowError(
                    _(
                        "{name} ({id}) already has {network} identity {handle}, "
                        "the file says {handle2}"
                    ).format(
                        name=p.name,
                        id=p.id,
                        network=identity.network,
                        handle=current.handle,
                        handle2=identity.handle,
                    ),
                    "url",
                )
            owner = self.batch.owner(p.pipeline, identity.key)
            if owner is not None and owner != p.id:
                raise RowError(
                    _("{key} belongs to prospect {owner}").format(key=identity.key, owner=owner),
                    "url",
                )
            if current is None:
                all_identities.append(identity)
        changes: dict[str, Any] = {}
        name = nfc(record.name or "")
        if _is_placeholder(p) and name and name != p.name:
            probe = evolve(p, name=name, identities=all_identities)
            if not _is_placeholder(probe):
                changes["name"] = name
                no_names = record.first_name is None and record.last_name is None
                if no_names and not record.organisation:
                    changes["first_name"], changes["last_name"] = _split(name)
        for attr in ("first_name", "last_name", "title", "company", "location"):
            value = getattr(record, attr)
            if value is not None and nfc(value):
                if attr in _NAMES and _shouted(value, getattr(p, attr)):
                    continue  # "MARTIN" never replaces "Martin" (nor "McDonald")
                changes[attr] = value
        if record.organisation and not p.is_organisation:
            changes["kind"] = ProspectKind.ORGANISATION  # a channel, a company page:
            changes["first_name"] = changes["last_name"] = None  # its name is not split
        if record.notes and nfc(record.notes) and nfc(record.notes) not in p.notes:
            changes["notes"] = (p.notes + "\n\n" + record.notes).strip()
        custom = dict(p.custom)
        for key, value in record.custom.items():
            old = custom.get(key)
            if old is None or precision(value) >= precision(old):
                custom[key] = value  # a read date never gives way to a worse one
        try:
            return evolve(
                p,
                **changes,
                identities=all_identities,
                emails=[*p.emails, *[e for e in emails if e.casefold() not in _folded(p.emails)]],
                phones=[*p.phones, *phones],
                tags=[*p.tags, *record.tags, *tags],
                custom=custom,
            )
        except (ValueError, TypeError) as exc:
            raise RowError(str(exc)) from None


def _split(name: str) -> tuple[str | None, str | None]:
    """First and last name from a display name; "Last, First" is read as such."""
    last, comma, first = name.partition(",")
    if comma and last.strip() and first.strip() and "," not in first:
        return first.strip(), last.strip()
    return split_name(name)


def _is_placeholder(p: Prospect) -> bool:
    """Whether ``p``'s name only stands for an identity (``x:1234567``, ``@zoe.martin``)."""
    return is_placeholder(p)


_NAMES = ("first_name", "last_name")


def _shouted(new: str, old: str | None) -> bool:
    """Whether ``new`` is in capitals only while ``old`` is in mixed case (keep ``old``)."""
    return bool(old) and new.isupper() and not (old or "").isupper()


def _folded(values: Iterable[str]) -> set[str]:
    return {v.casefold() for v in values}
