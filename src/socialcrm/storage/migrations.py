"""Upgrading a store written by an older socialcrm, atomically and after a backup.

Schema history (``store.json`` → ``store`` record → ``schema``):

1. one TinyDB file ``store.json`` holding every table (``prospects`` keyed by
   id, ``events`` keyed by event id, ``pipelines``, ``meta``): simple, but each
   command parsed and rewrote the whole store.
2. the sharded layout of :mod:`socialcrm.storage.layout`, committed through
   the manifest.
3. the same, with each prospect's summary (``s-`` files): the migration keeps
   every data file and adds the summaries, computed from the records and events.

A migration runs under the store's lock, first writes a ``pre-migrate`` backup,
then builds the new layout in memory and commits it like any transaction: the
new data files are written, then the manifest replaces ``store.json`` in one
``os.replace``.  A crash before that leaves the old store as it was, and the
files written so far unlisted: the backup of the next attempt saves them (with
any other data file an older-schema store's manifest cannot list), and that
attempt's manifest retires them, so that its sweep deletes them (or, if it is
killed before, the next commit's).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from socialcrm.errors import SocialCRMError, StoreCorruptError
from socialcrm.i18n import text as _
from socialcrm.serialization import event_from_dict, pipeline_from_dict, prospect_from_dict

if TYPE_CHECKING:
    from socialcrm.models import Event, Pipeline, Prospect
    from socialcrm.storage.files import Tables
    from socialcrm.storage.generations import GenerationStore

__all__ = ["MIGRATIONS", "Migratable", "migrate"]


class Migratable(Protocol):
    """What a migration needs of the directory store (its repository, without importing it)."""

    path: Path
    engine: GenerationStore

    def put_pipeline(self, pipeline: Pipeline) -> None: ...
    def set_meta(self, key: str, value: Any) -> None: ...
    def put(self, prospect: Prospect) -> None: ...
    def append_event(self, event: Event) -> None: ...
    def rebuild_summaries(self) -> int: ...


def _from_v1(repository: Migratable, old: Tables, manifest_path: Path) -> None:
    """Replay a single-file store into the (empty, buffered) sharded layout."""
    try:
        for doc in old.get("pipelines", {}).values():
            repository.put_pipeline(pipeline_from_dict(doc))
        for key, doc in old.get("meta", {}).items():
            repository.set_meta(key, doc.get("value"))
        for doc in old.get("prospects", {}).values():
            repository.put(prospect_from_dict(doc))
        for doc in old.get("events", {}).values():
            repository.append_event(event_from_dict(doc))
    except SocialCRMError as exc:
        raise StoreCorruptError(
            path=str(manifest_path),
            detail=_("cannot migrate from schema 1: {message}").format(message=exc.message),
        ) from None


def _from_v2(repository: Migratable, old: Tables, manifest_path: Path) -> None:
    """Add each prospect's summary (``s-`` files) to a sharded store; its files stay."""
    try:
        repository.rebuild_summaries()
    except SocialCRMError as exc:
        raise StoreCorruptError(
            path=str(manifest_path),
            detail=_("cannot migrate from schema 2: {message}").format(message=exc.message),
        ) from None


#: ``version → function`` upgrading a store of that version to the current one.
MIGRATIONS: dict[int, Callable[[Migratable, Any, Path], None]] = {1: _from_v1, 2: _from_v2}
#: Versions whose data files the migration keeps (it only adds files).
_KEEPS_FILES = frozenset({2})


def migrate(repository: Migratable, old: Tables) -> None:
    """Back up, then rewrite ``repository`` (whose lock the caller holds) to the current schema."""
    from socialcrm.storage.backups import make_backup, unlisted_data_files
    from socialcrm.storage.files import manifest_header
    from socialcrm.storage.sweep import highest_generation

    path = repository.engine.head.manifest_path
    version = manifest_header(old, path)["schema"]
    step = MIGRATIONS.get(version)
    if step is None:
        raise StoreCorruptError(
            path=str(path), detail=_("unknown schema version {version}").format(version=version)
        )
    keep = old if version in _KEEPS_FILES else None
    files = old.get("files") if keep else None
    entries = files.values() if isinstance(files, dict) else ()
    listed = {str(e.get("path")) for e in entries if isinstance(e, dict)}
    saved = unlisted_data_files(repository.path, listed)  # the backup keeps them: see above
    make_backup(repository.path, kind="pre-migrate", _locked=True)
    repository.engine.rebuild(
        # above any data file already there (none, unless the directory held a
        # newer store once): the commit then neither overwrites nor sweeps one of them
        highest_generation(repository.path),
        # retired: deleted by the commit's sweep (and what the old manifest retired)
        {rel for rel, _path in saved} | set(old.get("retired", {}) if keep else ()),
        lambda: step(repository, old, path),
        keep,
    )
