"""The NetworkAdapter contract itself: it passes a sound adapter and catches a sloppy one."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from socialcrm.models import Identity
from socialcrm.networks import BaseNetworkAdapter, Channel, ChecklistItem, match_handle
from socialcrm.testing.networks import NetworkAdapterContract

_NAME = re.compile(r"^[a-z]{2,20}$")


class Gopher(BaseNetworkAdapter):
    """A sound adapter: /~<name> on gopher.example."""

    def handle_from_url(self, parts: urllib.parse.SplitResult) -> str:
        path = parts.path.strip("/")
        if not path.startswith("~"):
            raise ValueError("expected gopher.example/~<name>")
        return self.handle_from_text(path[1:])

    def handle_from_text(self, text: str) -> str:
        return match_handle(text, _NAME, "2 to 20 letters")

    def profile_url(self, handle: str) -> str:
        return f"https://gopher.example/~{handle}"


def gopher() -> Gopher:
    return Gopher(
        id="gopher",
        name="Gopher",
        domains=("gopher.example",),
        channels=[Channel("note", "Note", 140)],
        checklist=[ChecklistItem("photo", "A photo", "people answer a face more than a logo")],
    )


class Sloppy:
    """Reads the last path segment of anything: no scheme, host or character checks."""

    id = "gopher"
    name = "Gopher"
    domains = ("gopher.example",)
    channels: Mapping[str, Channel] = {"note": Channel("note", "Note", 140)}
    checklist: Sequence[ChecklistItem] = (
        ChecklistItem("photo", "A photo", "people answer a face more than a logo"),
    )

    def parse(self, text: str) -> Identity:
        handle = text.rstrip("/").rsplit("/", 1)[-1].removeprefix("~").lower()
        if not handle:
            from socialcrm.errors import InvalidURLError

            raise InvalidURLError(text, "empty", network="gopher")
        return Identity("gopher", handle, self.profile_url(handle))

    def profile_url(self, handle: str) -> str:
        return f"https://gopher.example/~{handle}"


class Suite(NetworkAdapterContract):
    accepted = (("https://gopher.example/~ana", "gopher:ana"), ("@Bo", "gopher:bo"))
    rejected = (("https://gopher.example/ana", "expected gopher.example/~<name>"),)


TESTS: list[str] = sorted(n for n in dir(NetworkAdapterContract) if n.startswith("test_"))


def run(test: str, adapter: Any) -> None:
    method: Callable[..., None] = getattr(Suite(), test)
    method(adapter)


@pytest.mark.parametrize("test", TESTS)
def test_a_sound_adapter_passes_the_contract(test: str) -> None:
    run(test, gopher())


@pytest.mark.parametrize(
    "test",
    ["test_fixed_hostile_urls_rejected", "test_hostile_urls_rejected", "test_rejected_examples"],
)
def test_a_sloppy_adapter_fails_the_contract(test: str) -> None:
    with pytest.raises((AssertionError, pytest.fail.Exception)):
        run(test, Sloppy())
