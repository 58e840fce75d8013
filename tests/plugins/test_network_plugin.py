"""``network_hooks``: a network plugin's two hooks in one call, importing nothing early."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.hooks import Hooks
from socialcrm.plugins import get_plugin_manager

BUILT_IN = ("linkedin", "x", "facebook", "instagram", "youtube")


@pytest.mark.parametrize("network", BUILT_IN)
def test_the_five_plugins_are_one_helper_call(network: str) -> None:
    module = importlib.import_module(f"socialcrm_{network}")
    for hook in ("register_networks", "register_importers"):
        assert getattr(module, hook).__module__ == "socialcrm.network_plugin"
    info = {i.name: i for i in get_plugin_manager().plugin_infos()}[network]
    assert (info.status, info.hooks) == ("active", ("register_importers", "register_networks"))


def test_loading_the_plugins_imports_no_adapter_or_importer() -> None:
    code = (
        "import sys\n"
        f"for n in {BUILT_IN!r}:\n"
        "    __import__(f'socialcrm_{n}')\n"
        "print(sorted(m for m in sys.modules if m.endswith(('.adapter', '.importers'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throw-away network plugin package written with the helper."""
    package = tmp_path / "acme_net"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from socialcrm.network_plugin import network_hooks\n\n"
        "register_networks, register_importers = network_hooks(__name__)\n",
        encoding="utf-8",
    )
    (package / "adapter.py").write_text(
        textwrap.dedent(
            """
            from socialcrm.networks import BaseNetworkAdapter, Channel, ChecklistItem

            class Acme(BaseNetworkAdapter):
                def handle_from_text(self, text):
                    return text.lower()

                def profile_url(self, handle):
                    return "https://acme.example/" + handle

            def create_adapter():
                return Acme(
                    id="acme", name="Acme", domains=("acme.example",),
                    channels=[Channel("dm", "DM", 100)],
                    checklist=[ChecklistItem("photo", "Photo", "people answer a face")],
                )
            """
        ),
        encoding="utf-8",
    )
    (package / "importers.py").write_text(
        textwrap.dedent(
            """
            class AcmeImporter:
                name = "acme-contacts"
                description = "Acme contacts"

                def sniff(self, path, head):
                    return False

                def read(self, path, networks):
                    return iter(())

            def create_importers():
                return [AcmeImporter()]
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "acme_net"
    for name in [m for m in sys.modules if m.startswith("acme_net")]:
        del sys.modules[name]


def test_the_helpers_hooks_register_the_adapter_and_importers(acme: str) -> None:
    plugin = importlib.import_module(acme)
    assert f"{acme}.adapter" not in sys.modules  # imported when the hook runs
    hooks = Hooks(get_plugin_manager(entrypoints=False, builtins=False, plugins=[plugin]))
    assert hooks.networks.parse("acme:Ana").url == "https://acme.example/ana"
    assert list(hooks.importers) == ["acme-contacts"]
    assert hooks.failures == []
