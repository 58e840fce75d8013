"""socialcrm's own backups in an import: pipelines, settings, prospects with their events.

A JSON export read back restores what it holds as it was (ids, events,
timestamps).  Anything already in the store is left alone unless it is
unchanged, never used (a fresh store's empty ``default`` pipeline), or
``update`` says to replace it; a prospect matching another one by profile or
e-mail is merged into it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import evolve

from socialcrm.formats import ProspectRecord, StoredPipeline, StoredProspect, StoredSetting
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.io.importing.rows import RowError
from socialcrm.models import Pipeline

if TYPE_CHECKING:
    from socialcrm.io.importing.batch import Batch
    from socialcrm.io.importing.people import People

__all__ = ["Backups"]


class Backups:
    """Plans the records of a socialcrm backup (:class:`StoredPipeline`, …)."""

    def __init__(self, batch: Batch, people: People) -> None:
        self.batch = batch
        self.people = people  # a prospect matching another is merged as a person row is

    def _pristine(self, pipeline: Pipeline) -> bool:
        """Whether ``pipeline`` was never configured nor used (safe to replace)."""
        b = self.batch
        return (
            not pipeline.settings
            and not pipeline.description
            and pipeline.name not in b.new_pipelines
            and b.repo.count(pipeline.name) == 0
        )

    @staticmethod
    def _pipeline_label(pipeline: Pipeline) -> str:
        """What a created or updated pipeline row reports (a whole message to translate)."""
        return _("pipeline {name}").format(name=pipeline.name)

    def on_stored_pipeline(self, record: StoredPipeline) -> None:
        b = self.batch
        pipeline = record.pipeline
        existing = b.new_pipelines.get(pipeline.name) or b.repo.get_pipeline(pipeline.name)
        if existing is None:
            b.new_pipelines[pipeline.name] = pipeline
            b.outcome(record.row, "created", self._pipeline_label(pipeline), name=pipeline.name)
        elif existing == pipeline:
            b.outcome(record.row, "skipped", N_("pipeline unchanged"), name=pipeline.name)
        elif b.update or self._pristine(existing):
            # A pipeline nobody has used yet (e.g. the 'default' one a fresh store
            # creates on first use) takes the backup's settings: restoring into a new
            # store must not silently drop the ICP, sequences or templates.
            b.new_pipelines[pipeline.name] = pipeline
            b.outcome(record.row, "updated", self._pipeline_label(pipeline), name=pipeline.name)
        else:
            b.outcome(
                record.row,
                "skipped",
                N_("pipeline already exists; use --update to replace its settings"),
                name=pipeline.name,
            )

    def on_stored_setting(self, record: StoredSetting) -> None:
        b = self.batch
        if record.key == "channel_limits" and not (
            isinstance(record.value, dict)
            and all(
                isinstance(k, str) and type(v) is int and v > 0 for k, v in record.value.items()
            )
        ):
            raise RowError(_("channel_limits must map 'network.channel' to a positive number"))
        current = b.new_settings.get(record.key, b.repo.get_meta(record.key))
        label = _("setting {key}").format(key=record.key)  # what was created or updated
        if current is None:
            b.new_settings[record.key] = record.value
            b.outcome(record.row, "created", label, name=record.key)
        elif current == record.value:
            b.outcome(
                record.row,
                "skipped",
                N_("setting unchanged"),
                name=record.key,
            )
        elif b.update:
            b.new_settings[record.key] = record.value
            b.outcome(record.row, "updated", label, name=record.key)
        else:
            b.outcome(
                record.row,
                "skipped",
                N_("setting differs from this store's; use --update to replace it"),
                name=record.key,
            )

    def on_stored_prospect(self, record: StoredProspect) -> None:
        b = self.batch
        p = record.prospect
        if p.pipeline not in b.new_pipelines and b.repo.get_pipeline(p.pipeline) is None:
            raise RowError(
                _("unknown pipeline {pipeline!r}").format(pipeline=p.pipeline), "pipeline"
            )
        for event in record.events:
            if event.prospect_id != p.id:
                raise RowError(
                    _("event {id} belongs to {prospect_id}").format(
                        id=event.id, prospect_id=event.prospect_id
                    ),
                    "events",
                )
        b.within_caps(None, (e.payload for e in record.events))  # before staging anything
        if b.suppressed(record.row, p.emails, p.phones, p.identities):
            return
        current = b.known(p.pipeline, p.id)
        if current is None:
            current = b.match(p.pipeline, p.identities, p.emails, None)
        if current is None:
            b.stage(p, created_row=record.row)  # (a second entry for it is refused)
            b.add_events(record.events)
            b.outcome(record.row, "created", name=p.name, prospect_id=p.id)
            return
        first_row = b.created_row(current.id)
        if first_row is not None:
            raise RowError(_("same person as row {first_row}").format(first_row=first_row), "id")
        first_row = b.plan.first_entry(current.id, record.row)
        if first_row is not None:  # its stored events were compared with that entry's
            raise RowError(_("same person as row {first_row}").format(first_row=first_row), "id")
        ids = {e.id for e in b.repo.events(current.id)}
        missing = [e for e in record.events if e.id not in ids]
        if current.id == p.id and current == p and not missing:
            b.outcome(record.row, "skipped", N_("unchanged"), name=p.name, prospect_id=p.id)
            return
        if not b.update:
            b.outcome(
                record.row,
                "skipped",
                _("already known as {id} ({name}); use --update to update").format(
                    id=current.id, name=current.name
                ),
                name=p.name,
                prospect_id=current.id,
            )
            return
        if current.id == p.id:
            b.stage(p)
            b.add_events(missing)
        else:  # another prospect with the same identity or e-mail: merge the facts
            as_record = ProspectRecord(
                row=record.row,
                name=p.name,
                title=p.title,
                company=p.company,
                location=p.location,
                custom=p.custom,
                tags=p.tags,
            )
            merged = self.people.merged(
                current, as_record, p.identities, p.emails, p.phones, tags=()
            )
            b.stage(evolve(merged, updated_at=b.now))
        b.outcome(record.row, "updated", name=p.name, prospect_id=current.id)
