"""Fixtures of the language tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from socialcrm import i18n


@pytest.fixture
def french() -> Iterator[None]:
    """The library's messages in French for one test, then English and not neutral again."""
    i18n.activate("fr")
    yield
    i18n.activate("en")
    i18n.set_neutral(False)
