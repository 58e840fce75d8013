"""What a transaction has changed so far: the changed documents only, kept packed.

A transaction used to copy every data file it touched and keep the copies
parsed until its commit.  Parsed JSON takes about six times its size on disk,
so a command touching the whole store (an import of 30,000 rows, a pipeline
rename) held the whole store in memory: 240-590 MB at 30,000 prospects.  Here a
transaction keeps, per file, only the documents it changed, each packed as
JSON bytes (its size on disk); an event added to a prospect is kept alone, not
with the events already stored.  The repository merges these changes with the
stored files when it reads, and when it writes a file (at the commit, or
earlier when :attr:`Pending.size` passes its budget: see
:mod:`socialcrm.storage.generations`).

This module does no I/O: the repository hands it each stored file's content.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import orjson

from socialcrm.storage.files import Tables, encode_tables

__all__ = ["DELETED", "Appended", "Change", "Inserted", "Pending"]

#: Estimated bytes a change costs beyond its packed JSON (dict slot, key, object headers).
ENTRY_OVERHEAD: Final = 100


class _Deleted:
    """The marker of a document removed by the transaction."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DELETED"


DELETED: Final = _Deleted()


class Appended:
    """Items to add at the end of a stored document's list ``field`` (events).

    Adding one event to a prospect thus never reads nor copies the events
    already stored: they are joined with these only when the file is written.
    """

    __slots__ = ("field", "items")

    def __init__(self, field: str) -> None:
        self.field = field
        self.items: list[bytes] = []

    def onto(
        self, stored: Mapping[str, Any] | None, unpack: Callable[[bytes], Any]
    ) -> dict[str, Any]:
        """The whole document: ``stored`` (or a new one) with the items at the end."""
        doc = dict(stored) if stored is not None else {}
        doc[self.field] = [*doc.get(self.field, ()), *map(unpack, self.items)]
        return doc


class Inserted:
    """Ids to add to a stored document's sorted list ``field`` (a pipeline's ids).

    An import adding a million prospects thus never holds the pipeline's id
    lists (about 75 MB of strings): only the new ids, merged into the stored
    list when the file is written or read.
    """

    __slots__ = ("field", "items")

    def __init__(self, field: str) -> None:
        self.field = field
        self.items: set[str] = set()

    def onto(
        self, stored: Mapping[str, Any] | None, unpack: Callable[[bytes], Any]
    ) -> dict[str, Any]:
        """The whole document: ``stored`` (or a new one) with the ids in, sorted, once."""
        del unpack  # nothing packed: the ids are plain strings
        doc = dict(stored) if stored is not None else {}
        doc[self.field] = sorted({*doc.get(self.field, ()), *self.items})
        return doc


#: A change to one document: packed JSON (a new content), a live dict (changed
#: in place), :data:`DELETED`, :class:`Appended` items or :class:`Inserted` ids.
Change = bytes | dict[str, Any] | Appended | Inserted | _Deleted
#: The changes that extend the stored document (which must be read to resolve them).
EXTENSIONS = (Appended, Inserted)


def _pack(doc: Any) -> bytes:
    """``doc`` as the JSON a data file holds (StoreError now if it is not JSON-compatible).

    Copied to an exact-size object: orjson's own result keeps its whole output
    buffer (4 KB for a 40-byte document), which made a 30,000-row import hold
    hundreds of MB.
    """
    return memoryview(encode_tables(doc)).tobytes()


