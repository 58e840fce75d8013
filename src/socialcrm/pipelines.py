"""Pipelines in a store: the current one, creating, renaming, configuring, deleting.

A store holds several pipelines (one per offer); the *current* one is the
store's choice (meta ``current_pipeline``) unless the CRM was given one, and
``default`` when neither says.  The ``default`` pipeline is created on first
use; any other must be created first.  Each change runs in one repository
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import evolve

from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import Pipeline, nfc
from socialcrm.repository import Repository
from socialcrm.text import check, check_fields

__all__ = [
    "CURRENT_PIPELINE_KEY",
    "DEFAULT_PIPELINE",
    "create",
    "current",
    "current_name",
    "delete",
    "get",
    "rename",
    "update_settings",
    "use",
    "validated_name",
]

DEFAULT_PIPELINE = "default"
CURRENT_PIPELINE_KEY = "current_pipeline"


def current_name(repository: Repository, chosen: str | None) -> str:
    """The pipeline to work on: ``chosen``, else the store's current one, else ``default``."""
    if chosen:
        return chosen
    stored = repository.get_meta(CURRENT_PIPELINE_KEY)
    return str(stored) if stored else DEFAULT_PIPELINE


def current(repository: Repository, name: str, now: Callable[[], datetime]) -> Pipeline:
    """Pipeline ``name``; ``default`` is created on first use, any other must exist."""
    found = repository.get_pipeline(name)
    if found is not None:
        return found
    if name == DEFAULT_PIPELINE:
        with repository.transaction():
            found = repository.get_pipeline(name)
            if found is None:
                found = Pipeline(name=name, created_at=now())
                repository.put_pipeline(found)
        return found
    import shlex  # only on this error

    raise NotFoundError(
        name,
        what="pipeline",
        hint=_("create it with: socialcrm pipeline create {name}").format(name=shlex.quote(name)),
    )


def validated_name(name: str) -> str:
    """``name`` as a pipeline name (NFC, trimmed), or a :class:`ValidationError`."""
    check(name, "pipeline")
    try:
        return Pipeline(name=name).name
    except ValueError as exc:
        raise ValidationError(str(exc), field="pipeline", value=name) from None


def get(repository: Repository, name: str) -> Pipeline:
    found = repository.get_pipeline(nfc(name))
    if found is None:
        raise NotFoundError(name, what="pipeline")
    return found


def create(
    repository: Repository,
    name: str,
    *,
    now: Callable[[], datetime],
    description: str = "",
    settings: Mapping[str, Any] | None = None,
) -> Pipeline:
    """A new pipeline; refused if the name is taken."""
    name = validated_name(name)
    check_fields(
        {"description": description, "settings": dict(settings or {})},
        multiline={"settings"},
    )
    with repository.transaction():
        if repository.get_pipeline(name) is not None:
            raise ValidationError(
                _("pipeline {name!r} already exists").format(name=name),
                field="pipeline",
                value=name,
            )
        pipeline = Pipeline(
            name=name, created_at=now(), description=description, settings=dict(settings or {})
        )
        repository.put_pipeline(pipeline)
    return pipeline


def use(repository: Repository, name: str) -> Pipeline:
    """Make ``name`` the store's current pipeline."""
    with repository.transaction():
        pipeline = get(repository, name)
        repository.set_meta(CURRENT_PIPELINE_KEY, pipeline.name)
    return pipeline


def rename(repository: Repository, old: str, new: str) -> tuple[str, Pipeline]:
    """Rename pipeline ``old``; returns its exact former name and the renamed pipeline."""
    new = validated_name(new)
    with repository.transaction():
        pipeline = get(repository, old)
        if repository.get_pipeline(new) is not None:
            raise ValidationError(
                _("pipeline {new!r} already exists").format(new=new), field="pipeline", value=new
            )
        repository.rename_pipeline(pipeline.name, new)
        # With no stored choice the current pipeline is the default one: renaming
        # it must keep the rep on it, not on a new, empty "default".
        stored = repository.get_meta(CURRENT_PIPELINE_KEY) or DEFAULT_PIPELINE
        if stored == pipeline.name:
            repository.set_meta(CURRENT_PIPELINE_KEY, new)
    return pipeline.name, get(repository, new)


def update_settings(
    repository: Repository, pipeline: Callable[[], Pipeline], changes: Mapping[str, Any]
) -> Pipeline:
    """Merge ``changes`` into the settings of ``pipeline()`` (read in the transaction);
    ``None`` removes a key.

    Settings hold what the rep typed (templates, sequences, the ICP…): any
    text in ``changes`` may be several lines, but no other control character.
    """
    check_fields({"settings": dict(changes)}, multiline={"settings"})
    with repository.transaction():
        current_pipeline = pipeline()
        settings = dict(current_pipeline.settings)
        for key, value in changes.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = value
        updated = evolve(current_pipeline, settings=settings)
        repository.put_pipeline(updated)
    return updated


def delete(repository: Repository, name: str) -> tuple[str, int]:
    """Delete a pipeline with its prospects and events; returns its name and how many
    prospects it had."""
    with repository.transaction():
        pipeline = get(repository, name)
        count = repository.count(pipeline.name)
        repository.delete_pipeline(pipeline.name)
        if repository.get_meta(CURRENT_PIPELINE_KEY) == pipeline.name:
            repository.set_meta(CURRENT_PIPELINE_KEY, None)
    return pipeline.name, count
