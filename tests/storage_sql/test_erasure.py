"""On PostgreSQL (and SQLite) the wipe deletes the person's rows in every table; the
suppression list lives in the settings table (``privacy.*`` rows), as digests."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select

from socialcrm import CRM
from socialcrm.errors import SuppressedError
from socialcrm.privacy.erasure import delete_pipeline, erase
from socialcrm.storage import open_repository
from socialcrm.storage.sql.schema import metadata

NAME = "Zoéline Quarrington"
EMAIL = "zoeline@examplecorp.fr"
URL = "https://www.linkedin.com/in/zoelinequarrington"
VALUES = ["Zoéline", "Quarrington", EMAIL, "zoelinequarrington"]


def _every_row(url: str) -> str:
    """Every row of every socialcrm table, as one text (JSON, no ASCII escapes)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = [
                [str(v) for v in row]
                for table in metadata.sorted_tables
                for row in conn.execute(select(table))
            ]
    finally:
        engine.dispose()
    return json.dumps(rows, ensure_ascii=False)


@pytest.mark.parametrize("which", ["pg_url", "sqlite_url"])
def test_wipe_deletes_every_row(which: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(which)
    crm = CRM(open_repository(url))
    p = crm.add(NAME, emails=[EMAIL], urls=[URL], note="met at the fair")
    crm.log_message(p.id, f"Hello {NAME}")
    crm.add("Bob Keeper", emails=["bob@keeper.example"])
    assert all(v in _every_row(url) for v in VALUES)  # the test can fail
    wiped = erase(crm, EMAIL, reason="objection")
    assert (wiped.erased, wiped.backups_rewritten) == (1, 0)  # a database has no backups/
    text = _every_row(url)
    assert [v for v in VALUES if v in text] == []
    assert "Bob Keeper" in text and "privacy.suppressed" in text
    with pytest.raises(SuppressedError):
        crm.add("Z", emails=[EMAIL.upper()])
    crm.create_pipeline("old")
    crm.use_pipeline("old")
    crm.add("Gone Withpipeline", emails=["gone@old.example"])
    assert delete_pipeline(crm, "old").erased == 1
    assert "Withpipeline" not in _every_row(url)
    crm.close()
