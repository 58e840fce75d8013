"""Moving a whole store between backends: TinyDB directory ⇄ SQL database.

:func:`copy_store` reads the source in one consistent view (a SQL snapshot,
or the TinyDB store's lock held throughout) and writes everything into the
target in **one** transaction: the settings (the current pipeline among
them), every pipeline, then every prospect of every pipeline — declared or
not — with its events, ids and times unchanged.  A target holding anything is
refused before a byte is written, so a copy never mixes two stores.  The
copy is checked by counting both ends before it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from attrs import frozen

from socialcrm.errors import NotFoundError, StoreError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Event, Prospect
from socialcrm.repository import Query, Repository, append_all, put_all
from socialcrm.stages import Stage
from socialcrm.storage import describe_store, is_database_url, open_repository

__all__ = ["CopySummary", "Inventoried", "copy_store"]

BATCH = 500
"""Prospects written (with their events) per batch."""


@runtime_checkable
class Inventoried(Protocol):
    """A store able to list what the Repository protocol cannot: its setting keys and
    every pipeline holding prospects (declared or not)."""

    def meta_keys(self) -> list[str]: ...

    def prospect_pipelines(self) -> list[str]: ...


@frozen
class CopySummary:
    """What :func:`copy_store` copied."""

    source: str
    target: str
    pipelines: int
    prospects: int
    events: int
    settings: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.target,
            "pipelines": self.pipelines,
            "prospects": self.prospects,
            "events": self.events,
            "settings": self.settings,
        }


def _inventoried(repository: Repository, location: str) -> Inventoried:
    if not isinstance(repository, Inventoried):
        raise StoreError(
            _("the store {location} cannot list its contents for a copy").format(location=location)
        )
    return repository


def _open_source(location: str | Path) -> Repository:
    """The source store, which must exist (opening a missing one would create it)."""
    if not is_database_url(location):
        from socialcrm.storage.layout import MANIFEST_NAME

        if not (Path(location) / MANIFEST_NAME).is_file():
            raise NotFoundError(str(location), what="store", hint=_("check --from"))
    elif str(location).strip().startswith("sqlite:"):
        from socialcrm.storage.sql.engine import parse_url, sqlite_file

        path = sqlite_file(parse_url(str(location)))
        if path is not None and not path.is_file():
            raise NotFoundError(describe_store(location), what="store", hint=_("check --from"))
    return open_repository(location)


def _reading(repository: Repository) -> AbstractContextManager[None]:
    """A consistent view of the source for the whole copy."""
    snapshot = getattr(repository, "snapshot", None)
    return snapshot() if callable(snapshot) else repository.transaction()


def _append(repository: Repository, events: list[Event]) -> None:
    append_all(repository, events)


def _refuse_non_empty(target: Repository, label: str) -> None:
    inventory = _inventoried(target, label)
    keys, holding = inventory.meta_keys(), inventory.prospect_pipelines()
    declared = [p.name for p in target.list_pipelines()]
    if keys or holding or declared:
        what = ", ".join(
            part
            for part in (
                _("{count} pipeline(s)").format(count=len(declared)) if declared else "",
                _("prospects in {names}").format(names=", ".join(holding)) if holding else "",
                _("settings {names}").format(names=", ".join(keys)) if keys else "",
            )
            if part
        )
        raise ValidationError(
            _("the target store {label} is not empty ({what}); nothing was copied").format(
                label=label, what=what
            ),
            field="to",
            value=label,
            hint=_(
                "copy into a new store: a new directory, or a new "
                "database after 'socialcrm db upgrade'"
            ),
        )


def _prospects_of(source: Repository, pipeline: str) -> Iterator[list[Prospect]]:
    """The pipeline's prospects, stage by stage, in batches of :data:`BATCH`."""
    for stage in Stage:
        found = source.query(Query(pipeline=pipeline, stage=stage, sort="id"))
        for start in range(0, len(found), BATCH):
            yield found[start : start + BATCH]


def copy_store(
    source: str | Path,
    target: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
) -> CopySummary:
    """Copy the whole store at ``source`` into the empty store at ``target``.

    Each is a directory (TinyDB) or a database URL.  ``progress`` is called
    with the number of prospects copied so far.  Raises
    :class:`~socialcrm.errors.NotFoundError` for a missing source and
    :class:`~socialcrm.errors.ValidationError` for a non-empty target; on any
    error the target is left as it was.
    """
    source_label, target_label = describe_store(source), describe_store(target)
    if source_label == target_label or (
        not is_database_url(source)
        and not is_database_url(target)
        and Path(source).expanduser().resolve() == Path(target).expanduser().resolve()
    ):
        raise ValidationError(_("--from and --to name the same store"), field="to")
    src = _open_source(source)
    try:
        dst = open_repository(target)
        try:
            return _copy(src, dst, source_label, target_label, progress)
        finally:
            dst.close()
    finally:
        src.close()


def _copy(
    src: Repository,
    dst: Repository,
    source_label: str,
    target_label: str,
    progress: Callable[[int], None] | None,
) -> CopySummary:
    inventory = _inventoried(src, source_label)
    prospects = events = 0
    with _reading(src), dst.transaction():
        _refuse_non_empty(dst, target_label)
        keys, holding = inventory.meta_keys(), inventory.prospect_pipelines()
        for key in keys:
            dst.set_meta(key, src.get_meta(key))
        declared = src.list_pipelines()
        for pipeline in declared:
            dst.put_pipeline(pipeline)
        names = sorted({p.name for p in declared} | set(holding))
        for name in names:
            for batch in _prospects_of(src, name):
                put_all(dst, batch)
                # the batch's events in one append: a database store then folds each
                # prospect's summary once per batch, not once per prospect
                appended = [e for _pid, h in src.events_for(p.id for p in batch) for e in h]
                _append(dst, appended)
                events += len(appended)
                prospects += len(batch)
                if progress is not None:
                    progress(prospects)
        copied = sum(dst.count(name) for name in names)
        if copied != prospects or copied != sum(src.count(name) for name in names):
            raise StoreError(
                _(
                    "the copy holds {copied} prospect(s), the source "
                    "{prospects}; nothing was copied"
                ).format(copied=copied, prospects=prospects),
                path=target_label,
            )
    return CopySummary(source_label, target_label, len(declared), prospects, events, len(keys))
