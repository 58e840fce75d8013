"""The documents that find prospects in the TinyDB store: locators, keys, id lists.

A part of :class:`socialcrm.storage.tinydb.TinyDBRepository`, which keeps the
prospects and events themselves.  Every index is a set of sharded documents
(:mod:`socialcrm.storage.layout` names the shards):

* ``l-XX`` ``locations``: prospect id → the ``p-STAGE-XX`` file holding it;
* ``k-XX`` ``identities``: ``PIPELINE\\tnetwork:handle`` → the one prospect
  owning it; ``emails``: ``PIPELINE\\taddress`` → the prospects having it;
* ``i-XX`` ``pipelines``: each pipeline's sorted prospect ids.

They change only with the prospect they index, in the same transaction
(:meth:`Indexes.rekey`, :meth:`Indexes.unkey`).  No tinydb import: the tables
come from the repository.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from socialcrm.errors import DuplicateIdentityError, StoreCorruptError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.generations import GenerationStore

__all__ = ["DocTable", "Indexes", "email_keys", "identity_keys"]

PROSPECTS, LOCATIONS, IDENTITIES, EMAILS, IDS = (
    "prospects",
    "locations",
    "identities",
    "emails",
    "pipelines",
)


class DocTable(Protocol):
    """One table of one logical file, a document at a time (``StrIdTable``)."""

    def raw(self) -> Mapping[str, Any]: ...

    def doc(self, doc_id: str) -> dict[str, Any] | None: ...

    def set(self, doc_id: str, document: dict[str, Any]) -> None: ...

    def discard(self, doc_id: str) -> None: ...


def identity_keys(doc: Mapping[str, Any]) -> set[str]:
    """The identity index keys of a prospect document."""
    pipeline = doc.get("pipeline", "default")
    return {f"{pipeline}\t{i['network']}:{i['handle']}" for i in doc.get("identities", ())}


def email_keys(doc: Mapping[str, Any]) -> set[str]:
    """The e-mail index keys of a prospect document (addresses case-folded)."""
    pipeline = doc.get("pipeline", "default")
    return {f"{pipeline}\t{e.casefold()}" for e in doc.get("emails", ())}


class Indexes:
    """The index documents of one store, and the shard each document lives in.

    :param engine: the store's files (shard counts come from its manifest).
    :param tables: the table ``name`` of a logical file.
    """

    def __init__(self, engine: GenerationStore, tables: Callable[[str, str], DocTable]) -> None:
        self._engine = engine
        self._tables = tables

    # ------------------------------------------------------------------ shards
    def prospect_file(self, prospect_id: str, stage: str) -> str:
        return layout.prospect_file(prospect_id, stage, self._engine.header["prospect_shards"])

    def locator_file(self, prospect_id: str) -> str:
        return layout.locator_file(prospect_id, self._engine.header["locator_shards"])

    def events_file(self, prospect_id: str) -> str:
        return layout.events_file(prospect_id, self._engine.header["event_shards"])

    def key_file(self, key: str) -> str:
        return layout.key_file(key, self._engine.header["key_shards"])

    def ids_file(self, prospect_id: str) -> str:
        return layout.ids_file(prospect_id, self._engine.header["id_shards"])

    # ------------------------------------------------------------------ locators
    def locate(self, prospect_id: str) -> str | None:
        """The logical file holding ``prospect_id``, from its locator shard."""
        found = self._tables(self.locator_file(prospect_id), LOCATIONS).doc(prospect_id)
        return None if found is None else str(found["file"])

    def located(self, prospect_id: str) -> tuple[str, dict[str, Any]] | None:
        """``(logical file, raw document)`` of a prospect, or ``None``."""
        logical = self.locate(prospect_id)
        if logical is None:
            return None
        doc = self._tables(logical, PROSPECTS).doc(prospect_id)
        if doc is None:
            raise StoreCorruptError(
                path=self._engine.where(logical),
                detail=_("prospect {prospect_id} is listed in {locator} but missing here").format(
                    prospect_id=prospect_id, locator=self.locator_file(prospect_id)
                ),
            )
        return logical, doc

    def relocate(self, prospect_id: str, logical: str) -> None:
        self._tables(self.locator_file(prospect_id), LOCATIONS).set(prospect_id, {"file": logical})

    # ------------------------------------------------------------------ id lists
    def id_lists(self, pipeline: str) -> list[list[str]]:
        """The sorted id lists of ``pipeline``, one per id shard (read-only)."""
        lists = []
        for logical in self._engine.logicals("i-"):
            doc = self._tables(logical, IDS).doc(pipeline)
            if doc is not None:
                lists.append(doc["ids"])
        return lists

    def ids_in(self, pipeline: str) -> list[str]:
        """Sorted ids of ``pipeline``'s prospects."""
        return sorted(pid for ids in self.id_lists(pipeline) for pid in ids)

    def pipelines_with_prospects(self) -> set[str]:
        return {
            name
            for logical in self._engine.logicals("i-")
            for name, doc in self._tables(logical, IDS).raw().items()
            if doc.get("ids")
        }

    def _index_id(self, pipeline: str, pid: str) -> None:
        # without reading the list: a million-prospect import never holds them all
        self._engine.insert_item(self.ids_file(pid), IDS, pipeline, "ids", pid)

    def _unindex_id(self, pipeline: str, pid: str) -> None:
        logical = self.ids_file(pid)
        doc = self._engine.own(logical, IDS, pipeline)
        if doc is None:
            return
        ids: list[str] = doc["ids"]
        i = bisect_left(ids, pid)
        if i < len(ids) and ids[i] == pid:
            del ids[i]
        if not ids:
            self._tables(logical, IDS).discard(pipeline)

    # ------------------------------------------------------------------ keys
    def owner(self, key: str) -> str | None:
        """The prospect owning an identity key (``PIPELINE\\tnetwork:handle``)."""
        found = self._tables(self.key_file(key), IDENTITIES).doc(key)
        return None if found is None else str(found["id"])

    def with_email(self, key: str) -> list[str]:
        """The prospects having an e-mail key (``PIPELINE\\taddress``), sorted."""
        found = self._tables(self.key_file(key), EMAILS).doc(key)
        return [] if found is None else sorted(found["ids"])

    def check_identities(self, pid: str, doc: Mapping[str, Any]) -> None:
        """Refuse a prospect document whose identity another prospect owns."""
        for key in sorted(identity_keys(doc)):
            owner = self.owner(key)
            if owner is not None and owner != pid:
                raise DuplicateIdentityError(key.split("\t", 1)[1], owner, str(doc["pipeline"]))

    def rekey(self, pid: str, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Make the identity, e-mail and id-list documents follow a prospect's new
        document (``old``: the stored one, or ``None`` for a new prospect)."""
        new_identities, new_emails = identity_keys(new), email_keys(new)
        old_identities = identity_keys(old) if old else set()
        old_emails = email_keys(old) if old else set()
        for key in old_identities - new_identities:
            self._tables(self.key_file(key), IDENTITIES).discard(key)
        for key in new_identities - old_identities:
            self._tables(self.key_file(key), IDENTITIES).set(key, {"id": pid})
        for key in old_emails - new_emails:
            self._unlink_email(key, pid)
        for key in new_emails - old_emails:
            table = self._tables(self.key_file(key), EMAILS)
            found = table.doc(key)
            owners = set(found["ids"]) if found else set()
            table.set(key, {"ids": sorted(owners | {pid})})
        if old is None or old.get("pipeline") != new.get("pipeline"):
            if old is not None:
                self._unindex_id(str(old.get("pipeline")), pid)
            self._index_id(str(new.get("pipeline")), pid)

    def unkey(self, pid: str, old: Mapping[str, Any]) -> None:
        """Remove a deleted prospect (stored document ``old``) from every index."""
        for key in identity_keys(old):
            self._tables(self.key_file(key), IDENTITIES).discard(key)
        for key in email_keys(old):
            self._unlink_email(key, pid)
        self._unindex_id(str(old.get("pipeline")), pid)
        self._tables(self.locator_file(pid), LOCATIONS).discard(pid)

    def _unlink_email(self, key: str, pid: str) -> None:
        table = self._tables(self.key_file(key), EMAILS)
        found = table.doc(key)
        if found is None:
            return
        owners = [o for o in found["ids"] if o != pid]
        if owners:
            table.set(key, {"ids": owners})
        else:
            table.discard(key)

    def wanted_by(self, pid: str, docs: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
        """``(logical, table, doc id)`` of the index documents writing ``docs`` (a
        prospect's new and stored documents) reads: to read them ahead."""
        wanted = []
        docs = list(docs)
        for d in docs:
            wanted += [(self.key_file(k), IDENTITIES, k) for k in identity_keys(d)]
            wanted += [(self.key_file(k), EMAILS, k) for k in email_keys(d)]
        # the id list is read only to leave it (adding an id does not read it)
        if len(docs) > 1 and docs[0].get("pipeline") != docs[1].get("pipeline"):
            wanted.append((self.ids_file(pid), IDS, str(docs[1].get("pipeline"))))
        return wanted
