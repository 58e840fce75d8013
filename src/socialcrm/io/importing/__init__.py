"""The import engine: read a file through an importer, plan every change, write once.

An import runs in two phases:

1. **plan** — stream the importer's records and decide, row by row, what
   would happen (create, update, skip, attach a message, or refuse the row)
   against in-memory indexes of the pipeline (identity keys, e-mails, names),
   so 30,000 rows cost 30,000 dictionary look-ups, not 30,000 store queries;
2. **write** — unless it is a dry run, apply the plan inside ONE
   ``repository.transaction()``: the whole batch or nothing.

Matching (what makes re-imports idempotent and avoids duplicates):

* a record whose profile URL (canonical identity key) or e-mail (ignoring
  case) belongs to a known prospect *is* that prospect: it is skipped with the
  reason "already known", or updated with ``update=True``;
* a record with neither URL nor e-mail matches a known prospect with the same
  name (ignoring case) whose company and custom fields agree with the record;
* a message is attached once: the same kind, time and text is never recorded
  twice.

The engine is split by concept: :mod:`.engine` (the two phases and the
public functions), :mod:`.batch` (the plan's state and how it is written),
:mod:`.index` (matching), :mod:`.people`, :mod:`.activities` and
:mod:`.backups` (one handler per kind of record), :mod:`.rows` (what makes a
row invalid) and :mod:`.report` (what the import did).
"""

from socialcrm.io.importing.engine import detect_format, import_file, resolve_importer, run_import
from socialcrm.io.importing.report import ImportReport, RowOutcome

__all__ = [
    "ImportReport",
    "RowOutcome",
    "detect_format",
    "import_file",
    "resolve_importer",
    "run_import",
]
