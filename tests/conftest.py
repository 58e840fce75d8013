"""Suite-wide setup: the tests never read or write the user's real caches or configuration."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# SOCIALCRM_CACHE_DIR for the library; XDG_CACHE_HOME (where platformdirs puts the user
# cache on Linux) for CLI subprocess tests that drop every SOCIALCRM_* variable.
# XDG_CONFIG_HOME (the configuration file's directory) likewise, and no SOCIALCRM_CONFIG
# from the developer's shell.
_CACHE_VARIABLES = ("SOCIALCRM_CACHE_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "SOCIALCRM_CONFIG")


def pytest_configure(config: pytest.Config) -> None:
    """Point the caches at a throw-away directory for the whole run (subprocesses inherit it).

    In ``os.environ`` rather than a fixture so CLI tests started as
    subprocesses, and tests outside ``tests/``, get it too.
    """
    root = tempfile.mkdtemp(prefix="socialcrm-test-cache-")
    saved = {name: os.environ.get(name) for name in _CACHE_VARIABLES}
    os.environ["SOCIALCRM_CACHE_DIR"] = os.path.join(root, "socialcrm")  # noqa: PTH118
    os.environ["XDG_CACHE_HOME"] = os.path.join(root, "xdg")  # noqa: PTH118
    os.environ["XDG_CONFIG_HOME"] = os.path.join(root, "xdg-config")  # noqa: PTH118
    os.environ.pop("SOCIALCRM_CONFIG", None)

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(root, ignore_errors=True)

    config.add_cleanup(restore)
