"""The example plugin's own tests: adapter contract, configuration, discovery, CRM use.

They use socialcrm's opt-in test helpers: the ``plugin_manager``, ``crm`` and
``network_registry`` fixtures and the :class:`NetworkAdapterContract` suite.
"""

from __future__ import annotations

import pytest
from socialcrm_mastodon import INSTANCES_ENV
from socialcrm_mastodon.adapter import MastodonAdapter, create_adapter

from socialcrm import CRM, InvalidURLError
from socialcrm.networks import NetworkRegistry
from socialcrm.plugins import SocialPluginManager
from socialcrm.testing.networks import NetworkAdapterContract


class TestMastodon(NetworkAdapterContract):
    accepted = (
        ("https://mastodon.social/@Ana", "mastodon:ana@mastodon.social"),
        ("http://mastodon.social/@ana/", "mastodon:ana@mastodon.social"),
        ("https://fosstodon.org/users/bo_chen", "mastodon:bo_chen@fosstodon.org"),
        ("https://mastodon.social/@ana@hachyderm.io", "mastodon:ana@hachyderm.io"),
        ("https://mas.to/@ana/with_replies", "mastodon:ana@mas.to"),
        ("@Ana@mastodon.social", "mastodon:ana@mastodon.social"),
        ("ana@mastodon.online", "mastodon:ana@mastodon.online"),
    )
    rejected = (
        ("https://mastodon.social/about", "expected https://<instance>/@user"),
        ("https://mastodon.social/@ana/1234567", "expected https://<instance>/@user"),
        ("https://mastodon.social/@ana@unknown.example", "unknown instance"),
        ("https://evil.example/@ana", "not on mastodon.social"),
        ("@ana", "user@instance"),
        ("@ana-b@mastodon.social", "1 to 30"),
        ("@ana@not_a_host", "not an instance host name"),
    )

    @pytest.fixture
    def adapter(self) -> MastodonAdapter:
        return create_adapter()


def test_discovered_through_its_entry_point(plugin_manager: SocialPluginManager) -> None:
    info = {i.name: i for i in plugin_manager.plugin_infos()}["mastodon"]
    assert (info.distribution, info.status, info.hooks) == (
        "socialcrm-mastodon",
        "active",
        ("register_networks",),
    )


def test_registered_in_the_network_registry(network_registry: NetworkRegistry) -> None:
    assert network_registry.parse("mastodon:@ana@mastodon.social").url == (
        "https://mastodon.social/@ana"
    )


def test_instances_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, network_registry: NetworkRegistry
) -> None:
    with pytest.raises(InvalidURLError):
        network_registry.parse("https://social.example.org/@ana")
    monkeypatch.setenv(INSTANCES_ENV, "social.example.org, Other.Example.NET")
    from socialcrm.hooks import Hooks
    from socialcrm.plugins import get_plugin_manager

    registry = Hooks(get_plugin_manager()).networks
    assert registry.parse("https://social.example.org/@ana").key == (
        "mastodon:ana@social.example.org"
    )
    assert registry.parse("mastodon:ana@other.example.net").url == "https://other.example.net/@ana"


def test_a_bad_configured_instance_is_refused() -> None:
    with pytest.raises(ValueError, match="not an instance host name"):
        create_adapter(["https://oops.example"])


def test_a_crm_files_prospects_by_mastodon_account(crm: CRM) -> None:
    ana = crm.add("Ana Lima", urls=["https://mastodon.social/@Ana"])
    assert [i.key for i in ana.identities] == ["mastodon:ana@mastodon.social"]
    assert crm.resolve("mastodon:@ana@mastodon.social").id == ana.id
    crm.log_message(ana.id, "Merci pour le fil sur la prospection !", channel="post")
