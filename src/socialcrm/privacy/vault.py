"""Where the privacy records of a store live, outside its backups.

A directory store keeps them in ``<store>/privacy/`` (each file 0600, written
atomically): ``key`` (the HMAC key, 32 random bytes), ``suppressed.json``,
``journal.json`` and ``audit.json``.  Backups copy only the manifest and the
data files, so a restore never rolls these back.  Any other repository (SQL,
memory) keeps them as store settings (``get_meta``/``set_meta``: one row
each in the SQL ``meta`` table) — a database dump then holds them too, which is
what the operator backs up with the data.

Callers hold the store's write lock (``crm.recording.transaction()``).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from socialcrm.atomic_files import ensure_dir, write_atomic
from socialcrm.errors import StoreError
from socialcrm.i18n import os_reason
from socialcrm.i18n import text as _
from socialcrm.repository import Repository

__all__ = ["PRIVACY_DIR", "Vault"]

PRIVACY_DIR = "privacy"  # = storage.layout.PRIVACY_DIR (directory inspection tolerates it)
_META = "privacy."


class Vault:
    """The privacy records of ``repository``'s store (see the module documentation)."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository
        path = getattr(repository, "path", None)
        # a directory store (it can rewrite its backups); any other repository,
        # a host's included, keeps the records in its settings
        directory_store = isinstance(path, Path) and hasattr(repository, "rewrite_backups")
        self.directory: Path | None = Path(str(path)) / PRIVACY_DIR if directory_store else None

    def where(self) -> str:
        """Where the records are, for ``doctor`` and the docs."""
        return str(self.directory) if self.directory is not None else "store settings (meta)"

    # -- the key -----------------------------------------------------------------------------
    def key(self, *, create: bool = True) -> bytes | None:
        """The store's HMAC key, created (0600) on first use when ``create``."""
        if self.directory is None:
            value = self.repository.get_meta(_META + "key")
            if value is None and create:
                value = secrets.token_hex(32)
                self.repository.set_meta(_META + "key", value)
            return bytes.fromhex(value) if isinstance(value, str) else None
        path = self.directory / "key"
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        except FileNotFoundError:
            if not create:
                return None
        except (OSError, ValueError) as exc:
            raise StoreError(
                _("unreadable suppression key {path}: {exc}").format(path=path, exc=exc),
                path=str(path),
                hint=_(
                    "restore the file from your copy; without it the "
                    "suppression list cannot be checked"
                ),
            ) from exc
        new = secrets.token_bytes(32)
        self._write(path, new.hex().encode("ascii"))
        return new

    # -- lists of records --------------------------------------------------------------------
    def load(self, name: str) -> list[dict[str, Any]]:
        """The records of list ``name`` (empty if none yet)."""
        if self.directory is None:
            value = self.repository.get_meta(_META + name)
            return list(value) if isinstance(value, list) else []
        path = self.directory / f"{name}.json"
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise StoreError(
                _("unreadable privacy record {path}: {exc}").format(path=path, exc=exc),
                path=str(path),
            ) from exc
        return list(data) if isinstance(data, list) else []

    def save(self, name: str, records: list[dict[str, Any]]) -> None:
        """Replace list ``name`` by ``records``."""
        if self.directory is None:
            self.repository.set_meta(_META + name, records)
            return
        blob = json.dumps(records, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self._write(self.directory / f"{name}.json", blob)

    def _write(self, path: Path, blob: bytes) -> None:
        try:
            assert self.directory is not None
            ensure_dir(self.directory)
            write_atomic(path, blob)
        except OSError as exc:
            raise StoreError(
                _("cannot write {path}: {reason}").format(path=path, reason=os_reason(exc)),
                path=str(path),
            ) from exc

    def files(self) -> list[Path]:
        """The record files (directory stores), for checks and tests."""
        if self.directory is None or not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.is_file())
