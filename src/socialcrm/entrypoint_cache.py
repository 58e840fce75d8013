"""The entry-point scan, remembered between runs while the environment is unchanged.

Scanning entry points means importing :mod:`importlib.metadata` (which pulls
in ``email``, ``zipfile``, ``csv``…) and reading every distribution's metadata:
about 30 ms on each CLI run, though the installed plugins almost never change.
:func:`entry_points` scans once and stores the result in a small JSON file; a
later run in the same environment reads it back without importing
:mod:`importlib.metadata`.

A stale cache that hides a newly installed plugin (or keeps an uninstalled one)
would be a serious bug, so the cache is trusted only when its *fingerprint*
still matches:

- the key (in the file name as a short hash, and compared in full): the group,
  ``sys.executable``, the exact ``sys.path`` (plus the working directory when
  an entry is relative) and the classes on ``sys.meta_path``;
- the ``st_mtime_ns`` of every ``sys.path`` entry (``None`` when missing):
  installing, upgrading or uninstalling a distribution creates or removes a
  ``*.dist-info`` directory, which changes the mtime of the directory holding it;
- the ``st_mtime_ns`` and size of ``entry_points.txt``, ``METADATA`` and
  ``PKG-INFO`` of each distribution that has entry points in the group, so an
  in-place edit is noticed;
- the same of the ``entry_points.txt`` (or its absence) of *every* other
  distribution found in a directory: one that gains an entry point in the
  group by an in-place edit, without being reinstalled, is noticed too.  (A
  distribution installed or removed changes its directory's mtime, above.)
  Checking these costs a few dozen ``stat`` calls; the scan they save, about
  15 ms of a command.

File timestamps are coarse (a kernel tick), so a directory changed in the same
tick as the scan could later look unchanged.  As git does for its index, a scan
whose fingerprint holds an mtime less than :data:`RACY_WINDOW_NS` before the
scan started is not written (and such a file is not trusted): the next run
scans again.

A scan that finds a plugin's distribution not in a directory on disk (a
zipped egg, a custom finder's) is not cached.  ``SOCIALCRM_PLUGIN_CACHE=0``
turns the cache off.  Any problem with the cache file (unreadable, corrupt,
read-only directory) is ignored: the entry points are scanned as without a
cache.
"""

# sys.path entries are plain strings and these stats run on every CLI start: os, not pathlib
# ruff: noqa: PTH109, PTH112, PTH116, PTH117, PTH118, PTH120, PTH123

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import sys
import time
import zlib
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from socialcrm.value import Value

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_ENV",
    "RACY_WINDOW_NS",
    "EntryPointRecord",
    "cache_dir",
    "cache_enabled",
    "cache_file",
    "entry_points",
    "parse_value",
    "scan",
]

CACHE_ENV = "SOCIALCRM_PLUGIN_CACHE"
CACHE_DIR_ENV = "SOCIALCRM_CACHE_DIR"
RACY_WINDOW_NS = 2_000_000_000
"""An mtime this close to (or after) the start of the scan makes the scan uncacheable."""

_FORMAT = 2
_METADATA_FILES = ("entry_points.txt", "METADATA", "PKG-INFO")
# the grammar importlib.metadata.EntryPoint.load uses: "module[:attr.attr] [extras]"
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")

Stat = tuple[int, int] | None  # (st_mtime_ns, st_size) of a file, None when missing


@frozen(repr=False, eq=False)
class EntryPointRecord(Value):
    """One entry point as :meth:`SocialPluginManager.load_entrypoints` uses it.

    ``value`` is ``"module:attr"``; ``distribution`` and ``version`` name the
    distribution declaring it.  A plain record (rather than an
    ``importlib.metadata.EntryPoint``) so it can be stored and loaded without
    importing :mod:`importlib.metadata`.
    """

    name: str
    value: str
    distribution: str | None
    version: str | None

    def load(self) -> object:
        """Import the module and return the attribute, exactly as ``EntryPoint.load`` does.

        Extras in brackets are ignored, as they are there.
        """
        module_name, attrs = parse_value(self.value)
        return functools.reduce(getattr, attrs, importlib.import_module(module_name))


