"""The import engine: read a file through an importer, plan every change, write once.

An import runs in two phases:

1. **plan** — stream the importer's records and decide, row by row, what
   would happen (create, update, skip, attach a message, or refuse the row)
   against in-memory indexes of the pipeline (identity keys, e-mails, names),
   so 30,000 rows cost 30,000 dictionary look-ups, not 30,000 store queries;
2. **write** — unless it is a dry run, apply the plan inside ONE
   ``repository.transaction()``: the whole batch or nothing.

Matching (what makes re-imports idempotent and avoids duplicates):

* a record whose profile URL (canonical identity key) or e-mail (ignoring
  case) belongs to a known prospect *is* that prospect: it is skipped with the
  reason "already known", or updated with ``update=True``;
* a record with neither URL nor e-mail matches a known prospect with the same
  name (ignoring case) whose company and custom fields agree with the record;
* a message is attached once: the same kind, time and text is never recorded
  twice.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from attrs import define, evolve, field, frozen

from socialcrm.errors import ImportFormatError, InvalidURLError, SocialCRMError, ValidationError
from socialcrm.io.csvsafe import FIELD_LIMIT, check_text, read_head
from socialcrm.io.formats import (
    ActivityRecord,
    Importer,
    ImportItem,
    ProspectRecord,
    RowProblem,
    SkippedRow,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)
from socialcrm.models import (
    Created,
    Edited,
    Event,
    Identity,
    Imported,
    Interaction,
    MessageReceived,
    MessageSent,
    Payload,
    Pipeline,
    Prospect,
    Source,
    nfc,
)
from socialcrm.repository import Query, put_all, stage_by_stage

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "ImportReport",
    "RowOutcome",
    "detect_format",
    "import_file",
    "resolve_importer",
    "run_import",
]

#: Rows between two progress callbacks.
PROGRESS_EVERY = 500
#: Prospects whose stored activities an import reads one by one before reading
#: the rest of the pipeline's in one pass (see ``_Batch.read_event_keys``).
READ_ONE_BY_ONE = 64
#: Planned events waiting to be written (inside the import's transaction) when
#: the prospects and events planned so far are written: a backup of 300,000
#: events held them all as models until the end (~190 MB).
FLUSH_EVENTS = 5_000

Progress = Callable[[int], None]


@frozen
class RowOutcome:
    """What happened (or would happen) to one row.

    ``action`` is ``created``, ``updated``, ``skipped``, ``invalid`` or
    ``attached`` (a message or signal added to a known prospect's history).
    """

    row: int
    action: str
    reason: str = ""
    name: str | None = None
    prospect_id: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "action": self.action,
            "reason": self.reason,
            "name": self.name,
            "prospect_id": self.prospect_id,
            "field": self.field,
        }


@define
class ImportReport:
    """The outcome of an import: one :class:`RowOutcome` per row, and totals."""

    path: str
    format: str
    dry_run: bool
    rows: list[RowOutcome] = field(factory=list)
    events: int = 0
    written: bool = False

    def _of(self, action: str) -> list[RowOutcome]:
        return [r for r in self.rows if r.action == action]

    @property
    def created(self) -> list[RowOutcome]:
        return self._of("created")

    @property
    def updated(self) -> list[RowOutcome]:
        return self._of("updated")

    @property
    def skipped(self) -> list[RowOutcome]:
        return self._of("skipped")

    @property
    def invalid(self) -> list[RowOutcome]:
        return self._of("invalid")

    @property
    def attached(self) -> list[RowOutcome]:
        return self._of("attached")

    def counts(self) -> dict[str, int]:
        """Rows per action (every action present, zero included)."""
        keys = ("created", "updated", "attached", "skipped", "invalid")
        return {k: len(self._of(k)) for k in keys}

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "events": self.events,
            "rows": [r.to_dict() for r in self.rows],
        }


class _RolledBack(Exception):
    """A strict import met an invalid row: leave its transaction without committing."""


class _RowError(Exception):
    """A record that cannot be imported (becomes an ``invalid`` outcome)."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


# ----------------------------------------------------------------------------- detection


def detect_format(path: Path, importers: Mapping[str, Importer]) -> Importer:
    """The first importer (plugins before built-ins) that recognises the file's content."""
    head = read_head(path)
    if not head.strip():
        raise ImportFormatError("the file is empty", path=str(path))
    check_text(path, head)
    for importer in importers.values():
        try:
            if importer.sniff(path, head):
                return importer
        except Exception:  # a sniffer must never break detection of the others
            continue
    known = ", ".join(sorted(importers)) or "none installed"
    raise ImportFormatError(
        "unrecognised file format",
        path=str(path),
        hint=f"give --format explicitly; known formats: {known}",
    )


# ----------------------------------------------------------------------------- indexes


def _email_keys(p: Prospect) -> set[str]:
    return {email.casefold() for email in p.emails}


def _name_keys(p: Prospect) -> set[str]:
    return {p.name.casefold()}


#: The lazily built indexes of :class:`_Index`: attribute name -> keys of a prospect.
_LAZY_INDEXES: dict[str, Callable[[Prospect], set[str]]] = {
    "by_email": _email_keys,
    "by_name": _name_keys,
}


class _Index:
    """One pipeline's prospects as the plan sees them (store + planned changes).

    The e-mail and name indexes are built on first use: an import of
    activities only looks prospects up by identity, and those two took ~20 MB
    at 30,000 prospects.
    """

    def __init__(self, prospects: Iterable[Prospect]) -> None:
        self.prospects: dict[str, Prospect] = {}
        self.by_identity: dict[str, str] = {}
        for p in prospects:
            self.add(p)

    def _build(self, name: str) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for p in self.prospects.values():
            for key in _LAZY_INDEXES[name](p):
                index.setdefault(key, set()).add(p.id)
        return index

    @functools.cached_property
    def by_email(self) -> dict[str, set[str]]:
        return self._build("by_email")

    @functools.cached_property
    def by_name(self) -> dict[str, set[str]]:
        return self._build("by_name")

    def _built(self) -> Iterator[tuple[dict[str, set[str]], Callable[[Prospect], set[str]]]]:
        """The lazy indexes built so far, each with its key function."""
        for name, keys in _LAZY_INDEXES.items():
            index = self.__dict__.get(name)  # where cached_property keeps it
            if index is not None:
                yield index, keys

    def add(self, p: Prospect) -> None:
        old = self.prospects.get(p.id)
        if old is not None:
            self.remove(old)
        self.prospects[p.id] = p
        for identity in p.identities:
            self.by_identity[identity.key] = p.id
        for index, keys in self._built():
            for key in keys(p):
                index.setdefault(key, set()).add(p.id)

    def remove(self, p: Prospect) -> None:
        self.prospects.pop(p.id, None)
        for identity in p.identities:
            if self.by_identity.get(identity.key) == p.id:
                del self.by_identity[identity.key]
        for index, keys in self._built():
            for key in keys(p):
                index.get(key, set()).discard(p.id)


class _Target(NamedTuple):
    """What an activity needs of its prospect: where to attach it, whom to name."""

    id: str
    name: str
    pipeline: str


class _Targets:
    """One pipeline's prospects as activities see them: by identity, id and name only.

    An import of activities (messages) only looks prospects up by profile
    URL; keeping the whole pipeline as models for that took ~75 MB at 30,000
    prospects.  :attr:`keys` lists every prospect of the pipeline, identities
    or not.
    """

    def __init__(self, prospects: Iterable[Prospect]) -> None:
        self.by_identity: dict[str, _Target] = {}
        self.keys: dict[str, tuple[str, ...]] = {}
        for p in prospects:
            self.add(p)

    def add(self, p: Prospect) -> None:
        for key in self.keys.pop(p.id, ()):
            if self.by_identity[key].id == p.id:
                del self.by_identity[key]
        target = _Target(p.id, p.name, p.pipeline)
        keys = tuple(identity.key for identity in p.identities)
        for key in keys:
            self.by_identity[key] = target
        self.keys[p.id] = keys


# ----------------------------------------------------------------------------- the engine


class _Batch:
    """Plans one import against a CRM, then writes it in one transaction."""

    def __init__(
        self,
        crm: CRM,
        path: Path,
        importer: Importer,
        *,
        tags: Sequence[str],
        update: bool,
        dry_run: bool,
        progress: Progress | None,
    ) -> None:
        self.crm = crm
        self.repo = crm.repository
        self.path = path
        self.importer = importer
        self.tags = tuple(tags)
        self.update = update
        self.progress = progress
        self.report = ImportReport(str(path), importer.name, dry_run)
        self.file_name = path.name
        self.now = crm.now()
        self.pipeline_name = crm.pipeline_name
        self.indexes: dict[str, _Index] = {}
        self.targets: dict[str, _Targets] = {}
        self.new_pipelines: dict[str, Pipeline] = {}
        self.new_settings: dict[str, Any] = {}
        self.created_at_row: dict[str, int] = {}
        # every prospect the import changed (scored at the end); those changed
        # since the last flush, and the events planned since then
        self.dirty: dict[str, Prospect] = {}
        self.unwritten: dict[str, Prospect] = {}
        self.events: list[Event] = []
        self.event_count = 0
        # ids of the events added, by prospect: only if a plugin listens to on_event
        self.told: dict[str, list[str]] | None = {} if crm.hooks.listening("on_event") else None
        self.writing = False  # flushes write (in the caller's transaction), else drop
        # activities already stored or planned, as hash((prospect id, *_event_key)):
        # 300,000 stored events' keys as tuples of strings took ~100 MB
        self.event_keys: set[int] = set()
        self.keys_read: set[str] = set()
        self.event_ids: dict[str, set[str]] = {}
        self.has_icp: bool | None = None
        # each prospect as last scored by the plan: staged as it is, it needs no
        # second scoring at the end (3 of 14 s for 30,000 connections)
        self.scored: dict[str, Prospect] = {}

    # -- helpers -----------------------------------------------------------
    def index(self, pipeline: str) -> _Index:
        found = self.indexes.get(pipeline)
        if found is None:
            found = _Index(self.repo.query(Query(pipeline=pipeline)))
            self.indexes[pipeline] = found
        return found

    def target_index(self, pipeline: str) -> _Targets:
        """The pipeline's :class:`_Targets`: from its index if built, else read one
        stage at a time (only one stage's models are alive at once)."""
        found = self.targets.get(pipeline)
        if found is None:
            index = self.indexes.get(pipeline)
            found = _Targets(
                index.prospects.values()
                if index is not None
                else stage_by_stage(self.repo, Query(pipeline=pipeline))
            )
            self.targets[pipeline] = found
        return found

    def outcome(self, row: int, action: str, reason: str = "", **kw: Any) -> None:
        self.report.rows.append(RowOutcome(row, action, reason, **kw))

    def new_event(
        self, prospect: Prospect | _Target, payload: Payload, at: datetime | None = None
    ) -> Event:
        when = at or self.now
        event = Event(
            id=self.crm._new_id(when),
            prospect_id=prospect.id,
            at=when,
            payload=payload,
            actor=self.crm.actor,
            pipeline=prospect.pipeline,
        )
        self.add_events([event])
        return event

    def assessed(
        self, prospect: Prospect, payloads: list[Payload]
    ) -> tuple[Prospect, list[Payload]]:
        """Score with the pipeline's ICP, if it has one (checked once per batch)."""
        if self.has_icp is None:
            from socialcrm.playbook.icp import get_icp

            pipeline = self.repo.get_pipeline(self.pipeline_name)
            self.has_icp = pipeline is not None and get_icp(pipeline) is not None
        if not self.has_icp:
            return prospect, payloads
        after, payloads = self.crm._assessed(prospect, payloads)
        self.scored[after.id] = after
        return after, payloads

    def unscored(self) -> Iterable[Prospect]:
        """The prospects changed but not scored as staged (the same person twice in a
        file, a backup's prospects); all of them if the import changed a pipeline
        (its ICP may be another)."""
        if self.new_pipelines:
            return self.dirty.values()
        return (p for p in self.dirty.values() if self.scored.get(p.id) is not p)

    def stage(self, p: Prospect) -> None:
        self.index(p.pipeline).add(p)
        targets = self.targets.get(p.pipeline)
        if targets is not None:
            targets.add(p)
        self.dirty[p.id] = p
        self.unwritten[p.id] = p

    def add_events(self, events: Iterable[Event]) -> None:
        for event in events:
            self.events.append(event)
            self.event_count += 1
            if self.told is not None:
                self.told.setdefault(event.prospect_id, []).append(event.id)

    # -- record → values ---------------------------------------------------
    def parse(self, url: str, hint: str | None = None) -> Identity:
        """``crm.networks.parse``, asking the record's own network first.

        A file from one network (``hint``) holds that network's URLs: going
        straight to its adapter skips trying every other adapter's checks,
        which matters for 30,000 rows.  Any other URL falls back to the
        registry's own detection.
        """
        networks = self.crm.networks
        if hint is not None and hint in networks:
            try:
                return networks.parse(url, network=hint)
            except SocialCRMError:
                pass
        return networks.parse(url)

    def identities(self, urls: Iterable[str], hint: str | None = None) -> list[Identity]:
        found: list[Identity] = []
        for url in urls:
            if not url or not url.strip():
                continue
            try:
                identity = self.parse(url, hint)
            except InvalidURLError as exc:
                raise _RowError(exc.message, "url") from None
            except SocialCRMError as exc:
                raise _RowError(str(exc), "url") from None
            clash = next((i for i in found if i.network == identity.network), None)
            if clash is not None and clash.key != identity.key:
                raise _RowError(
                    f"two {identity.network} identities ({clash.handle}, {identity.handle})",
                    "url",
                )
            if clash is None:
                found.append(identity)
        return found

    def emails(self, values: Iterable[str]) -> list[str]:
        from socialcrm.crm import normalize_email

        out = []
        for value in values:
            if value and value.strip():
                try:
                    out.append(normalize_email(value))
                except ValidationError as exc:
                    raise _RowError(exc.message, "email") from None
        return out

    def phones(self, values: Iterable[str]) -> list[str]:
        from socialcrm.crm import normalize_phone

        out = []
        for value in values:
            if value and value.strip():
                try:
                    out.append(normalize_phone(value, self.crm.phone_region))
                except ValidationError as exc:
                    raise _RowError(exc.message, "phone") from None
        return out

    # -- matching ------------------------------------------------------------
    def match(
        self,
        index: _Index,
        identities: Sequence[Identity],
        emails: Sequence[str],
        record: ProspectRecord | None,
    ) -> Prospect | None:
        ids: dict[str, None] = {}
        for identity in identities:
            pid = index.by_identity.get(identity.key)
            if pid is not None:
                ids.setdefault(pid, None)
        for email in emails:
            for pid in sorted(index.by_email.get(email.casefold(), ())):
                ids.setdefault(pid, None)
        if not ids and not identities and not emails and record is not None:
            for pid in sorted(index.by_name.get(nfc(record.name).casefold(), ())):
                p = index.prospects[pid]
                same_company = (
                    not record.company
                    or not p.company
                    or (nfc(record.company).casefold() == p.company.casefold())
                )
                same_custom = all(p.custom.get(nfc(k)) == nfc(v) for k, v in record.custom.items())
                if same_company and same_custom:
                    ids.setdefault(pid, None)
        if len(ids) > 1:
            listed = ", ".join(f"{pid} ({index.prospects[pid].name})" for pid in ids)
            raise _RowError(
                f"matches several prospects: {listed}; merge them first ('socialcrm merge')",
                "identity",
            )
        return index.prospects[next(iter(ids))] if ids else None

    # -- prospect records ------------------------------------------------------
    def on_prospect(self, record: ProspectRecord) -> None:
        if _longest(record) > FIELD_LIMIT:
            _check_lengths(
                {
                    "name": record.name,
                    "first_name": record.first_name,
                    "last_name": record.last_name,
                    "company": record.company,
                    "title": record.title,
                    "location": record.location,
                    "notes": record.notes,
                    **{f"custom:{k}": v for k, v in record.custom.items()},
                    **{f"email {n}": v for n, v in enumerate(record.emails, 1)},
                    **{f"url {n}": v for n, v in enumerate(record.urls, 1)},
                    **{f"tag {n}": v for n, v in enumerate(record.tags, 1)},
                }
            )
        name = nfc(record.name or "")
        if not name:
            raise _RowError("no name", "name")
        identities = self.identities(record.urls, record.network)
        emails = self.emails(record.emails)
        phones = self.phones(record.phones)
        index = self.index(self.pipeline_name)
        known = self.match(index, identities, emails, record)
        if known is None:
            self.create(record, name, identities, emails, phones)
            return
        first_row = self.created_at_row.get(known.id)
        if first_row is not None:  # the same person twice in this file
            merged = self.merged(known, record, identities, emails, phones, tags=())
            self.stage(merged)
            self.outcome(
                record.row,
                "skipped",
                f"same person as row {first_row}: details merged into it",
                name=name,
                prospect_id=known.id,
            )
            return
        if not self.update:
            self.outcome(
                record.row,
                "skipped",
                f"already known as {known.id} ({known.name}); use --update to update",
                name=name,
                prospect_id=known.id,
            )
            return
        merged = self.merged(known, record, identities, emails, phones, tags=self.tags)
        changes = _changes(known, merged)
        if not changes:
            self.outcome(record.row, "skipped", "unchanged", name=name, prospect_id=known.id)
            return
        merged, payloads = self.assessed(
            evolve(merged, updated_at=self.now),
            [
                Imported(self.importer.name, self.file_name, record.row, False),
                Edited(changes=changes),
            ],
        )
        self.stage(merged)
        for payload in payloads:
            self.new_event(merged, payload)
        self.outcome(
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
    ) -> None:
        from socialcrm.crm import split_name

        first, last = record.first_name, record.last_name
        if first is None and last is None:
            first, last = _split(name, split_name)
        primary = identities[0] if identities else None
        source = Source(
            network=record.network or (primary.network if primary else None),
            url=primary.url if primary else None,
            collected_at=self.now,
            note=f"imported from {self.file_name} ({self.importer.name}), row {record.row}",
        )
        try:
            prospect = Prospect(
                id=self.crm._new_id(self.now),
                name=name,
                pipeline=self.pipeline_name,
                first_name=first,
                last_name=last,
                title=record.title,
                company=record.company,
                location=record.location,
                emails=emails,
                phones=phones,
                identities=identities,
                tags=[*record.tags, *self.tags],
                notes=record.notes or "",
                custom=dict(record.custom),
                owner=self.crm.actor,
                source=source,
                created_at=self.now,
                updated_at=self.now,
            )
        except (ValueError, TypeError) as exc:
            raise _RowError(str(exc)) from None
        payloads: list[Payload] = [
            Created(stage=prospect.stage, status=prospect.status),
            Imported(self.importer.name, self.file_name, record.row, True),
        ]
        prospect, payloads = self.assessed(prospect, payloads)
        self.stage(prospect)
        self.created_at_row[prospect.id] = record.row
        for payload in payloads:
            self.new_event(prospect, payload)
        self.outcome(record.row, "created", name=prospect.name, prospect_id=prospect.id)

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
        index = self.index(p.pipeline)
        all_identities = list(p.identities)
        for identity in identities:
            current = p.identity(identity.network)
            if current is not None and current.key != identity.key:
                raise _RowError(
                    f"{p.name} ({p.id}) already has {identity.network} identity "
                    f"{current.handle}, the file says {identity.handle}",
                    "url",
                )
            owner = index.by_identity.get(identity.key)
            if owner is not None and owner != p.id:
                raise _RowError(f"{identity.key} belongs to prospect {owner}", "url")
            if current is None:
                all_identities.append(identity)
        changes: dict[str, Any] = {}
        name = nfc(record.name or "")
        if _is_placeholder(p) and name and name != p.name:
            probe = evolve(p, name=name, identities=all_identities)
            if not _is_placeholder(probe):
                changes["name"] = name
                if record.first_name is None and record.last_name is None:
                    from socialcrm.crm import split_name

                    changes["first_name"], changes["last_name"] = _split(name, split_name)
        for attr in ("first_name", "last_name", "title", "company", "location"):
            value = getattr(record, attr)
            if value is not None and nfc(value):
                changes[attr] = value
        if record.notes and nfc(record.notes) and nfc(record.notes) not in p.notes:
            changes["notes"] = (p.notes + "\n\n" + record.notes).strip()
        custom = dict(p.custom)
        custom.update(record.custom)
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
            raise _RowError(str(exc)) from None

    # -- activities --------------------------------------------------------------
    def read_event_keys(self, pid: str) -> None:
        """Put the keys of ``pid``'s stored activities in :attr:`event_keys`, once.

        The first prospects are read one by one.  Past :data:`READ_ONE_BY_ONE`,
        all the pipeline's prospects not read yet are read in one pass, events
        file by events file: reading each prospect apart re-parsed a whole
        events file each time (40 s for 30,000 messages into a 30,000-prospect
        store).
        """
        if pid in self.keys_read or pid in self.created_at_row:
            return
        ids: Iterable[str] = [pid]
        if len(self.keys_read) >= READ_ONE_BY_ONE:
            others = self.target_index(self.pipeline_name).keys
            ids = (
                p
                for p in dict.fromkeys([pid, *others])
                if p not in self.keys_read and p not in self.created_at_row
            )
        for read, events in self.repo.events_for(ids):  # (never kept in a cache)
            self.keys_read.add(read)
            self.event_keys.update(hash((read, *_event_key(e.payload, e.at))) for e in events)

    def lookup(self, url: str | None, hint: str | None = None) -> tuple[_Target | None, bool]:
        """The known prospect behind ``url`` (and whether ``url`` was a valid profile)."""
        if not url or not url.strip():
            return None, False
        try:
            identity = self.parse(url, hint)
        except SocialCRMError:
            return None, False
        return self.target_index(self.pipeline_name).by_identity.get(identity.key), True

    def attach(self, target: _Target, payload: Payload, at: datetime) -> bool:
        """Record ``payload`` on ``target`` unless the same one is already there."""
        self.read_event_keys(target.id)
        # a 64-bit hash, not the key: with 300,000 keys known, a new activity has a
        # 300,000 / 2**64 (~2e-14) chance of being taken for one already imported
        key = hash((target.id, *_event_key(payload, at)))
        if key in self.event_keys:
            return False
        self.event_keys.add(key)
        self.new_event(target, payload, at)
        return True

    def on_activity(self, record: ActivityRecord) -> None:
        _check_lengths({"text": record.text, **{f"url {n}": u for n, u in enumerate(record.urls)}})
        text = nfc(record.text)
        at = record.at or self.now
        if record.kind == "message":
            self.on_message(record, text, at)
            return
        target: _Target | None = None
        valid = 0
        for url in record.urls:
            target, ok = self.lookup(url, record.network)
            valid += ok
            if target is not None:
                break
        if target is None:
            if record.urls and not valid:
                raise _RowError(f"no valid profile URL ({', '.join(record.urls)})", "url")
            self.outcome(record.row, "skipped", "not a known prospect: " + ", ".join(record.urls))
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
            raise _RowError(f"unknown activity kind {record.kind!r}", "kind")
        if not self.attach(target, payload, at):
            self.outcome(
                record.row, "skipped", "already imported", name=target.name, prospect_id=target.id
            )
            return
        self.outcome(
            record.row,
            "attached",
            record.kind.replace("_", " "),
            name=target.name,
            prospect_id=target.id,
        )

    def on_message(self, record: ActivityRecord, text: str, at: datetime) -> None:
        """A message of unknown direction (see :class:`ActivityRecord`)."""
        sender, _ = self.lookup(record.sender, record.network)
        if sender is not None:
            payload: Payload = MessageReceived(text, record.network, record.channel)
            targets = [sender]
            what = "message received"
        elif record.from_rep is False:
            self.outcome(
                record.row, "skipped", "from a third party (neither you nor a known prospect)"
            )
            return
        else:
            found = [self.lookup(url, record.network)[0] for url in record.recipients]
            targets = list({p.id: p for p in found if p is not None}.values())
            if not targets:
                self.outcome(
                    record.row,
                    "skipped",
                    "not a known prospect: " + ", ".join(record.recipients or ("(no recipient)",)),
                )
                return
            payload = MessageSent(text, record.network, record.channel)
            what = "message sent"
        added = [p for p in targets if self.attach(p, payload, at)]
        if not added:
            self.outcome(
                record.row,
                "skipped",
                "already imported",
                name=targets[0].name,
                prospect_id=targets[0].id,
            )
            return
        self.outcome(
            record.row,
            "attached",
            what,
            name=", ".join(p.name for p in added),
            prospect_id=added[0].id,
        )

    # -- socialcrm backups --------------------------------------------------------
    def _pristine(self, pipeline: Pipeline) -> bool:
        """Whether ``pipeline`` was never configured nor used (safe to replace)."""
        return (
            not pipeline.settings
            and not pipeline.description
            and pipeline.name not in self.new_pipelines
            and self.repo.count(pipeline.name) == 0
        )

    def on_stored_pipeline(self, record: StoredPipeline) -> None:
        pipeline = record.pipeline
        existing = self.new_pipelines.get(pipeline.name) or self.repo.get_pipeline(pipeline.name)
        if existing is None:
            self.new_pipelines[pipeline.name] = pipeline
            self.outcome(record.row, "created", f"pipeline {pipeline.name}", name=pipeline.name)
        elif existing == pipeline:
            self.outcome(record.row, "skipped", "pipeline unchanged", name=pipeline.name)
        elif self.update or self._pristine(existing):
            # A pipeline nobody has used yet (e.g. the 'default' one a fresh store
            # creates on first use) takes the backup's settings: restoring into a new
            # store must not silently drop the ICP, sequences or templates.
            self.new_pipelines[pipeline.name] = pipeline
            self.outcome(record.row, "updated", f"pipeline {pipeline.name}", name=pipeline.name)
        else:
            self.outcome(
                record.row,
                "skipped",
                f"pipeline {pipeline.name} already exists; use --update to replace its settings",
                name=pipeline.name,
            )

    def on_stored_setting(self, record: StoredSetting) -> None:
        if record.key == "channel_limits" and not (
            isinstance(record.value, dict)
            and all(
                isinstance(k, str) and type(v) is int and v > 0 for k, v in record.value.items()
            )
        ):
            raise _RowError("channel_limits must map 'network.channel' to a positive number")
        current = self.new_settings.get(record.key, self.repo.get_meta(record.key))
        label = f"setting {record.key}"
        if current is None:
            self.new_settings[record.key] = record.value
            self.outcome(record.row, "created", label, name=record.key)
        elif current == record.value:
            self.outcome(record.row, "skipped", f"{label} unchanged", name=record.key)
        elif self.update:
            self.new_settings[record.key] = record.value
            self.outcome(record.row, "updated", label, name=record.key)
        else:
            self.outcome(
                record.row,
                "skipped",
                f"{label} differs from this store's; use --update to replace it",
                name=record.key,
            )

    def on_stored_prospect(self, record: StoredProspect) -> None:
        p = record.prospect
        if p.pipeline not in self.new_pipelines and self.repo.get_pipeline(p.pipeline) is None:
            raise _RowError(f"unknown pipeline {p.pipeline!r}", "pipeline")
        for event in record.events:
            if event.prospect_id != p.id:
                raise _RowError(f"event {event.id} belongs to {event.prospect_id}", "events")
        index = self.index(p.pipeline)
        current = index.prospects.get(p.id)
        if current is None:
            current = self.match(index, p.identities, p.emails, None)
        if current is None:
            self.stage(p)
            self.created_at_row[p.id] = record.row  # (a second entry for it is refused)
            self.add_events(record.events)
            self.outcome(record.row, "created", name=p.name, prospect_id=p.id)
            return
        if current.id in self.created_at_row:
            raise _RowError(f"same person as row {self.created_at_row[current.id]}", "id")
        ids = self.event_ids.get(current.id)
        if ids is None:
            ids = {e.id for e in self.repo.events(current.id)}
            self.event_ids[current.id] = ids
        missing = [e for e in record.events if e.id not in ids]
        if current.id == p.id and current == p and not missing:
            self.outcome(record.row, "skipped", "unchanged", name=p.name, prospect_id=p.id)
            return
        if not self.update:
            self.outcome(
                record.row,
                "skipped",
                f"already known as {current.id} ({current.name}); use --update to update",
                name=p.name,
                prospect_id=current.id,
            )
            return
        if current.id == p.id:
            self.stage(p)
            ids.update(event.id for event in missing)
            self.add_events(missing)
        else:  # another prospect with the same identity or e-mail: merge the facts
            as_record = ProspectRecord(
                row=record.row,
                name=p.name,
                title=p.title,
                company=p.company,
                location=p.location,
                custom=p.custom,
                tags=p.tags,
            )
            merged = self.merged(current, as_record, p.identities, p.emails, p.phones, tags=())
            self.stage(evolve(merged, updated_at=self.now))
        self.outcome(record.row, "updated", name=p.name, prospect_id=current.id)

    # -- the two phases -------------------------------------------------------------
    def plan(self, items: Iterator[ImportItem]) -> None:
        rows = 0
        for item in items:
            rows += 1
            if self.progress is not None and rows % PROGRESS_EVERY == 0:
                self.progress(rows)
            try:
                if isinstance(item, ProspectRecord):
                    self.on_prospect(item)
                elif isinstance(item, ActivityRecord):
                    self.on_activity(item)
                elif isinstance(item, SkippedRow):
                    self.outcome(item.row, "skipped", item.reason)
                elif isinstance(item, RowProblem):
                    self.outcome(item.row, "invalid", item.reason, field=item.field)
                elif isinstance(item, StoredPipeline):
                    self.on_stored_pipeline(item)
                elif isinstance(item, StoredProspect):
                    self.on_stored_prospect(item)
                elif isinstance(item, StoredSetting):
                    self.on_stored_setting(item)
                else:
                    raise ImportFormatError(
                        f"importer {self.importer.name!r} produced {type(item).__name__}",
                        path=str(self.path),
                    )
            except _RowError as exc:
                name = getattr(item, "name", None)
                self.outcome(
                    item.row,
                    "invalid",
                    exc.reason,
                    field=exc.field,
                    name=name if isinstance(name, str) else None,
                )
            if len(self.events) >= FLUSH_EVENTS:
                self.flush()
        if self.progress is not None:
            self.progress(rows)

    def prospect_after(self, prospect_id: str) -> Prospect | None:
        """``prospect_id`` as the import left it, for ``on_event``.

        Activities attach events to prospects the import did not change: those
        are read back from the store (``None`` only if gone).
        """
        found = self.dirty.get(prospect_id)
        return found if found is not None else self.repo.get(prospect_id)

    def flush(self) -> None:
        """Write the prospects and events planned since the last flush, then forget
        them (a dry run only forgets them).

        Called between rows, so an event's prospect is always written with it or
        before; settings and pipelines are small and rewritten each time.
        """
        if self.writing:
            for key, value in self.new_settings.items():
                self.repo.set_meta(key, value)
            for pipeline in self.new_pipelines.values():
                self.repo.put_pipeline(pipeline)
            put_all(self.repo, self.unwritten.values())
            for event in self.events:
                self.repo.append_event(event)
        self.unwritten.clear()
        self.events.clear()

    def added_events(self) -> Iterator[tuple[str, list[Event]]]:
        """``(prospect id, events)`` the import added, read back from the store
        (for ``on_event``)."""
        if not self.told:
            return
        for pid, events in self.repo.events_for(self.told):
            ids = set(self.told[pid])
            yield pid, [e for e in events if e.id in ids]


def _split(
    name: str, split_name: Callable[[str], tuple[str | None, str | None]]
) -> tuple[str | None, str | None]:
    """First and last name from a display name; "Last, First" is read as such."""
    last, comma, first = name.partition(",")
    if comma and last.strip() and first.strip() and "," not in first:
        return first.strip(), last.strip()
    return split_name(name)


def _is_placeholder(p: Prospect) -> bool:
    """Whether ``p``'s name only stands for an identity (``x:1234567``, ``@zoe.martin``)."""
    return any(
        p.name.casefold() in (i.key, f"{i.network}:{i.handle.removeprefix('id:')}", f"@{i.handle}")
        for i in p.identities
    )


def _longest(record: ProspectRecord) -> int:
    """Length of the record's longest text (a cheap test before naming the culprit)."""
    texts = (
        record.name,
        record.first_name or "",
        record.last_name or "",
        record.company or "",
        record.title or "",
        record.location or "",
        record.notes or "",
        *record.custom.values(),
        *record.emails,
        *record.urls,
        *record.tags,
    )
    return max(map(len, texts))


def _check_lengths(values: Mapping[str, str | None]) -> None:
    """Refuse a field longer than any real export holds (hostile or broken input)."""
    for key, value in values.items():
        if value is not None and len(value) > FIELD_LIMIT:
            raise _RowError(f"{key} is longer than {FIELD_LIMIT} characters", key)


def _folded(values: Iterable[str]) -> set[str]:
    return {v.casefold() for v in values}


def _event_key(payload: Payload, at: datetime) -> tuple[str, str, str]:
    text = getattr(payload, "text", None) or getattr(payload, "type", None) or ""
    return (payload.kind.value, at.isoformat(), str(text))


def _changes(before: Prospect, after: Prospect) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [old, new]}`` (JSON-compatible), for the Edited event."""
    from socialcrm.serialization import prospect_to_dict

    old, new = prospect_to_dict(before), prospect_to_dict(after)
    return {
        key: [old.get(key), new.get(key)]
        for key in sorted(set(old) | set(new))
        if key not in {"updated_at", "v"} and old.get(key) != new.get(key)
    }


def run_import(
    crm: CRM,
    path: Path,
    importer: Importer,
    *,
    dry_run: bool = False,
    tags: Sequence[str] = (),
    update: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` with ``importer`` into ``crm``'s current pipeline.

    Raises :class:`ImportFormatError` (nothing written) when the file cannot
    be read.  Invalid rows are reported and left out; with ``strict=True`` an
    invalid row leaves the whole store unchanged (``report.written`` is
    ``False``).  A dry run plans everything and writes nothing.
    """
    from socialcrm.playbook.icp import Rescored, assess_many

    batch = _Batch(
        crm, path, importer, tags=tags, update=update, dry_run=dry_run, progress=progress
    )
    assessed = Rescored()
    items = importer.read(path, crm.networks)
    if dry_run:
        batch.plan(items)
    else:
        batch.writing = True  # the plan is written as it goes, in this one transaction
        with contextlib.suppress(_RolledBack), crm.repository.transaction():
            crm.init()  # here: an import that fails leaves a new store without a pipeline
            batch.pipeline_name = crm.pipeline_name
            batch.plan(items)
            if strict and batch.report.invalid:
                raise _RolledBack  # what was written so far is undone with the transaction
            batch.flush()
            batch.report.written = True
            assessed = assess_many(crm, batch.unscored())  # the pipeline's ICP score
    batch.report.events = batch.event_count
    limits = batch.new_settings.get("channel_limits") if batch.report.written else None
    if isinstance(limits, dict):  # the CRM read the limits before the import: refresh them
        overrides = crm.networks.limit_overrides
        overrides.clear()
        overrides.update({str(k): int(v) for k, v in limits.items()})
    if batch.report.written:
        # the prospects as scored after the write, else as the import left them
        scored = assessed.told or {}
        for pid, events in batch.added_events():
            found = crm.repository.get(pid) if pid in scored else batch.prospect_after(pid)
            crm._notify(events, found)
        for prospect, events in assessed.read_back(crm):
            crm._notify(events, prospect)
    return batch.report


