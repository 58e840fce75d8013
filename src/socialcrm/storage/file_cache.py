"""Parsed data files kept in memory, verified once, bounded by their size on disk.

A part of :class:`socialcrm.storage.generations.GenerationStore`.  Data files
are immutable (a commit writes a new generation under a new name), so a
parsed file stays true for as long as its manifest entry — path, size and
CRC-32, its :data:`~socialcrm.storage.files.Version` — is current: the cache
is keyed by that version and never needs invalidating, only bounding.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from socialcrm.storage.files import Tables, Version, file_version, read_listed_file

__all__ = ["FileCache"]


class FileCache:
    """Parsed, verified data files by version, least recently used first out.

    :param store: the store directory (entries' paths are relative to it).
    :param limit: bytes on disk the cached files may add up to (parsed, a file
        takes ~6 times more); a file larger than that is never kept.
    """

    def __init__(self, store: Path, limit: int) -> None:
        self.store = store
        self.limit = limit
        #: parsed files, oldest use first
        self.files: OrderedDict[Version, Tables] = OrderedDict()
        #: the cached files' size on disk, in bytes
        self.size = 0

    def __contains__(self, version: object) -> bool:
        return version in self.files

    def load(self, logical: str, entry: Mapping[str, Any], *, cache: bool = True) -> Tables:
        """The parsed content of a committed data file, verified against its entry.

        ``cache=False`` (whole-store reads, reading ahead) reads a file that is
        not cached without keeping it.
        """
        key = file_version(entry)
        found = self.files.get(key)
        if found is not None:  # only verified files are ever cached
            self.files.move_to_end(key)
            return found
        _raw, data = read_listed_file(self.store, logical, entry)
        del _raw
        if cache:
            self._remember(key, data)
        return data

    def _remember(self, key: Version, data: Tables) -> None:
        if key in self.files or key[1] > self.limit:
            return
        self.files[key] = data
        self.size += key[1]
        while self.size > self.limit:
            old, _ = self.files.popitem(last=False)
            self.size -= old[1]

    def forget(self, entry: Mapping[str, Any] | None) -> None:
        """Drop a file's parsed content, if cached (a version no longer current)."""
        if entry is not None:
            key = file_version(entry)
            if self.files.pop(key, None) is not None:
                self.size -= key[1]

    def clear(self) -> None:
        self.files.clear()
        self.size = 0
