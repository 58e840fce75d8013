"""The host application: its own SQLite database, with socialcrm for prospecting.

Everything socialcrm needs is handed in explicitly — the repository, the
plugin manager (no entry-point scan: the host decides which plugins run) and
the clock — so the host stays in control and its tests are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from host_crm import forum
from host_crm.sqlite_repository import SQLiteRepository
from host_crm.sync import CUSTOMERS_SCHEMA, Customer, WonProspectSync
from socialcrm import CRM, PluginFailure
from socialcrm.plugins import get_plugin_manager

__all__ = ["HostCRM"]


class HostCRM:
    """A small CRM whose prospecting pipeline is socialcrm's.

    :param path: the host's SQLite database (socialcrm's tables live beside
        the host's ``customers`` table, in the same transactions).
    :param clock: passed to socialcrm (timezone-aware ``datetime`` factory).
    :param actor: who works in this session (recorded on every event).
    :param plugins: more plugins (e.g. ``socialcrm_linkedin``) besides the host's own.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] | None = None,
        actor: str | None = None,
        plugins: Iterable[object] = (),
    ) -> None:
        self.repository = SQLiteRepository(path)
        with self.repository.transaction():
            self.repository.connection.execute(CUSTOMERS_SCHEMA)
        self.sync = WonProspectSync(self.repository)
        self.failures: list[PluginFailure] = []
        plugin_manager = get_plugin_manager(entrypoints=False, plugins=[forum, self.sync, *plugins])
        self.crm = CRM(
            repository=self.repository,
            plugin_manager=plugin_manager,
            clock=clock,
            actor=actor,
            report=self.failures.append,
        )

    def customers(self) -> list[Customer]:
        """The host's customers (filled by :class:`WonProspectSync`)."""
        return self.sync.customers()

    def close(self) -> None:
        self.crm.close()

    def __enter__(self) -> HostCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
