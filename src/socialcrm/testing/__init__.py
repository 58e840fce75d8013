"""Test helpers for plugin authors and host applications (opt-in).

Enable the fixtures with ``pytest_plugins = ["socialcrm.testing"]`` in a
``conftest.py``; reuse the storage contract with
:class:`socialcrm.testing.contract.RepositoryContract`.
"""

from socialcrm.testing.fixtures import (
    FrozenClock,
    crm,
    frozen_clock,
    network_registry,
    plugin_manager,
)

__all__ = ["FrozenClock", "crm", "frozen_clock", "network_registry", "plugin_manager"]
