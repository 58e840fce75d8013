"""A prospect's contact fields: what is accepted, its normal form, and what is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.contact_fields import (
    company_size_value,
    normalize_email,
    normalize_phone,
    split_name,
    unique_emails,
)
from socialcrm.errors import ValidationError


def test_an_email_is_trimmed_and_its_domain_lower_cased() -> None:
    assert normalize_email(" Jane@ACME.Example ") == "Jane@acme.example"


@pytest.mark.parametrize("value", ["jane@", "@acme.example", "jane", "jane@@acme.example"])
def test_an_invalid_email_names_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_email(value)
    assert info.value.field == "emails"
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),  # national form, read in the rep's region
        ("+33 6 12 34 56 78", "DE", "+33612345678"),  # international form, whatever the region
        ("+44 20 7946 0958", "FR", "+442079460958"),
    ],
)
def test_a_phone_number_is_stored_in_e164(value: str, region: str, expected: str) -> None:
    assert normalize_phone(value, region) == expected


@pytest.mark.parametrize("value", ["+33 6 12 34", "+33 6 12 34 56 78 90 12"])
def test_a_phone_number_of_the_wrong_length_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="wrong length") as info:
        normalize_phone(value, "FR")
    assert info.value.field == "phones"


def test_text_that_is_no_phone_number_says_how_to_write_one() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_phone("call me", "FR")
    assert info.value.field == "phones"
    assert info.value.hint is not None and "+33" in info.value.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  ", None), ("42", 42), (" 7 ", 7), (0, 0), (250, 250)],
)
def test_a_company_size_is_a_head_count(value: object, expected: int | None) -> None:
    assert company_size_value(value) == expected


@pytest.mark.parametrize("value", [-1, True, 3.5, "abc", "-3", "1e3", [10]])
def test_anything_else_is_refused_as_company_size(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        company_size_value(value)
    assert info.value.field == "company_size"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Doe", ("Jane", "Doe")),
        ("Jean-Pierre de la Tour", ("Jean-Pierre", "de la Tour")),
        ("  Zoé   Martin ", ("Zoé", "Martin")),
        ("山田太郎", ("太郎", "山田")),  # CJK: family name first (socialcrm.names)
        ("Cher", (None, None)),
    ],
)
def test_a_display_name_is_split_only_at_spaces(
    name: str, expected: tuple[str | None, str | None]
) -> None:
    assert split_name(name) == expected


@given(st.lists(st.sampled_from(["a@x.org", "A@x.org", "a@X.ORG", "b@x.org", "B@X.org", "c@y.fr"])))
def test_unique_emails_keeps_the_first_spelling_of_each_address(emails: list[str]) -> None:
    result = unique_emails(emails)
    folded = [e.casefold() for e in result]
    assert len(folded) == len(set(folded))
    assert set(folded) == {e.casefold() for e in emails}
    firsts = {}
    for email in emails:
        firsts.setdefault(email.casefold(), email)
    assert result == list(firsts.values())
