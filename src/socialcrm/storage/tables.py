"""TinyDB over the store's files: the only module of socialcrm importing tinydb.

Every data file of a store is a TinyDB database (``{table: {doc id:
document}}``).  :class:`OrjsonStorage` and :class:`StoreDB` open one on its
own (to inspect it); :class:`EngineTables` gives the repository a TinyDB table
over each logical file of a :class:`~socialcrm.storage.generations.GenerationStore`,
read through the current transaction and written one document at a time
into its changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from socialcrm.atomic_files import write_atomic
from socialcrm.storage.files import Tables, decode_tables, encode_tables
from socialcrm.storage.generations import GenerationStore

__all__ = ["EngineTables", "OrjsonStorage", "StoreDB", "StrIdTable"]


class OrjsonStorage(Storage):
    """A TinyDB storage that never leaves a torn file: orjson + atomic replace, mode 0600.

    Usable on its own: ``TinyDB(path, storage=OrjsonStorage)`` (e.g. to inspect
    one data file of a store).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def read(self) -> Tables | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return decode_tables(raw, self.path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, encode_tables(data))


class _EngineStorage(Storage):
    """A TinyDB storage over one logical file of an engine's current transaction.

    Reads see the stored file with this transaction's changes; writes become
    changes of single documents (see :mod:`socialcrm.storage.pending`), which
    the engine writes at the commit.
    """

    def __init__(self, engine: GenerationStore, logical: str) -> None:
        self._engine = engine
        self._logical = logical

    def read(self) -> Tables:
        return self._engine.view(self._logical)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._engine.replace_file(self._logical, data)

    def doc(self, table: str, doc_id: str) -> dict[str, Any] | None:
        return self._engine.doc(self._logical, table, doc_id)

    def set(self, table: str, doc_id: str, document: dict[str, Any]) -> None:
        self._engine.set_doc(self._logical, table, doc_id, document)

    def discard(self, table: str, doc_id: str) -> None:
        self._engine.discard_doc(self._logical, table, doc_id)


class StrIdTable(Table):
    """A TinyDB table keyed by our own string ids, read and written one document at a time.

    TinyDB's ``_update_table`` rebuilds the whole table on each write to
    convert ids; with string ids no conversion is needed.  Over an engine,
    ``doc``/``set``/``discard`` touch one document of the transaction's
    changes; TinyDB's own write methods still work, on a private copy.
    """

    document_id_class = str  # type: ignore[assignment]

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        storage = self.storage
        tables = storage.read() or {}
        if isinstance(storage, _EngineStorage):  # TinyDB changes documents in place
            tables = orjson.loads(encode_tables(tables))
        updater(tables.setdefault(self.name, {}))
        storage.write(tables)
        self.clear_cache()

    def raw(self) -> Mapping[str, Any]:
        """The table's documents by id, read-only (for scans)."""
        return self._read_table()

    def doc(self, doc_id: str) -> dict[str, Any] | None:
        """One raw document, read-only, or ``None``."""
        storage = self.storage
        if isinstance(storage, _EngineStorage):
            return storage.doc(self.name, doc_id)
        found = self._read_table().get(doc_id)
        return None if found is None else dict(found)

    def set(self, doc_id: str, document: dict[str, Any]) -> None:
        """Insert or replace a whole document."""
        storage = self.storage
        if isinstance(storage, _EngineStorage):
            storage.set(self.name, doc_id, document)
            self.clear_cache()
        else:
            self._update_table(lambda table: table.__setitem__(doc_id, document))

    def discard(self, doc_id: str) -> None:
        """Remove a document if present."""
        storage = self.storage
        if isinstance(storage, _EngineStorage):
            storage.discard(self.name, doc_id)
            self.clear_cache()
        elif doc_id in self._read_table():
            self._update_table(lambda table: table.pop(doc_id, None))


class StoreDB(TinyDB):
    """TinyDB with our string document ids: ``StoreDB(path, storage=OrjsonStorage)``
    opens any data file of a store for inspection."""

    table_class = StrIdTable


class EngineTables:
    """A TinyDB over each logical file of an engine, made on first use."""

    def __init__(self, engine: GenerationStore) -> None:
        self._engine = engine
        self._dbs: dict[str, TinyDB] = {}

    def __call__(self, logical: str, name: str) -> StrIdTable:
        db = self._dbs.get(logical)
        if db is None:
            db = StoreDB(storage=_EngineStorage, engine=self._engine, logical=logical)
            self._dbs[logical] = db
        table = db.table(name)
        assert isinstance(table, StrIdTable)
        return table

    def clear(self) -> None:
        self._dbs.clear()
