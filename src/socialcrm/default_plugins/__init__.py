"""Behaviour that ships with socialcrm, registered through the same hooks as plugins.

Each module listed in :data:`socialcrm.plugins.DEFAULT_PLUGINS` is registered by
:func:`socialcrm.plugins.get_plugin_manager` after the entry-point plugins, and
its implementations use ``trylast=True`` so a third-party plugin can win.  These
modules plug features (file formats, the playbook) into the core: the core
names them but never imports them.
"""
