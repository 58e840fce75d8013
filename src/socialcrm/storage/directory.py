"""What a directory given as a store is, decided before anything is written to it.

A store is recognised by its manifest (``store.json``).  Without one, a
directory is one of:

* **empty**: nothing in it but what socialcrm creates before the first commit
  (the lock file, an empty ``data/`` or ``backups/``, temporary files of an
  interrupted first write): a new store;
* **orphaned**: socialcrm data files (``data/*.NNNNNN.json``) or backups
  without the manifest that lists them — the manifest was deleted or lost.
  Only ``doctor`` and ``restore`` work on it: opening it as a new store would
  show it empty and commit a manifest that does not list its files;
* **foreign**: anything else in it (``--db ~/Documents``): not a store, and
  never made into one.

A new store's first commit writes an empty manifest before any data file
(:meth:`GenerationStore._mark_as_store`), so an interrupted first commit
leaves an empty store, never an orphaned one: data files without a manifest
always mean a lost manifest.

Only names are looked at (one directory listing each of the store, ``data/``
and ``backups/``), and only when there is no manifest.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from pathlib import Path

from socialcrm.atomic_files import temp_target
from socialcrm.errors import StoreError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.problems import foreign_directory_error, io_error, no_manifest_error

__all__ = [
    "DirectoryKind",
    "Inspection",
    "inspect_directory",
    "refuse_unless_store",
    "refuse_unless_usable",
]


class DirectoryKind(enum.Enum):
    MISSING = "missing"
    NOT_A_DIRECTORY = "not-a-directory"
    EMPTY = "empty"
    STORE = "store"
    ORPHANED = "orphaned"
    FOREIGN = "foreign"


class Inspection:
    """What :func:`inspect_directory` found; ``example``: an entry that decided it
    (the first data file or backup of an orphaned store, the first foreign entry);
    ``restorable``: how many of an orphaned store's backups ``restore`` would pick
    (pre-restore copies aside).

    A plain class: every command imports this module, and an attrs class costs
    about a millisecond to create.
    """

    __slots__ = ("artefacts", "example", "kind", "restorable")

    def __init__(
        self,
        kind: DirectoryKind,
        example: Path | None = None,
        artefacts: int = 0,
        restorable: int = 0,
    ) -> None:
        self.kind = kind
        self.example = example
        self.artefacts = artefacts
        self.restorable = restorable


def _entries(path: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise io_error(exc, path, "list") from exc


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


#: How a file written in each subdirectory is named (``None``: not ours).
_NAMING: dict[str, Callable[[str], object]] = {
    layout.DATA_DIR: layout.parse_data_file_name,
    layout.BACKUP_DIR: layout.parse_backup_name,
}


def _ours(entry: os.DirEntry[str], parse: Callable[[str], object]) -> bool:
    """A file socialcrm wrote in ``data/`` or ``backups/``, or its temporary file."""
    target = temp_target(entry.name)
    return not _is_dir(entry) and (
        parse(entry.name) is not None or (target is not None and parse(target) is not None)
    )


def inspect_directory(path: Path) -> Inspection:
    """Classify ``path`` as a store location (see the module's docstring).

    Raises :class:`StoreError` naming the directory if it cannot be listed.
    """
    try:
        if not path.exists():
            return Inspection(DirectoryKind.MISSING)
        if not path.is_dir():
            return Inspection(DirectoryKind.NOT_A_DIRECTORY)
        if (path / layout.MANIFEST_NAME).exists():
            return Inspection(DirectoryKind.STORE)
    except OSError as exc:  # pragma: no cover - stat errors other than "missing" are rare
        raise io_error(exc, path, "inspect") from exc
    artefacts: list[Path] = []
    foreign: list[Path] = []
    for entry in _entries(path):
        parse = _NAMING.get(entry.name)
        if parse is not None and _is_dir(entry):
            for child in _entries(Path(entry.path)):
                if not _ours(child, parse):
                    foreign.append(Path(child.path))
                elif temp_target(child.name) is None:
                    artefacts.append(Path(child.path))
        elif (
            entry.name not in (layout.LOCK_NAME, layout.PRIVACY_DIR)
            and temp_target(entry.name) != layout.MANIFEST_NAME
        ):
            foreign.append(Path(entry.path))
    if (artefacts or foreign) and (path / layout.MANIFEST_NAME).exists():
        # another process made this a store while it was listed (its first commit
        # writes the manifest, then data files): what was seen is that store's
        return Inspection(DirectoryKind.STORE)
    if artefacts:
        restorable = sum(
            1
            for a in artefacts
            if a.parent.name == layout.BACKUP_DIR and not a.name.startswith("pre-restore-")
        )
        example = min(artefacts, key=lambda a: a.parent.name != layout.DATA_DIR)  # data first
        return Inspection(DirectoryKind.ORPHANED, example, len(artefacts), restorable)
    if foreign:
        return Inspection(DirectoryKind.FOREIGN, foreign[0])
    return Inspection(DirectoryKind.EMPTY)


def refuse_unless_usable(path: Path, found: Inspection | None = None) -> Inspection:
    """``found`` (or a fresh inspection of ``path``), unless it is a directory that
    must not be opened as a store: raises for an orphaned or a foreign one."""
    found = inspect_directory(path) if found is None else found
    if found.kind is DirectoryKind.ORPHANED:
        raise no_manifest_error(path, found.example, found.restorable)
    if found.kind is DirectoryKind.FOREIGN:
        raise foreign_directory_error(path, found.example)
    if found.kind is DirectoryKind.NOT_A_DIRECTORY:
        raise StoreError(
            _("{path} is not a socialcrm store (not a directory)").format(path=path),
            path=str(path),
            hint=_("a store is a directory; pass --db DIRECTORY"),
        )
    return found


def refuse_unless_store(path: Path) -> None:
    """Refuse, before taking the lock (which creates a file), anything but a store."""
    if not path.is_dir():
        raise StoreError(
            _("no socialcrm store at {path}").format(path=path),
            path=str(path),
            hint=_("check --db or SOCIALCRM_DB"),
        )
    refuse_unless_usable(path)  # a lost manifest, or not a store at all
