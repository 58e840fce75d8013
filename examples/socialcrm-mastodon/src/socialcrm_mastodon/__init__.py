"""Mastodon for socialcrm: an example of a third-party network plugin.

socialcrm finds this module through the ``socialcrm`` entry point declared in
``pyproject.toml`` and calls the hook implementations below.  Configuration
(the instances to trust) is read when the hook runs, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from socialcrm import hookimpl

if TYPE_CHECKING:  # annotations only: loading the plugin imports nothing more
    from socialcrm import NetworkAdapter

INSTANCES_ENV = "SOCIALCRM_MASTODON_INSTANCES"


@hookimpl
def register_networks(register: Callable[[NetworkAdapter], None]) -> None:
    """Hand socialcrm a Mastodon adapter for the default and configured instances."""
    from socialcrm_mastodon.adapter import create_adapter

    extra = os.environ.get(INSTANCES_ENV, "")
    register(create_adapter(extra_instances=[i for i in extra.split(",") if i.strip()]))
