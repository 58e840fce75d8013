"""``doctor``, ``backup`` and ``restore`` read raw store files: they never load tinydb.

That is why the file format lives in ``storage.files`` apart from the
repository: the tools must work on a store too damaged to open, and stay cheap
to import.  Each check runs in a fresh interpreter, where ``sys.modules`` tells
what an import (or a run) really loaded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from socialcrm.storage import open_repository

from .helpers import populate

REPORT = "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tinydb'))"


def _loaded_tinydb(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


def test_importing_the_tools_does_not_import_tinydb() -> None:
    code = (
        "import sys, socialcrm.storage.doctor, socialcrm.storage.backups, "
        "socialcrm.storage.files, socialcrm.storage.migrations"
    )
    assert _loaded_tinydb(code) == "[]"


def test_the_check_sees_tinydb_when_the_repository_is_imported() -> None:
    """The probe itself works: importing the repository module does load tinydb."""
    assert "'tinydb'" in _loaded_tinydb("import sys, socialcrm.storage.tinydb")


def test_doctor_backup_and_restore_run_without_tinydb(tmp_path: Path) -> None:
    store = tmp_path / "store"
    repo = open_repository(store)
    populate(repo, 3)
    repo.close()
    code = (
        "import sys\n"
        "from socialcrm.storage.backups import backup, restore\n"
        "from socialcrm.storage.doctor import doctor\n"
        f"store = {str(store)!r}\n"
        "assert doctor(store).ok, doctor(store).to_dict()\n"
        "backup(store)\n"
        "restore(store)\n"
        "assert doctor(store).ok, doctor(store).to_dict()\n"
    )
    assert _loaded_tinydb(code) == "[]"
