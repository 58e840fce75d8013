"""Built-in file formats, registered through the same hooks as network plugins.

``trylast=True`` puts them after plugins: a plugin's importer gets the first
chance to recognise a file (format detection asks importers in hook order),
and a plugin may replace a built-in format by registering the same name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from socialcrm.hookspecs import hookimpl

if TYPE_CHECKING:  # annotations only: registering the built-ins imports no format code
    from socialcrm.formats import Exporter, Importer


@hookimpl(trylast=True)
def register_importers(register: Callable[[Importer], None]) -> None:
    from socialcrm.io.generic_csv import GenericCSVImporter
    from socialcrm.io.jsonio import JSONImporter
    from socialcrm.io.vcard import VCardImporter

    register(JSONImporter())
    register(VCardImporter())
    register(GenericCSVImporter())  # last: it accepts any CSV with a name column


@hookimpl(trylast=True)
def register_exporters(register: Callable[[Exporter], None]) -> None:
    from socialcrm.io.exports import CSVExporter, HubSpotExporter, TwentyExporter
    from socialcrm.io.jsonio import JSONExporter
    from socialcrm.io.vcard import VCardExporter

    register(JSONExporter())
    register(CSVExporter())
    register(VCardExporter("3.0"))
    register(VCardExporter("4.0"))
    register(HubSpotExporter())
    register(TwentyExporter())
