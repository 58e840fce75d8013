"""Documents read ahead for a batch of point reads, one file at a time.

A part of :class:`socialcrm.storage.generations.GenerationStore`.  Thousands of
writes in a row (an import) each look up a few documents in index files spread
at random over the store: one by one, that keeps every index file parsed in
the cache (~70 MB at 30,000 prospects) or re-reads a file per lookup.  Read
ahead, each file is parsed once per batch, only the documents asked for are
kept, and the file is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from socialcrm.storage.file_cache import FileCache
from socialcrm.storage.files import Version, file_version_of

__all__ = ["ReadAhead", "Wanted"]

#: Documents to read ahead: ids by table, by logical file.
Wanted = Mapping[str, Mapping[str, Iterable[str]]]
#: Documents by id (``None``: absent from the file), by table.
Documents = dict[str, dict[str, Any]]


class ReadAhead:
    """The documents read ahead, by logical file, with the file version read.

    A document read ahead is used only while its file is still at that version
    (``None``: the file did not exist, so the document was absent).
    """

    def __init__(self) -> None:
        self.kept: dict[str, tuple[Version | None, Documents]] = {}

    def get(self, logical: str, version: Version | None) -> Documents | None:
        """The documents of ``logical`` read ahead from ``version``, if any."""
        ahead = self.kept.get(logical)
        if ahead is None or ahead[0] != version:
            return None
        return ahead[1]

    def read(
        self,
        wanted: Wanted,
        entry_of: Callable[[str], Mapping[str, Any] | None],
        cache: FileCache,
        skip: str,
    ) -> None:
        """Read the stored documents ``wanted[logical][table]`` (ids) now, one file at a
        time, and keep only them; ``entry_of`` gives a file's manifest entry as last
        written; files in ``cache`` (and ``skip``, the manifest's tables) are left out."""
        for logical, tables in wanted.items():
            if logical == skip:
                continue
            entry = entry_of(logical)
            version = file_version_of(entry)
            if version in cache:  # cached already: nothing to gain
                continue
            ahead = self.kept.get(logical)
            if ahead is None or ahead[0] != version:
                ahead = self.kept[logical] = (version, {})
            kept = ahead[1]
            missing = {
                table: [i for i in ids if i not in kept.get(table, {})]
                for table, ids in tables.items()
            }
            if not any(missing.values()):
                continue
            # no file yet: every document is absent (until a spill writes it)
            data = {} if entry is None else cache.load(logical, entry, cache=False)
            for table, ids in missing.items():
                docs = data.get(table, {})
                kept.setdefault(table, {}).update((i, docs.get(i)) for i in ids)
            del data

    def keep(self, logical: str, version: Version | None, documents: Documents) -> None:
        """Go on serving ``documents`` for ``logical`` at ``version`` (a file just written)."""
        self.kept[logical] = (version, documents)

    def drop(self, logical: str) -> None:
        self.kept.pop(logical, None)

    def clear(self) -> None:
        self.kept.clear()