def resolve_importer(
    crm: CRM, path: Path, format: str = "auto", mapping: Mapping[str, str] | None = None
) -> Importer:
    """The importer for ``format`` (``auto``: detected from the file's content)."""
    from socialcrm.io.generic_csv import GenericCSVImporter

    importers = crm.hooks.importers
    name = (format or "auto").strip().lower()
    if mapping:
        if name not in {"auto", "csv"}:
            raise ValidationError(
                "--map applies to the generic csv format only", field="map", value=format
            )
        return GenericCSVImporter(mapping)
    if name == "auto":
        return detect_format(path, importers)
    found = importers.get(name)
    if found is None:
        known = ", ".join(sorted(importers)) or "none installed"
        raise ValidationError(
            f"unknown import format {format!r}",
            field="format",
            value=format,
            hint=f"known: {known}",
        )
    return found


def import_file(
    crm: CRM,
    path: Path,
    format: str = "auto",
    *,
    dry_run: bool = False,
    tags: Sequence[str] = (),
    update: bool = False,
    strict: bool = False,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Detect or look up the importer, then :func:`run_import` (see the module doc)."""
    path = Path(path)
    if not path.is_file():
        if path.exists():
            raise ImportFormatError("not a regular file", path=str(path))
        raise ImportFormatError("no such file", path=str(path))
    read_head(path)  # fails early, clearly, on an unreadable file
    importer = resolve_importer(crm, path, format, mapping)
    return run_import(
        crm,
        path,
        importer,
        dry_run=dry_run,
        tags=tags,
        update=update,
        strict=strict,
        progress=progress,
    )