def parse_value(value: str) -> tuple[str, tuple[str, ...]]:
    """``"pkg.mod:obj.attr [extra]"`` → ``("pkg.mod", ("obj", "attr"))``, as importlib reads it.

    :raises ValueError: ``value`` does not follow the entry-point grammar.
    """
    match = _VALUE.match(value)
    if match is None:
        raise ValueError(f"malformed entry point value {value!r}")
    return match.group("module"), tuple(filter(None, (match.group("attr") or "").split(".")))


def cache_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``SOCIALCRM_PLUGIN_CACHE`` is ``0`` (or ``false``, ``no``, ``off``)."""
    value = (os.environ if environ is None else environ).get(CACHE_ENV, "")
    return value.strip().lower() not in {"0", "false", "no", "off"}


_PACKAGE_CACHE = os.path.join(os.path.dirname(__file__), "__pycache__")
"""The bytecode cache directory of this installation of socialcrm."""


def cache_dir() -> str:
    """Where the cache file lives.

    ``SOCIALCRM_CACHE_DIR`` if set; else this installation's ``__pycache__``
    when it is writable — like the bytecode Python keeps there, the entry
    points belong to one environment, and finding the directory costs no
    import (``platformdirs`` is ~3 % of a CLI run; Numba caches compiled code
    the same way); else the user cache directory of socialcrm.
    """
    configured = os.environ.get(CACHE_DIR_ENV, "").strip()
    if configured:
        return configured
    if os.access(_PACKAGE_CACHE, os.W_OK):
        return _PACKAGE_CACHE
    from platformdirs import user_cache_dir

    return user_cache_dir("socialcrm")


def _key(group: str) -> dict[str, Any]:
    """What the environment's entry points depend on, besides file timestamps."""
    path = list(sys.path)
    if not all(isinstance(entry, str) for entry in path):
        raise TypeError("sys.path holds a non-str entry; not cacheable")
    relative = any(not os.path.isabs(entry) for entry in path)
    return {
        "format": _FORMAT,
        "group": group,
        "executable": sys.executable,
        "path": path,
        "cwd": os.getcwd() if relative else None,
        "meta_path": [_qualname(finder) for finder in sys.meta_path],  # finders find dists too
    }


def _qualname(finder: object) -> str:
    cls = finder if isinstance(finder, type) else type(finder)  # PathFinder is a class
    return f"{cls.__module__}.{cls.__qualname__}"


def cache_file(group: str) -> str:
    """The cache file for ``group`` in this environment (several venvs share the directory)."""
    return _file_for(_key(group))


def _file_for(key: dict[str, Any]) -> str:
    """A short hash of the key names the file; the full key inside is compared on reading."""
    digest = zlib.crc32(json.dumps(key, sort_keys=True).encode())
    return os.path.join(cache_dir(), f"entry-points-{digest:08x}.json")


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path or ".").st_mtime_ns
    except OSError:
        return None


def _stat(path: str) -> Stat:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _path_mtimes(path: list[str]) -> list[int | None]:
    return [_mtime(entry) for entry in path]


def scan(group: str) -> tuple[tuple[EntryPointRecord, ...], list[str] | None]:
    """The group's entry points read by :mod:`importlib.metadata`, and the files to watch.

    The second item lists the metadata files of the distributions found in the
    group and the ``entry_points.txt`` of every other distribution in a
    directory, or is ``None`` when a distribution found in the group is not a
    directory on disk (a zipped egg, a custom finder's distribution): such a
    scan cannot be fingerprinted.
    """
    import importlib.metadata

    records = []
    files: list[str] | None = []
    for ep in importlib.metadata.entry_points(group=group):
        dist = ep.dist
        records.append(
            EntryPointRecord(
                ep.name,
                ep.value,
                dist.name if dist is not None else None,
                dist.version if dist is not None else None,
            )
        )
        where = getattr(dist, "_path", None)  # PathDistribution's *.dist-info directory
        if files is None or not isinstance(where, os.PathLike) or not os.path.isdir(where):
            files = None
            continue
        for name in _METADATA_FILES:
            watched = os.path.join(os.fspath(where), name)
            if watched not in files:
                files.append(watched)
    if files is not None:
        files += _other_entry_points(set(files))
    return tuple(records), files


def _other_entry_points(watched: set[str]) -> list[str]:
    """The ``entry_points.txt`` of every distribution in a directory, but ``watched``."""
    import importlib.metadata

    found = []
    for dist in importlib.metadata.distributions():
        where = getattr(dist, "_path", None)
        if isinstance(where, os.PathLike) and os.path.isdir(where):
            entry_points = os.path.join(os.fspath(where), "entry_points.txt")
            if entry_points not in watched:
                watched.add(entry_points)
                found.append(entry_points)
    return found


