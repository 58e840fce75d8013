"""File formats: the import engine, the built-in importers and exporters.

:func:`import_file` imports a file into a CRM's current pipeline (whole batch
or nothing, see :mod:`socialcrm.io.importing`).  The importer/exporter
contract and its records live in the core (:mod:`socialcrm.formats`) and are
re-exported here.  The engine (:mod:`socialcrm.io.importing`), the safe
readers (:mod:`socialcrm.io.csvsafe`) and the built-in formats are imported
on first use (PEP 562), never at ``import socialcrm`` time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from socialcrm.formats import (
    ActivityRecord,
    ExportContext,
    Exporter,
    Importer,
    ImportItem,
    OwnerRecord,
    ProspectRecord,
    RowProblem,
    SkippedRow,
    StoredPipeline,
    StoredProspect,
    StoredSetting,
)

if TYPE_CHECKING:
    from socialcrm.io.importing import ImportReport, import_file

__all__ = [
    "ActivityRecord",
    "ExportContext",
    "Exporter",
    "ImportItem",
    "ImportReport",
    "Importer",
    "OwnerRecord",
    "ProspectRecord",
    "RowProblem",
    "SkippedRow",
    "StoredPipeline",
    "StoredProspect",
    "StoredSetting",
    "import_file",
]


def __getattr__(name: str) -> Any:
    if name in {"import_file", "ImportReport"}:
        import socialcrm.io.importing as importing  # the engine, on first use

        return getattr(importing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
