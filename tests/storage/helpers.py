"""Helpers shared by the storage tests: snapshots, logical state dumps, populating."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from socialcrm.models import Pipeline
from socialcrm.storage import generations, layout
from socialcrm.storage.file_cache import FileCache
from socialcrm.storage.tinydb import TinyDBRepository
from socialcrm.testing.contract import T0, li, make_event, make_prospect


def snapshot(path: Path) -> dict[str, bytes]:
    """Every store file's bytes (the lock file and backups excluded)."""
    files: dict[str, bytes] = {}
    for root, _dirs, names in os.walk(path):
        for name in names:
            full = Path(root) / name
            rel = full.relative_to(path).as_posix()
            if rel == layout.LOCK_NAME or rel.startswith(layout.BACKUP_DIR + "/"):
                continue
            files[rel] = full.read_bytes()
    return files


def dump_state(path: Path) -> dict[str, Any]:
    """The logical content of a store: meta, pipelines and every document, by kind."""
    repo = TinyDBRepository(path, migrate=False)
    state: dict[str, Any] = {}
    with repo.engine.locked():
        manifest = repo.engine.head.manifest
        state["meta"] = manifest["meta"]
        state["pipelines"] = manifest["pipelines"]
        for logical in sorted(manifest["files"]):
            for table, docs in repo.engine.view(logical).items():
                state.setdefault(table, {}).update(docs)
    repo.close()
    return state


def populate(repo: TinyDBRepository, n: int = 5, prefix: str = "01P") -> list[str]:
    """``n`` prospects with an identity, an e-mail and two events each."""
    ids = []
    with repo.transaction():
        if repo.get_pipeline("default") is None:
            repo.put_pipeline(Pipeline("default", T0))
        for i in range(n):
            pid = f"{prefix}{i:05d}"
            repo.put(
                make_prospect(
                    pid,
                    f"Person {prefix} {i}",
                    identities=[li(f"{prefix.lower()}-{i}")],
                    emails=[f"{prefix.lower()}{i}@example.org"],
                )
            )
            repo.append_event(make_event(f"E{pid}A", pid))
            repo.append_event(make_event(f"E{pid}B", pid))
            ids.append(pid)
        repo.set_meta("current_pipeline", "default")
    return ids


def written_store(path: Path, n: int = 4) -> Path:
    """A store at ``path`` of ``n`` prospects (see :func:`populate`), closed."""
    from socialcrm.storage import open_repository

    repo = open_repository(path)
    populate(repo, n)
    repo.close()
    return path


def run_python(code: str) -> int:
    """Run ``code`` (dedented) in a new interpreter; its exit code.  For a process
    that dies abruptly (``os._exit``) at a chosen point of a write."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False, timeout=120)
    return done.returncode


class Counter:
    """The data files a repository reads (cache misses) and writes, by name, while patched."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[str] = []
        self.writes: list[str] = []
        real_write = generations.write_atomic
        real_open = generations.open_atomic
        real_load = FileCache.load

        def write(path: Path, data: bytes, **kw: Any) -> None:
            self.writes.append(path.name)
            real_write(path, data, **kw)

        def open_atomic(path: Path, **kw: Any) -> Any:  # data files: written as a stream
            self.writes.append(path.name)
            return real_open(path, **kw)

        def load(files: FileCache, logical: str, entry: Any, *, cache: bool = True) -> Any:
            if (entry["path"], entry["size"], entry["crc32"]) not in files:
                self.reads.append(entry["path"])
            return real_load(files, logical, entry, cache=cache)

        monkeypatch.setattr(generations, "write_atomic", write)
        monkeypatch.setattr(generations, "open_atomic", open_atomic)
        monkeypatch.setattr(FileCache, "load", load)

    def reset(self) -> None:
        self.reads.clear()
        self.writes.clear()


__all__ = ["T0", "Counter", "dump_state", "populate", "run_python", "snapshot", "written_store"]
