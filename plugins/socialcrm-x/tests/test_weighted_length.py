"""X counts a post by weight (twitter-text v3): checked against twitter-text's own
conformance examples, then through socialcrm's message check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from socialcrm_x.adapter import create_adapter

from socialcrm.crm import CRM
from socialcrm.errors import MessageTooLongError
from socialcrm.plugins import get_plugin_manager

CONFORMANCE = json.loads(
    (Path(__file__).parent / "fixtures" / "twitter-text-validate-v3.json").read_text("utf-8")
)
CASES = [
    pytest.param(case, id=f"{section}: {case['description']}")
    for section, cases in CONFORMANCE["tests"].items()
    for case in cases
]


@pytest.mark.parametrize("case", CASES)
def test_conformance_weighted_length(case: dict[str, Any]) -> None:
    adapter = create_adapter()
    assert adapter.text_length(case["text"], "post") == case["expected"]["weightedLength"]


def test_conformance_examples_are_all_there() -> None:
    assert len(CASES) == 24


def test_posts_are_checked_by_weight() -> None:
    crm = CRM(None, get_plugin_manager())
    cjk = "字" * 150  # 150 characters, weight 300
    with pytest.raises(MessageTooLongError) as err:
        crm.networks.check_message("x", "post", cjk)
    assert err.value.length == 300
    short = "Lisez ceci : https://example.com/" + "a" * 300  # one long URL counts 23
    assert crm.networks.check_message("x", "post", short) == len("Lisez ceci : ") + 23
    assert crm.networks.check_message("linkedin", "message", cjk) == 150  # others unchanged