def _racy(started_ns: int, path_mtimes: list[int | None], stats: list[Stat]) -> bool:
    """True when an mtime is too recent to tell a later change in the same tick apart."""
    limit = started_ns - RACY_WINDOW_NS
    mtimes = [m for m in path_mtimes if m is not None]
    mtimes += [s[0] for s in stats if s is not None]
    return any(m >= limit for m in mtimes)


def _as_records(entries: object) -> tuple[EntryPointRecord, ...] | None:
    if not isinstance(entries, list):
        return None
    records = []
    for entry in entries:
        if not (
            isinstance(entry, list)
            and len(entry) == 4
            and all(isinstance(x, str) for x in entry[:2])
            and all(x is None or isinstance(x, str) for x in entry[2:])
        ):
            return None
        records.append(EntryPointRecord(*entry))
    return tuple(records)


def _read(path: str, key: dict[str, Any]) -> tuple[EntryPointRecord, ...] | None:
    """The cached entry points if the file is whole and its fingerprint still matches."""
    with open(path, encoding="utf-8") as f:
        if hasattr(os, "geteuid") and os.fstat(f.fileno()).st_uid != os.geteuid():
            return None  # planted by another user in a shared directory: not ours to trust
        data = json.load(f)
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    files, stats = data.get("files"), data.get("stats")
    started = data.get("scanned_at_ns")
    if not (
        isinstance(files, list)
        and all(isinstance(f, str) for f in files)
        and isinstance(stats, list)
        and isinstance(started, int)
    ):
        return None
    path_mtimes = _path_mtimes(key["path"])
    current = [_stat(f) for f in files]
    if data.get("path_mtimes") != path_mtimes or [_stat_json(s) for s in current] != stats:
        return None
    if _racy(started, path_mtimes, current):  # never trust a racily-clean fingerprint
        return None
    return _as_records(data.get("entries"))


def _stat_json(stat: Stat) -> list[int] | None:
    return None if stat is None else list(stat)


def _write(
    path: str,
    key: dict[str, Any],
    started_ns: int,
    path_mtimes: list[int | None],
    files: list[str],
    stats: list[Stat],
    records: tuple[EntryPointRecord, ...],
) -> None:
    """Write atomically, file 0600 in a 0700 directory (the store's own crash-safe write)."""
    from pathlib import Path

    from socialcrm.atomic_files import ensure_dir, write_atomic

    data = {
        "key": key,
        "scanned_at_ns": started_ns,
        "path_mtimes": path_mtimes,
        "files": files,
        "stats": [_stat_json(s) for s in stats],
        "entries": [[r.name, r.value, r.distribution, r.version] for r in records],
    }
    target = Path(path)
    ensure_dir(target.parent)
    write_atomic(target, json.dumps(data).encode(), sync_dir=False)


def _ignored(action: str, exc: Exception) -> None:
    import logging

    logging.getLogger("socialcrm.plugins").debug("entry-point cache: %s: %s", action, exc)


def entry_points(group: str) -> tuple[EntryPointRecord, ...]:
    """The entry points of ``group``: from the cache when still valid, else a scan (cached).

    Never fails because of the cache: a cache that cannot be read or written
    is ignored.
    """
    if not cache_enabled():
        return scan(group)[0]
    try:
        key = _key(group)
        path = _file_for(key)
    except Exception as exc:  # an odd sys.path or cache location: just scan
        _ignored("no key", exc)
        return scan(group)[0]
    try:
        cached = _read(path, key)
    except FileNotFoundError:
        cached = None
    except Exception as exc:  # unreadable or corrupt: scan, then rewrite
        _ignored(f"reading {path}", exc)
        cached = None
    if cached is not None:
        return cached
    started = time.time_ns()
    path_mtimes = _path_mtimes(key["path"])  # before the scan: a change during it is caught
    records, files = scan(group)
    if files is None:
        return records
    stats = [_stat(f) for f in files]
    if _racy(started, path_mtimes, stats):
        return records
    try:
        _write(path, key, started, path_mtimes, files, stats, records)
    except Exception as exc:  # read-only or full disk: the next run scans again
        _ignored(f"writing {path}", exc)
    return records
