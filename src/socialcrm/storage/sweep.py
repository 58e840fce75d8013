"""Which files a commit deletes: only those it can prove are garbage.

After a commit's manifest swap (the commit point), the files it made useless
are deleted.  A file is deleted only with a proof, from the two manifests of
the commit (the previous one, and the one just written, under the store's
exclusive lock), that no state of the store can ever need it:

1. **retired**: a file either manifest names in its ``retired`` table.  A
   commit's manifest retires the files the previous manifest listed that it
   replaced or removed — and, for a ``restore`` or a migration, the data files
   it first saved in its safety backup (``pre-restore``, ``pre-migrate``).
   The previous manifest's table matters when a process was killed between
   its swap and its sweep: its garbage is still there.  Data-file names carry
   their generation and are never reused, so a retired file is never listed
   again;
2. **this generation's strays**: an unlisted data file named with the
   generation just committed — written by this transaction and not kept (a
   file written early that became empty), or by an earlier attempt at the same
   generation that was interrupted before its swap (a crash, a kill, an
   error);
3. **temporary files** of :func:`socialcrm.atomic_files.open_atomic` (``.NAME.PID.tmp``)
   of a data file or of the manifest.  Every process writes them only while
   holding the store's exclusive lock, and renames or removes them before
   releasing it; this process holds that lock, so any that exists belongs to
   a process that died mid-write (or whose clean-up failed).  Readers never
   write any.

Anything else unlisted is left alone, and ``doctor`` reports it
(:func:`leftovers`): a data file of an older generation that no manifest
retired (left by a version of socialcrm without the ``retired`` table, or
copied in by hand), or one named with a generation beyond the next (an
interrupted ``restore``, or a manifest replaced by an older copy of itself).
A store without a manifest is never opened for writing at all
(:mod:`socialcrm.storage.directory`), so no sweep ever runs against files it
does not list.

Only names of the form socialcrm writes (``data/<logical>.<generation>.json``)
are ever candidates: a damaged or hostile manifest cannot make a sweep delete
anything else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from socialcrm.atomic_files import temp_target
from socialcrm.storage import layout

__all__ = ["Leftovers", "garbage", "highest_generation", "leftovers", "retired_table", "sweep"]

_DATA_PREFIX = layout.DATA_DIR + "/"


def _data_path(rel: object) -> str | None:
    """``rel`` if it names a data file socialcrm writes (``data/<name>``), else ``None``."""
    if (
        isinstance(rel, str)
        and rel.startswith(_DATA_PREFIX)
        and layout.parse_data_file_name(rel[len(_DATA_PREFIX) :]) is not None
    ):
        return rel
    return None


def _listed(files: Mapping[str, Any]) -> set[str]:
    """The paths a manifest's ``files`` table lists."""
    return {e["path"] for e in files.values() if isinstance(e, Mapping) and "path" in e}


def retired_table(
    previous_files: Mapping[str, Any], files: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The ``retired`` table of a new manifest listing ``files``: the data files the
    previous manifest listed that the new one does not."""
    listed = _listed(files)
    gone = {_data_path(rel) for rel in _listed(previous_files) - listed}
    return {rel: {} for rel in sorted(p for p in gone if p is not None)}


def _generation(manifest: Mapping[str, Any]) -> int:
    gen = manifest.get("store", {}).get("1", {}).get("generation", 0)
    return gen if isinstance(gen, int) else 0


def _names(path: Path) -> list[str]:
    try:
        return sorted(child.name for child in path.iterdir())
    except OSError:
        return []


def highest_generation(store: Path) -> int:
    """The highest generation of any data file in ``store`` (0 if none).

    A commit that does not start from the manifest's generation (a restore, a
    migration) commits above it, so that it never writes, or sweeps, a name
    some file already has.
    """
    gens = [0]
    for name in _names(store / layout.DATA_DIR):
        parsed = layout.parse_data_file_name(name)
        if parsed is not None:
            gens.append(parsed[1])
    return max(gens)


def garbage(store: Path, previous: Mapping[str, Any], committed: Mapping[str, Any]) -> list[Path]:
    """The files the commit from ``previous`` to ``committed`` (manifests) may delete."""
    listed = _listed(committed.get("files", {}))
    retired: set[str] = set()
    for manifest in (previous, committed):
        table = manifest.get(layout.RETIRED_TABLE, {})
        if isinstance(table, Mapping):
            retired.update(p for p in map(_data_path, table) if p is not None)
    found = [store / rel for rel in sorted(retired - listed)]
    generation = _generation(committed)
    data_dir = store / layout.DATA_DIR
    for name in _names(data_dir):
        parsed = layout.parse_data_file_name(name)
        rel = _DATA_PREFIX + name
        target = temp_target(name)
        if (parsed is not None and parsed[1] == generation and rel not in listed) or (
            target is not None and layout.parse_data_file_name(target) is not None
        ):
            found.append(data_dir / name)
    found += [store / n for n in _names(store) if temp_target(n) == layout.MANIFEST_NAME]
    return found


def sweep(store: Path, previous: Mapping[str, Any], committed: Mapping[str, Any]) -> None:
    """After the commit from manifest ``previous`` to ``committed``, delete what it
    proves is garbage (:func:`garbage`, the rule in the module's docstring): files
    ``previous`` listed that ``committed`` replaced, files either retired, unlisted
    files of ``committed``'s generation, temporary files.  Nothing else; a file that
    cannot be deleted stays (``doctor`` reports it).  The caller holds the store's
    exclusive lock."""
    for path in garbage(store, previous, committed):
        with contextlib.suppress(OSError):
            path.unlink()


class Leftovers:
    """Unlisted files of a store, by what becomes of them (see the module's docstring).

    ``removable``: the next commit deletes them; ``stale``: older data files no
    commit will delete; ``newer``: data files named beyond the next generation;
    ``unknown``: files in ``data/`` that socialcrm did not write.  (A plain class:
    every command imports this module, and an attrs class costs about a
    millisecond to create.)
    """

    __slots__ = ("newer", "removable", "stale", "unknown")

    def __init__(self) -> None:
        self.removable: list[Path] = []
        self.stale: list[Path] = []
        self.newer: list[Path] = []
        self.unknown: list[Path] = []


def leftovers(store: Path, manifest: Mapping[str, Any]) -> Leftovers:
    """What in ``store`` the (valid, current-schema) ``manifest`` does not list."""
    found = Leftovers()
    listed = _listed(manifest.get("files", {}))
    next_generation = _generation(manifest) + 1
    upcoming = {
        **manifest,
        "store": {"1": {"generation": next_generation}},
        layout.RETIRED_TABLE: {},
    }
    removable = {path for path in garbage(store, manifest, upcoming) if path.exists()}
    found.removable.extend(sorted(removable))
    data_dir = store / layout.DATA_DIR
    for name in _names(data_dir):
        path = data_dir / name
        if path in removable or _DATA_PREFIX + name in listed:
            continue
        parsed = layout.parse_data_file_name(name)
        if parsed is None:
            found.unknown.append(path)
        elif parsed[1] > next_generation:
            found.newer.append(path)
        else:
            found.stale.append(path)
    return found
