"""The importer/exporter contract, under its former name (now :mod:`socialcrm.formats`).

Plugins written against ``socialcrm.io.formats`` keep working; new code
imports :mod:`socialcrm.formats`.
"""

from socialcrm.formats import *  # noqa: F403  (the same names, re-exported)
from socialcrm.formats import __all__ as __all__
