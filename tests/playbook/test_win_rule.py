"""Stage 5: winning needs a way to reach the customer, unless forced."""

from __future__ import annotations

import pytest

from socialcrm import CRM, Stage, Status, TransitionRefusedError


def _at_convert(crm: CRM, **fields: object) -> str:
    p = crm.add("Jane Doe", urls=["https://testnet.example/jane"], **fields)  # type: ignore[arg-type]
    return crm.move(p.id, Stage.CONVERT, force=True).id


def test_won_needs_an_email_or_a_phone(crm: CRM) -> None:
    pid = _at_convert(crm)
    with pytest.raises(TransitionRefusedError) as info:
        crm.win(pid)
    assert [p.rule for p in info.value.problems] == ["convert.reachable"]
    assert "no e-mail or phone" in info.value.problems[0].message
    assert crm.get(pid).status is Status.OPEN
    crm.edit(pid, add_phones=["+33 6 12 34 56 78"])
    assert crm.win(pid).status is Status.WON


def test_email_is_enough(crm: CRM) -> None:
    pid = _at_convert(crm, emails=["jane@example.org"])
    assert crm.win(pid).status is Status.WON


def test_forced_win_is_recorded(crm: CRM) -> None:
    pid = _at_convert(crm)
    assert crm.win(pid, force=True).status is Status.WON
    last = crm.history(pid)[-1].payload
    assert getattr(last, "forced", False) is True
