"""A network plugin's hook implementations in one call.

A network plugin hands socialcrm its adapter and the readers of the
network's data-export files.  Written by hand that is the same two hook
functions in every plugin; with :func:`network_hooks` the plugin's
``__init__.py`` is one line::

    register_networks, register_importers = network_hooks(__name__)

The hooks import the plugin's modules only when called (``<package>.adapter``
for ``create_adapter()``, ``<package>.importers`` for ``create_importers()``),
so loading the plugin on every CLI run costs nothing more.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, NamedTuple

from socialcrm.hookspecs import hookimpl

if TYPE_CHECKING:
    from socialcrm.formats import Importer
    from socialcrm.networks import NetworkAdapter

__all__ = ["NetworkHooks", "network_hooks"]


class NetworkHooks(NamedTuple):
    """The two hook implementations of a network plugin, to bind as module attributes."""

    register_networks: Callable[[Callable[[NetworkAdapter], None]], None]
    register_importers: Callable[[Callable[[Importer], None]], None]


def network_hooks(
    package: str, *, adapter: str = "adapter", importers: str = "importers"
) -> NetworkHooks:
    """Hooks registering ``<package>.<adapter>.create_adapter()`` and every importer of
    ``<package>.<importers>.create_importers()``.

    Bind both to the plugin module's attributes of the same names: pluggy finds
    hook implementations by attribute name.
    """

    @hookimpl
    def register_networks(register: Callable[[NetworkAdapter], None]) -> None:
        module = importlib.import_module(f"{package}.{adapter}")
        register(module.create_adapter())

    @hookimpl
    def register_importers(register: Callable[[Importer], None]) -> None:
        module = importlib.import_module(f"{package}.{importers}")
        created: Iterable[Importer] = module.create_importers()
        for importer in created:
            register(importer)

    register_networks.__doc__ = f"Hand socialcrm the adapter of {package}."
    register_importers.__doc__ = f"Hand socialcrm the file readers of {package}."
    return NetworkHooks(register_networks, register_importers)
