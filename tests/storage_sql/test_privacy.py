"""The privacy features on the SQL store (PostgreSQL and SQLite): purge and access export."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialcrm import CRM
from socialcrm.plugins import get_plugin_manager
from socialcrm.privacy.access import access_document
from socialcrm.privacy.retention import purge_expired
from socialcrm.storage import open_repository
from socialcrm.testing import FrozenClock


@pytest.mark.parametrize("url_fixture", ["pg_url", "sqlite_url"])
def test_purge_and_export_on_a_database(url_fixture: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(url_fixture)
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    crm = CRM(open_repository(url), get_plugin_manager(entrypoints=False), clock=clock)
    try:
        old = crm.add("Old Olga", emails=["olga@example.fr"])
        kept = crm.add("Kept Karim", emails=["karim@example.fr"])
        clock.now = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
        crm.log_message(kept.id, "Still interested", received=True)
        clock.now = datetime(2029, 3, 3, 9, 0, tzinfo=UTC)  # 3 years + 1 day after collection
        assert [r.name for r in purge_expired(crm).erased] == ["Old Olga"]
        assert crm.repository.get(old.id) is None
        assert crm.repository.events(old.id) == []
        document = access_document(crm, "karim@example.fr")
        assert [r["prospect"]["name"] for r in document["records"]] == ["Kept Karim"]
        assert document["records"][0]["retention"]["expires_at"].startswith("2030-03-02")
        assert document["backups"]["applicable"] is False
        assert "Olga" not in str(document)
    finally:
        crm.close()
