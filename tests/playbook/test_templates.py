"""Stage 4: templates — variables, unknown names refused, channel limits with the count."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm import CRM, MessageTooLongError, Prospect
from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.models import nfc
from socialcrm.playbook.templates import (
    delete_template,
    get_template,
    list_templates,
    render,
    render_for,
    set_template,
    variables,
)
from socialcrm.plugins import get_plugin_manager
from socialcrm.repository import MemoryRepository
from socialcrm.testing import FrozenClock


def _jane(crm: CRM) -> Prospect:
    p = crm.add(
        "Jane Doe",
        urls=["https://testnet.example/jane"],
        company="Acme",
        title="CTO",
        custom={"budget": "10k"},
    )
    return crm.set_point_of_interest(p.id, "your post on hiring SDRs")


def test_render_fills_variables_and_custom_fields(crm: CRM) -> None:
    p = _jane(crm)
    text = "Hi {first_name}, {title} at {company}: loved {point_of_interest}. {budget}? {{ok}}"
    assert variables(text) == ["first_name", "title", "company", "point_of_interest", "budget"]
    assert render(text, p) == ("Hi Jane, CTO at Acme: loved your post on hiring SDRs. 10k? {ok}")


def test_unknown_variable_is_refused_by_name(crm: CRM) -> None:
    p = _jane(crm)
    with pytest.raises(ValidationError) as info:
        render("Hi {frist_name}", p, template="intro")
    assert str(info.value.message) == "intro: unknown variable {frist_name}"
    assert info.value.value == "frist_name"
    assert info.value.hint is not None and "first_name" in info.value.hint


def test_missing_value_is_refused(crm: CRM) -> None:
    p = crm.add("Zoé", urls=["https://testnet.example/zoe"])
    with pytest.raises(ValidationError, match=r"has no value for \{company\}"):
        render("About {company}", p)


@pytest.mark.parametrize(
    ("text", "message"),
    [("Hi {", "Single '{'"), ("Hi {name!r}", "format"), ("Hi {}", "empty variable")],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        variables(text)


def test_rendered_message_is_checked_against_the_channel(crm: CRM) -> None:
    p = _jane(crm)
    ok = render_for(crm, "Hi {first_name}!", p, "testnet", "note", template="t")
    assert (ok.text, ok.length, ok.limit) == ("Hi Jane!", 8, 50)
    with pytest.raises(MessageTooLongError) as info:
        render_for(crm, "Hi {first_name}! " + "x" * 60, p, "testnet", "note", template="t")
    assert (info.value.length, info.value.limit) == (69, 50)


def test_linkedin_connection_note_over_300_characters_is_refused_with_the_count(
    clock: FrozenClock,
) -> None:
    pytest.importorskip("socialcrm_linkedin")
    crm = CRM(MemoryRepository(), get_plugin_manager(), clock=clock)
    p = crm.add("Jane Doe", urls=["https://www.linkedin.com/in/jane-doe"], company="Acme")
    set_template(crm, "long-note", "Hello {first_name} from {company}! " + "é" * 290)
    text = get_template(crm.pipeline, "long-note")
    with pytest.raises(MessageTooLongError) as info:
        render_for(crm, text, p, "linkedin", "connection_note", template="long-note")
    assert info.value.length == 312 and info.value.limit == 300
    assert "message is 312 characters, 12 over the 300-character limit" in str(info.value)
    fits = render_for(crm, "Hello {first_name}", p, "linkedin", "connection_note", template="s")
    assert fits.limit == 300


def test_template_store(crm: CRM) -> None:
    assert set_template(crm, "Intro", "Hi {first_name}") == "intro"
    assert list_templates(crm.pipeline) == {"intro": "Hi {first_name}"}
    with pytest.raises(ValidationError, match="invalid template name"):
        set_template(crm, "bad name!", "x")
    with pytest.raises(ValidationError):
        set_template(crm, "broken", "Hi {")
    delete_template(crm, "intro")
    with pytest.raises(NotFoundError):
        get_template(crm.pipeline, "intro")


@given(st.text(max_size=80))
def test_any_text_either_renders_or_is_refused_with_a_validation_error(text: str) -> None:
    p = Prospect(
        id="01P",
        name="Jane Doe",
        first_name="Jane",
        last_name="Doe",
        company="Acme",
        title="CTO",
        sector="SaaS",
        location="Lyon",
        custom={"budget": "10k"},
    )
    try:
        names = variables(text)
        rendered = render(text, p)
    except ValidationError:
        return
    if not names:  # no variable: the text itself, braces unescaped
        assert rendered == nfc(text.replace("{{", "{").replace("}}", "}"))
