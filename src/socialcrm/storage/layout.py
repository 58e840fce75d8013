"""Where each piece of a store lives on disk (see ``docs/storage.md``).

A store is a directory::

    <store>/store.json            the manifest: schema, generation, file map,
                                  pipelines and store settings (the commit point)
    <store>/store.lock            the inter-process lock
    <store>/data/p-STAGE-XX.<gen>.json  prospects at STAGE whose id hashes to XX
    <store>/data/l-XX.<gen>.json  locator: prospect id -> the p- file holding it
    <store>/data/e-XX.<gen>.json  events, grouped by prospect, by hash of its id
    <store>/data/k-XX.<gen>.json  identity and e-mail keys, by hash of the key
    <store>/data/i-XX.<gen>.json  each pipeline's sorted prospect ids, by hash of the id
    <store>/data/s-STAGE-XX.<gen>.json  the summaries (today, board) of p-STAGE-XX's prospects
    <store>/data/r-STAGE-XX.<gen>.json  their journeys (what the reports replay)
    <store>/backups/              rotating backups
    <store>/privacy/              suppression key and list, erasure journal and
                                  audit log (written by socialcrm.privacy; never
                                  in a backup, so a restore cannot roll them back)

Data files are immutable: a commit writes the files it changed under the new
generation's names, then swaps the manifest.  This module only computes names
and shards; it performs no I/O.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BACKUP_DIR",
    "DATA_DIR",
    "DEFAULT_SHARDS",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "PRIVACY_DIR",
    "RETIRED_TABLE",
    "SCHEMA_VERSION",
    "data_file_name",
    "events_file",
    "ids_file",
    "journey_file",
    "key_file",
    "locator_file",
    "parse_backup_name",
    "parse_data_file_name",
    "prospect_file",
    "shard_of",
    "summary_file",
]

#: Version of the on-disk layout.  1: one TinyDB file; 2: sharded, manifest-committed;
#: 3: with each prospect's summary and journey (``s-`` and ``r-`` files,
#: :mod:`socialcrm.storage.summaries`).
SCHEMA_VERSION = 3

MANIFEST_NAME = "store.json"
LOCK_NAME = "store.lock"
DATA_DIR = "data"
BACKUP_DIR = "backups"
PRIVACY_DIR = "privacy"
#: Manifest table naming the data files its commit replaced: the next commit
#: deletes them if they are still there (see ``storage.sweep``).
RETIRED_TABLE = "retired"

#: Shards of each kind of file (stored in the manifest: fixed for a store's life).
DEFAULT_SHARDS = {
    "prospect_shards": 64,  # per stage
    "event_shards": 256,
    "key_shards": 64,
    "locator_shards": 64,
    "id_shards": 32,
}

_DATA_RE = re.compile(
    r"^(?P<logical>[prs]-[a-z]{1,20}-[0-9a-f]{2,4}|[elki]-[0-9a-f]{2,4})\.(?P<gen>[0-9]{6,})\.json$"
)
_BACKUP_RE = re.compile(
    r"^(?P<kind>backup|pre-migrate|pre-restore)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-g(?P<gen>\d+)\.tar\.gz$"
)


def shard_of(key: str, shards: int) -> int:
    """A stable shard number for ``key`` (CRC-32: fast, same on every platform)."""
    return zlib.crc32(key.encode("utf-8")) % shards


def in_file_order(ids: list[str], header: Mapping[str, Any]) -> list[str]:
    """``ids`` grouped by prospect shard, then events shard (``header``: the store's).

    A change to every prospect then reads (and writes) each file while it
    is in the cache, instead of re-reading a 300 KB events file per prospect
    (a rename of 30,000 prospects took minutes in id order).
    """
    prospect_shards, event_shards = header["prospect_shards"], header["event_shards"]
    return sorted(
        ids, key=lambda pid: (shard_of(pid, prospect_shards), shard_of(pid, event_shards))
    )


@functools.lru_cache(maxsize=32)
def _names(kind: str, shards: int) -> tuple[str, ...]:
    width = max(2, len(f"{shards - 1:x}"))
    return tuple(f"{kind}-{n:0{width}x}" for n in range(shards))


def prospect_file(prospect_id: str, stage: str, shards: int) -> str:
    """Logical name of the file holding prospect ``prospect_id`` while at ``stage``.

    Prospects are grouped by stage so that listing one stage reads only that
    stage's files; the locator says which file holds a given id.
    """
    return _names(f"p-{stage}", shards)[shard_of(prospect_id, shards)]


def locator_file(prospect_id: str, shards: int) -> str:
    """Logical name of the locator file that knows where ``prospect_id`` lives."""
    return _names("l", shards)[shard_of(prospect_id, shards)]


def events_file(prospect_id: str, shards: int) -> str:
    """Logical name of the file holding the events of ``prospect_id``."""
    return _names("e", shards)[shard_of(prospect_id, shards)]


def key_file(key: str, shards: int) -> str:
    """Logical name of the file holding index ``key`` (identity or e-mail)."""
    return _names("k", shards)[shard_of(key, shards)]


def ids_file(prospect_id: str, shards: int) -> str:
    """Logical name of the id-list file where ``prospect_id`` is listed."""
    return _names("i", shards)[shard_of(prospect_id, shards)]


def summary_file(prospect_file: str) -> str:
    """Logical name of the file holding the summaries of the prospects in
    ``prospect_file`` (``p-contact-3f`` → ``s-contact-3f``): grouped by stage too,
    so a stage's board or list reads only that stage's summaries."""
    return "s" + prospect_file[1:]


def journey_file(prospect_file: str) -> str:
    """Logical name of the file holding the journeys (what the reports replay) of the
    prospects in ``prospect_file`` (``p-contact-3f`` → ``r-contact-3f``)."""
    return "r" + prospect_file[1:]


def data_file_name(logical: str, generation: int) -> str:
    """Relative path of a data file written at ``generation``."""
    return f"{DATA_DIR}/{logical}.{generation:06d}.json"


def parse_data_file_name(name: str) -> tuple[str, int] | None:
    """``(logical, generation)`` for a data file's base name, ``None`` if not ours."""
    m = _DATA_RE.match(name)
    if m is None:
        return None
    return m["logical"], int(m["gen"])


def parse_backup_name(name: str) -> re.Match[str] | None:
    """The parts (``kind``, ``stamp``, ``gen``) of a backup file's base name, ``None`` if
    not ours."""
    return _BACKUP_RE.match(name)
