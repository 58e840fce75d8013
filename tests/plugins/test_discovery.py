"""Discovery through entry points, block lists and loud failures of broken plugins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from socialcrm.errors import PluginError
from socialcrm.hooks import Hooks
from socialcrm.plugins import DISABLE_ENV, blocked_from_env, get_plugin_manager

from .conftest import InstallPlugin

NETWORK_PLUGINS = {
    "linkedin": "socialcrm-linkedin",
    "facebook": "socialcrm-facebook",
    "instagram": "socialcrm-instagram",
    "x": "socialcrm-x",
    "youtube": "socialcrm-youtube",
}

GOOD_PLUGIN = """
    from socialcrm import hookimpl

    @hookimpl
    def on_event(event, prospect):
        pass
"""


@pytest.fixture(autouse=True)
def _no_env_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENV, raising=False)


def test_the_five_network_plugins_come_from_their_entry_points() -> None:
    pm = get_plugin_manager()
    infos = {i.name: i for i in pm.plugin_infos()}
    for name, distribution in NETWORK_PLUGINS.items():
        info = infos[name]
        assert (info.distribution, info.status, info.builtin) == (distribution, "active", False)
        assert info.version
        assert "register_networks" in info.hooks
    networks = Hooks(pm).networks
    assert set(NETWORK_PLUGINS) <= {a.id for a in networks}


def test_without_entry_points_no_network_is_known() -> None:
    pm = get_plugin_manager(entrypoints=False)
    assert not set(NETWORK_PLUGINS) & {name for name, _ in pm.list_name_plugin()}
    assert len(Hooks(pm).networks) == 0


def test_env_variable_disables_a_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, " linkedin , youtube,")
    pm = get_plugin_manager()
    networks = Hooks(pm).networks
    assert "linkedin" not in networks and "youtube" not in networks
    assert "x" in networks
    disabled = {i.name: i for i in pm.plugin_infos() if i.status == "disabled"}
    assert disabled["linkedin"].distribution == "socialcrm-linkedin"
    assert set(disabled) == {"linkedin", "youtube"}


def test_block_argument_accepts_entry_point_or_distribution_names() -> None:
    pm = get_plugin_manager(block=["x", "socialcrm-facebook"])
    networks = Hooks(pm).networks
    assert "x" not in networks and "facebook" not in networks
    assert "linkedin" in networks


def test_distribution_names_are_compared_normalised() -> None:
    pm = get_plugin_manager(block=["Socialcrm_LinkedIn"])
    assert "linkedin" not in Hooks(pm).networks
    assert "x" in Hooks(pm).networks


def test_builtins_can_be_blocked_by_name() -> None:
    pm = get_plugin_manager(entrypoints=False)
    builtins = [i.name for i in pm.plugin_infos() if i.builtin]
    assert builtins, "socialcrm registers its own behaviour through the hooks"
    blocked = get_plugin_manager(entrypoints=False, block=builtins[:1])
    assert not blocked.has_plugin(builtins[0]) or blocked.get_plugin(builtins[0]) is None
    statuses = {i.name: i.status for i in blocked.plugin_infos()}
    assert statuses[builtins[0]] == "disabled"


def test_blocked_from_env_parses_a_comma_separated_list() -> None:
    assert blocked_from_env({DISABLE_ENV: "a, b,,c "}) == {"a", "b", "c"}
    assert blocked_from_env({}) == set()


def test_a_third_party_entry_point_is_discovered(install_plugin: InstallPlugin) -> None:
    install_plugin("audit", GOOD_PLUGIN, version="2.3")
    info = {i.name: i for i in get_plugin_manager().plugin_infos()}["audit"]
    assert (info.distribution, info.version, info.hooks) == (
        "socialcrm-test-audit",
        "2.3",
        ("on_event",),
    )


def test_a_broken_entry_point_does_not_take_the_others_down(
    install_plugin: InstallPlugin,
) -> None:
    install_plugin("aaa-broken", "raise RuntimeError('boom at import')\n")
    install_plugin("zzz-good", GOOD_PLUGIN)
    pm = get_plugin_manager()
    assert [(f.name, f.error) for f in pm.load_failures] == [
        ("aaa-broken", "RuntimeError: boom at import")
    ]
    assert pm.has_plugin("zzz-good")
    assert set(NETWORK_PLUGINS) <= {a.id for a in Hooks(pm).networks}
    failed = [i for i in pm.plugin_infos() if i.status == "failed"]
    assert [(i.name, i.distribution) for i in failed] == [
        ("aaa-broken", "socialcrm-test-aaa-broken")
    ]


def test_a_missing_module_is_a_load_failure(install_plugin: InstallPlugin) -> None:
    install_plugin("ghost", GOOD_PLUGIN, module="socialcrm_ghost_module")
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    (site / "socialcrm_ghost_module.py").unlink()
    pm = get_plugin_manager()
    assert [f.name for f in pm.load_failures] == ["ghost"]
    assert "ModuleNotFoundError" in pm.load_failures[0].error


def test_a_misspelled_hook_fails_loudly_naming_plugin_and_hook(
    install_plugin: InstallPlugin,
) -> None:
    install_plugin(
        "typo",
        """
        from socialcrm import hookimpl

        @hookimpl
        def on_evnet(event, prospect):
            pass
        """,
    )
    with pytest.raises(PluginError) as info:
        get_plugin_manager()
    assert (info.value.plugin, info.value.hook) == ("typo", "on_evnet")
    assert "did you mean 'on_event'" in str(info.value)
    assert "SOCIALCRM_DISABLE_PLUGINS=typo" in str(info.value)


def test_a_misspelled_hook_argument_fails_loudly(install_plugin: InstallPlugin) -> None:
    install_plugin(
        "badarg",
        """
        from socialcrm import hookimpl

        @hookimpl
        def check_transition(prospect, to_stag):
            return []
        """,
    )
    with pytest.raises(PluginError) as info:
        get_plugin_manager()
    assert (info.value.plugin, info.value.hook) == ("badarg", "check_transition")
    assert "to_stag" in str(info.value)


def test_a_misspelled_plugin_can_be_disabled(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(
        "typo", "from socialcrm import hookimpl\n\n@hookimpl\ndef on_evnet(event): ...\n"
    )
    monkeypatch.setenv(DISABLE_ENV, "typo")
    assert not get_plugin_manager().has_plugin("typo")


def test_an_optional_unknown_hook_is_allowed() -> None:
    from socialcrm import hookimpl

    class Future:
        @hookimpl(optionalhook=True)
        def hook_of_a_later_version(self) -> None: ...

    pm = get_plugin_manager(entrypoints=False, plugins=[Future()])
    assert len(pm.get_plugins()) >= 1


def test_an_entry_point_name_used_twice_is_reported(install_plugin: InstallPlugin) -> None:
    """The first found on sys.path wins, like an import; the other is reported, not hidden."""
    install_plugin("linkedin", GOOD_PLUGIN, distribution="socialcrm-linkedin-fork")
    pm = get_plugin_manager()
    failures = [f for f in pm.load_failures if f.name == "linkedin"]
    assert len(failures) == 1
    winner = pm.distributions["linkedin"][0]
    assert {winner, failures[0].distribution} == {"socialcrm-linkedin", "socialcrm-linkedin-fork"}
    assert f"already used by {winner}" in failures[0].error


def test_importing_socialcrm_loads_no_plugin() -> None:
    code = (
        "import sys, socialcrm, socialcrm.plugins, socialcrm.networks, socialcrm.hooks;"
        "print(sorted(m for m in sys.modules if m.startswith('socialcrm_')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
