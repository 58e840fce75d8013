"""A tiny host CRM embedding socialcrm: SQLite storage, its own plugins.

See ``README.md`` next to this package.
"""

from host_crm.app import HostCRM
from host_crm.sqlite_repository import SQLiteRepository
from host_crm.sync import Customer, WonProspectSync

__all__ = ["Customer", "HostCRM", "SQLiteRepository", "WonProspectSync"]