class Pending:
    """The changes of one transaction, by logical file, table and document id."""

    def __init__(self) -> None:
        self._changes: dict[str, dict[str, dict[str, Change]]] = {}
        #: Estimated bytes held (packed sizes plus :data:`ENTRY_OVERHEAD` each).
        self.size = 0

    def __bool__(self) -> bool:
        return bool(self._changes)

    def __contains__(self, logical: object) -> bool:
        return logical in self._changes

    def logicals(self) -> Iterator[str]:
        """The files with changes (a copy: the caller may pop them)."""
        return iter(list(self._changes))

    def get(self, logical: str, table: str, doc_id: str) -> Change | None:
        """This transaction's change to one document, or ``None`` if untouched."""
        tables = self._changes.get(logical)
        if tables is None:
            return None
        docs = tables.get(table)
        return None if docs is None else docs.get(doc_id)

    def _docs(self, logical: str, table: str) -> dict[str, Change]:
        return self._changes.setdefault(logical, {}).setdefault(table, {})

    def _cost(self, change: Change | None) -> int:
        if change is None:
            return 0
        if isinstance(change, bytes):
            return len(change) + ENTRY_OVERHEAD
        if isinstance(change, EXTENSIONS):
            return sum(map(len, change.items)) + ENTRY_OVERHEAD * (1 + len(change.items))
        return ENTRY_OVERHEAD

    def _put(self, logical: str, table: str, doc_id: str, change: Change) -> None:
        docs = self._docs(logical, table)
        self.size += self._cost(change) - self._cost(docs.get(doc_id))
        docs[doc_id] = change

    def set(self, logical: str, table: str, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Replace a whole document (packed now: a value that is not JSON fails here)."""
        self._put(logical, table, doc_id, _pack(doc))

    def delete(self, logical: str, table: str, doc_id: str) -> None:
        self._put(logical, table, doc_id, DELETED)

    def keep_live(self, logical: str, table: str, doc_id: str, doc: dict[str, Any]) -> None:
        """Hold ``doc`` unpacked: the caller changes it in place (O(1) per change).

        Only for small documents changed often (a shard's sorted id list): a live
        document counts :data:`ENTRY_OVERHEAD` in :attr:`size` whatever it holds.
        """
        self._put(logical, table, doc_id, doc)

    def append(self, logical: str, table: str, doc_id: str, field: str, item: Any) -> None:
        """Add ``item`` at the end of the document's list ``field``."""
        packed = _pack(item)
        docs = self._docs(logical, table)
        change = docs.get(doc_id)
        if change is None:
            change = Appended(field)
            docs[doc_id] = change
            self.size += ENTRY_OVERHEAD
        if isinstance(change, Appended):
            if change.field != field:
                raise ValueError(f"items already added to {change.field!r}, not {field!r}")
            change.items.append(packed)
            self.size += len(packed) + ENTRY_OVERHEAD
            return
        if isinstance(change, Inserted):
            raise ValueError(f"ids already added to {change.field!r}, not items to {field!r}")
        # the document was replaced or removed in this transaction: extend its new content
        current = resolve(change, None)
        doc = dict(current) if current is not None else {}
        doc[field] = [*doc.get(field, ()), orjson.loads(packed)]
        if isinstance(change, dict):
            change.clear()
            change.update(doc)  # a live document stays the same object
        else:
            self.set(logical, table, doc_id, doc)

    def insert(self, logical: str, table: str, doc_id: str, field: str, item: str) -> None:
        """Add ``item`` to the document's sorted list ``field`` (no duplicate)."""
        docs = self._docs(logical, table)
        change = docs.get(doc_id)
        if change is None:
            change = Inserted(field)
            docs[doc_id] = change
            self.size += ENTRY_OVERHEAD
        if isinstance(change, Inserted) and change.field == field:
            if item not in change.items:
                change.items.add(item)
                self.size += len(item) + ENTRY_OVERHEAD
            return
        if isinstance(change, dict):  # live: changed in place
            ids: list[str] = change.setdefault(field, [])
            i = bisect_left(ids, item)
            if i == len(ids) or ids[i] != item:
                ids.insert(i, item)
            return
        if isinstance(change, EXTENSIONS):  # events appended, or ids of another list
            raise ValueError(f"{doc_id!r} already extended in {change.field!r}, not {field!r}")
        current = resolve(change, None)  # replaced or removed in this transaction
        doc = dict(current) if current is not None else {}
        doc[field] = sorted({*doc.get(field, ()), item})
        self.set(logical, table, doc_id, doc)

    def pop(self, logical: str) -> dict[str, dict[str, Change]]:
        """Take a file's changes out (it is being written); :attr:`size` drops accordingly."""
        tables = self._changes.pop(logical, {})
        for docs in tables.values():
            self.size -= sum(map(self._cost, docs.values()))
        if not self._changes:
            self.size = 0
        return tables

    def view(self, logical: str, stored: Tables) -> Tables:
        """The file as this transaction sees it (new dicts: safe to read, not to keep)."""
        return _merged(stored, self._changes.get(logical, {}), orjson.loads)


def resolve(
    change: Change, stored: Mapping[str, Any] | None, unpack: Callable[[bytes], Any] = orjson.loads
) -> Any:
    """One document from its change and its stored version (``None``: removed).

    ``unpack`` turns packed JSON into the document: parsed for reading, an
    :class:`orjson.Fragment` for writing.
    """
    if isinstance(change, bytes):
        return unpack(change)
    if isinstance(change, dict):
        return change
    if isinstance(change, EXTENSIONS):
        return change.onto(stored, unpack)
    return None


def merged_for_writing(stored: Tables, changes: Mapping[str, Mapping[str, Change]]) -> Tables:
    """A file's new content, ready for :func:`~socialcrm.storage.files.encode_tables`.

    Packed documents go in as :class:`orjson.Fragment`: they are copied into
    the output as they are, never parsed again.  ``stored`` is not modified.
    """
    return _merged(stored, changes, orjson.Fragment)


def _merged(
    stored: Tables,
    changes: Mapping[str, Mapping[str, Change]],
    unpack: Callable[[bytes], Any],
) -> Tables:
    """``stored`` (copied, not modified) with ``changes`` applied; empty tables dropped."""
    out = {name: dict(docs) for name, docs in stored.items()}
    for name, docs in changes.items():
        table = out.setdefault(name, {})
        for doc_id, change in docs.items():
            doc = resolve(change, table.get(doc_id), unpack)
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc
    return {name: docs for name, docs in out.items() if docs}
