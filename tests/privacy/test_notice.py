"""The information notice: texts in French and English, given with a message or another way,
and who is overdue."""

from __future__ import annotations

import pytest

from socialcrm import CRM
from socialcrm.errors import MessageTooLongError, ValidationError
from socialcrm.models import NoticeGiven
from socialcrm.privacy.notice import log_message, notice_status, notice_text, overdue, record_notice
from socialcrm.privacy.settings import configure, settings_of
from socialcrm.privacy.texts import KINDS, render_text, shipped_texts
from socialcrm.testing import FrozenClock


@pytest.fixture
def configured(crm: CRM) -> CRM:
    configure(crm, {"controller": "Acme SAS", "contact": "dpo@acme.example"})
    return crm


def test_shipped_texts_render_in_both_languages(configured: CRM) -> None:
    p = configured.add("Jane Doe", urls=["https://testnet.example/u/jane"])
    settings = settings_of(configured.pipeline)
    for kind in KINDS:
        for language, word in (("fr", "Acme SAS"), ("en", "Acme SAS")):
            text = render_text(settings, kind, p, language=language)
            assert word in text and "{" not in text and "None" not in text
    fr = render_text(settings, "notice", p, language="fr")
    assert "opposer" in fr and "CNIL" in fr and "testnet" in fr and "3 ans" in fr
    en = render_text(settings, "notice", p, language="en")
    assert "object" in en and "3 years" in en and "complain" in en
    # the right to object stands on a line of its own (GDPR art. 21(4))
    for text in shipped_texts().values():
        assert "{how_to_object}" in text or "{first_name}" in text


def test_text_needs_the_controller(crm: CRM) -> None:
    crm.add("Jane Doe")
    with pytest.raises(ValidationError, match="controller") as info:
        notice_text(crm, "Jane Doe")
    assert "privacy config --controller" in (info.value.hint or "")


def test_overridden_text_is_checked(configured: CRM, tmp_path: object) -> None:
    configure(configured, {"texts.short.en": "{controller}: stop with {how_to_object} {oops}"})
    configured.add("Jane Doe")
    with pytest.raises(ValidationError, match="oops"):
        notice_text(configured, "Jane Doe", short=True, language="en")
    configure(configured, {"texts.short.en": None})
    assert "Acme SAS found" in notice_text(configured, "Jane Doe", short=True, language="en")[1]
    with pytest.raises(ValidationError):
        configure(configured, {"texts.short.de": "x"})
    with pytest.raises(ValidationError):
        configure(configured, {"language": "de"})
    with pytest.raises(ValidationError):
        configure(configured, {"colour": "blue"})


def test_message_without_notice_is_logged_and_reported(configured: CRM) -> None:
    p = configured.add("Jane Doe", urls=["https://testnet.example/u/jane"])
    first = log_message(configured, p.id, "Hi")
    assert first.notice_missing and not first.notice_appended
    received = log_message(configured, p.id, "Hello back", received=True)
    assert not received.notice_missing
    with pytest.raises(ValidationError):
        log_message(configured, p.id, "x", received=True, with_notice=True)


def test_with_notice_appends_checks_the_limit_and_records(configured: CRM) -> None:
    p = configured.add("Jane Doe", urls=["https://testnet.example/u/jane"])
    # the test network's dm channel holds 20 characters: the notice cannot fit
    with pytest.raises(MessageTooLongError):
        log_message(configured, p.id, "Hi", channel="dm", with_notice=True)
    assert not notice_status(configured.history(p.id)).given  # nothing was written
    logged = log_message(configured, p.id, "Hi", with_notice=True, language="en")
    assert logged.text.startswith("Hi\n\n") and "Acme SAS" in logged.text
    events = configured.history(p.id)
    assert events[-2].payload.text == logged.text  # type: ignore[union-attr]
    status = notice_status(events)
    assert status.given and status.with_message and status.language == "en"
    assert not log_message(configured, p.id, "Again").notice_missing


def test_overdue(configured: CRM, clock: FrozenClock) -> None:
    silent = configured.add("Silent")
    wrote_first = configured.add("Wrote First")
    messaged = configured.add("Messaged")
    told = configured.add("Told")
    configured.log_message(wrote_first.id, "Hi, I saw your post", received=True)
    configured.log_message(messaged.id, "Hello")
    record_notice(configured, told.id, channel="email")
    clock.advance(days=30)
    assert [(o.name, o.reason) for o in overdue(configured)] == [
        ("Messaged", "messaged without the notice")
    ]
    clock.advance(days=1)
    assert [(o.name, o.days) for o in overdue(configured)] == [("Silent", 31), ("Messaged", 31)]
    assert silent.id in {o.prospect_id for o in overdue(configured, all_pipelines=True)}
    last = configured.history(told.id)[-1]
    assert isinstance(last.payload, NoticeGiven) and last.payload.channel == "email"
