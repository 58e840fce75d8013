"""Helpers shared by the storage tests: snapshots, logical state dumps, populating."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from socialcrm.models import Pipeline
from socialcrm.storage import layout
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
    with repo._locked():
        assert repo._manifest is not None
        state["meta"] = repo._manifest["meta"]
        state["pipelines"] = repo._manifest["pipelines"]
        for logical in sorted(repo._manifest["files"]):
            for table, docs in repo._view(logical).items():
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


__all__ = ["T0", "dump_state", "populate", "snapshot"]
