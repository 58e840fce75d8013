"""Suite-wide setup: the tests never read or write the user's real caches."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

# SOCIALCRM_CACHE_DIR for the library; XDG_CACHE_HOME (where platformdirs puts the user
# cache on Linux) for CLI subprocess tests that drop every SOCIALCRM_* variable.
_CACHE_VARIABLES = ("SOCIALCRM_CACHE_DIR", "XDG_CACHE_HOME")


def pytest_configure(config: pytest.Config) -> None:
    """Point the caches at a throw-away directory for the whole run (subprocesses inherit it).

    In ``os.environ`` rather than a fixture so CLI tests started as
    subprocesses, and tests outside ``tests/``, get it too.
    """
    root = tempfile.mkdtemp(prefix="socialcrm-test-cache-")
    saved = {name: os.environ.get(name) for name in _CACHE_VARIABLES}
    os.environ["SOCIALCRM_CACHE_DIR"] = os.path.join(root, "socialcrm")  # noqa: PTH118
    os.environ["XDG_CACHE_HOME"] = os.path.join(root, "xdg")  # noqa: PTH118

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(root, ignore_errors=True)

    config.add_cleanup(restore)
