"""LinkedIn URL forms, canonical identities and refusals (no network access)."""

from __future__ import annotations

import pytest
from socialcrm_linkedin.adapter import LinkedInAdapter, create_adapter

from socialcrm.testing.networks import NetworkAdapterContract


class TestLinkedIn(NetworkAdapterContract):
    accepted = (
        ("https://www.linkedin.com/in/jean-dupont", "linkedin:jean-dupont"),
        ("linkedin.com/in/Jean-Dupont/", "linkedin:jean-dupont"),
        ("http://fr.linkedin.com/in/jean-dupont?originalSubdomain=fr", "linkedin:jean-dupont"),
        ("https://www.linkedin.com/in/jean-dupont/?trk=public_profile", "linkedin:jean-dupont"),
        ("https://uk.linkedin.com/in/jean-dupont-0a1b2c3d", "linkedin:jean-dupont-0a1b2c3d"),
        ("https://www.linkedin.com/in/%C3%89ric-Mu%C3%B1oz", "linkedin:éric-muñoz"),
        ("https://www.linkedin.com/in/%E7%8E%8B%E5%B0%8F%E6%98%8E", "linkedin:王小明"),
        ("https://www.linkedin.com/in/jean-dupont/details/experience/", "linkedin:jean-dupont"),
        ("https://www.linkedin.com/m/in/jean-dupont", "linkedin:jean-dupont"),
        ("https://www.linkedin.com/comm/in/jean-dupont", "linkedin:jean-dupont"),
        ("https://www.linkedin.com/pub/jean-dupont/1a/2b3/4c5", "linkedin:jean-dupont-4c52b31a"),
        ("https://www.linkedin.com/pub/jean-dupont/0/5/a2", "linkedin:jean-dupont-0a205"),
        ("https://www.linkedin.com:443/in/jean-dupont", "linkedin:jean-dupont"),
        ("jean-dupont", "linkedin:jean-dupont"),
        ("Éric-Muñoz", "linkedin:éric-muñoz"),
        # a company page: an organisation's identity (issue 25)
        ("https://www.linkedin.com/company/acme", "linkedin:company/acme"),
        ("https://fr.linkedin.com/company/Acme-SAS/about/", "linkedin:company/acme-sas"),
        ("company/acme", "linkedin:company/acme"),
    )
    rejected = (
        ("https://www.linkedin.com/company/", "expected linkedin.com/in/<name>"),
        ("company/a", "3 to 100"),
        ("https://www.linkedin.com/school/sorbonne/", "school page"),
        ("https://www.linkedin.com/posts/jean-dupont_activity-1", "post"),
        ("https://www.linkedin.com/feed/", "feed page"),
        ("https://www.linkedin.com/", "expected linkedin.com/in/<name>"),
        ("https://www.linkedin.com/in/", "expected linkedin.com/in/<name>"),
        ("https://www.linkedin.com/pub/dir/jean/dupont", "expected linkedin.com/in/<name>"),
        ("https://www.linkedin.com/in/jd", "3 to 100"),
        ("https://www.linkedin.com/in/jean%20dupont", "unexpected character"),
        ("https://www.linkedin.com/in/jean%2Fdupont", "unexpected character"),
        ("https://www.linkedin.com/in/%FF%FE", "invalid"),
        ("https://www.linkedin.com.evil.example/in/jean-dupont", "not on linkedin.com"),
        ("https://evil.example/in/jean-dupont", "not on linkedin.com"),
        ("javascript:alert(1)", "only http and https"),
        ("https://jean@www.linkedin.com/in/jean-dupont", "user information"),
        ("https://www.linkedin.com:8443/in/jean-dupont", "port 8443"),
        ("https://www.linkedin.com/in/jean-dupont\n", "whitespace"),
        ("jean_dupont!", "3 to 100"),
    )

    @pytest.fixture
    def adapter(self) -> LinkedInAdapter:
        return create_adapter()


def test_canonical_url_percent_encodes_non_ascii() -> None:
    identity = create_adapter().parse("https://fr.linkedin.com/in/%C3%A9ric-dupont/")
    assert identity.url == "https://www.linkedin.com/in/%C3%A9ric-dupont"
    assert identity.handle == "éric-dupont"


def test_free_account_connection_note_limit_is_documented() -> None:
    note = create_adapter().channels["connection_note"]
    assert note.limit == 300
    assert note.note is not None and "200" in note.note


def test_a_company_page_is_an_organisation_and_a_profile_is_not() -> None:
    adapter = create_adapter()
    page = adapter.parse("https://www.linkedin.com/company/acme/posts/")
    assert (page.handle, page.url) == ("company/acme", "https://www.linkedin.com/company/acme")
    assert adapter.is_organisation(page.handle)
    assert adapter.parse(page.url) == page  # the canonical URL reads back the same
    assert not adapter.is_organisation(adapter.parse("linkedin.com/in/jean-dupont").handle)
    # a person whose slug starts with "company" is still a person
    person = adapter.parse("https://www.linkedin.com/in/company-jean")
    assert (person.handle, adapter.is_organisation(person.handle)) == ("company-jean", False)
