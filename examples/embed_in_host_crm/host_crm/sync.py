"""The host's ``on_event`` plugin: a won prospect becomes a customer of the host CRM.

socialcrm calls ``on_event`` after the event is committed; if this plugin
fails, the event is kept and the failure is reported (``CRM.failures``), so the
host can resynchronise later instead of losing a sale.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from host_crm.sqlite_repository import SQLiteRepository
from socialcrm import Event, Prospect, Status, hookimpl
from socialcrm.models import StatusChanged

__all__ = ["CUSTOMERS_SCHEMA", "Customer", "WonProspectSync"]

CUSTOMERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    prospect_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    company     TEXT,
    email       TEXT,
    pipeline    TEXT NOT NULL,
    since       TEXT NOT NULL
)
"""


@frozen
class Customer:
    """A row of the host's own ``customers`` table."""

    prospect_id: str
    name: str
    company: str | None
    email: str | None
    pipeline: str
    since: datetime


class WonProspectSync:
    """Copies won prospects into ``customers``; a reopened sale is taken back out."""

    def __init__(self, repository: SQLiteRepository, *, name: str = "host-crm-sync") -> None:
        self.repository = repository
        self.__name__ = name  # how pluggy (and failure reports) name this plugin

    @hookimpl
    def on_event(self, event: Event, prospect: Prospect | None) -> None:
        payload = event.payload
        if not isinstance(payload, StatusChanged) or prospect is None:
            return
        db = self.repository.connection
        with self.repository.transaction():
            if payload.to_status is Status.WON:
                db.execute(
                    "INSERT INTO customers (prospect_id, name, company, email, pipeline, since) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (prospect_id) DO UPDATE SET "
                    "name = excluded.name, company = excluded.company, "
                    "email = excluded.email, since = excluded.since",
                    (
                        prospect.id,
                        prospect.name,
                        prospect.company,
                        prospect.emails[0] if prospect.emails else None,
                        prospect.pipeline,
                        event.at.isoformat(),
                    ),
                )
            elif payload.from_status is Status.WON:
                db.execute("DELETE FROM customers WHERE prospect_id = ?", (prospect.id,))

    def customers(self) -> list[Customer]:
        rows = self.repository.connection.execute(
            "SELECT prospect_id, name, company, email, pipeline, since FROM customers "
            "ORDER BY since, prospect_id"
        ).fetchall()
        return [
            Customer(pid, name, company, email, pipeline, datetime.fromisoformat(since))
            for pid, name, company, email, pipeline, since in rows
        ]
