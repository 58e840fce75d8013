"""socialcrm's test fixtures (plugin_manager, network_registry, crm, frozen_clock).

In a plugin's own repository, the usual one-liner in the root ``conftest.py`` is::

    pytest_plugins = ["socialcrm.testing"]

This example also runs inside socialcrm's own test-suite, where a conftest.py
below the root may not use ``pytest_plugins``; importing the fixtures does the
same and works in both places.
"""

from socialcrm.testing.fixtures import (  # noqa: F401
    crm,
    frozen_clock,
    network_registry,
    plugin_manager,
)
