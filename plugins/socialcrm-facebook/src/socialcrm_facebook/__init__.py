"""Facebook for socialcrm, registered through the ``socialcrm`` entry point.

The hook implementations only import the adapter when called, so loading the
plugin costs nothing until the CRM needs a network.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from socialcrm import hookimpl

if TYPE_CHECKING:  # annotations only: loading the plugin imports nothing more
    from socialcrm import NetworkAdapter
    from socialcrm.io.formats import Importer


@hookimpl
def register_networks(register: Callable[[NetworkAdapter], None]) -> None:
    """Hand socialcrm the Facebook adapter."""
    from socialcrm_facebook.adapter import create_adapter

    register(create_adapter())


@hookimpl
def register_importers(register: Callable[[Importer], None]) -> None:
    """Hand socialcrm the reader of Facebook's friends list."""
    from socialcrm_facebook.importers import FriendsImporter

    register(FriendsImporter())
