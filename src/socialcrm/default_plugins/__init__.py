"""Behaviour that ships with socialcrm, registered through the same hooks as plugins.

Each module listed in :data:`DEFAULT_PLUGINS` is registered by
:func:`socialcrm.plugins.get_plugin_manager` after the entry-point plugins, and
its implementations use ``trylast=True`` so a third-party plugin can win.
"""

DEFAULT_PLUGINS: tuple[str, ...] = (
    "socialcrm.default_plugins.playbook",
    "socialcrm.default_plugins.formats",
)
