"""File formats: importers and exporters, contributed by plugins through hooks.

The engine (:mod:`socialcrm.io.importing`), the safe readers
(:mod:`socialcrm.io.csvsafe`) and the built-in formats are imported lazily by
the CRM and the default plugins, never at ``import socialcrm`` time.
"""

from socialcrm.io.formats import (
    ActivityRecord,
    ExportContext,
    Exporter,
    Importer,
    ImportItem,
    ProspectRecord,
    RowProblem,
    SkippedRow,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)

__all__ = [
    "ActivityRecord",
    "ExportContext",
    "Exporter",
    "ImportItem",
    "Importer",
    "ProspectRecord",
    "RowProblem",
    "SkippedRow",
    "StoredPipeline",
    "StoredProspect",
    "StoredSetting",
]
