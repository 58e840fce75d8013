"""X (Twitter) for socialcrm, registered through the ``socialcrm`` entry point.

The hooks (:func:`socialcrm.network_plugin.network_hooks`) import
``adapter.py`` and ``importers.py`` only when called, so loading the plugin
costs nothing until the CRM needs a network or a file reader.
"""

from pathlib import Path

from socialcrm.i18n import add_domain
from socialcrm.network_plugin import network_hooks

register_networks, register_importers = network_hooks(__name__)

# its checklist and file descriptions in the rep's language (docs/plugins.md)
add_domain("socialcrm_x", Path(__file__).with_name("locale"))
