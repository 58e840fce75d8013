"""File formats: importers and exporters, contributed by plugins through hooks."""

from socialcrm.io.formats import (
    ActivityRecord,
    Exporter,
    Importer,
    ProspectRecord,
    RowProblem,
    SkippedRow,
)

__all__ = [
    "ActivityRecord",
    "Exporter",
    "Importer",
    "ProspectRecord",
    "RowProblem",
    "SkippedRow",
]
