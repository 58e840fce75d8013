"""The host's own network: its community forum, registered as a socialcrm plugin.

A host does not need socialcrm's network plugins to record identities: any
object with the :class:`socialcrm.NetworkAdapter` shape, handed to the
``register_networks`` hook, turns its profile URLs into identities.  This
module is itself the plugin (pluggy accepts modules).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from attrs import field, frozen

from socialcrm import Channel, ChecklistItem, Identity, InvalidURLError, NetworkAdapter, hookimpl
from socialcrm.networks import check_profile_url

__all__ = ["ForumNetwork", "register_networks"]

_HANDLE = re.compile(r"[a-z0-9_][a-z0-9_.-]{0,38}")


def _channels() -> dict[str, Channel]:
    return {"pm": Channel("pm", "private message", 1000)}


@frozen
class ForumNetwork:
    """Profiles on ``https://forum.example.com/u/<handle>``."""

    id: str = "forum"
    name: str = "Example forum"
    domains: tuple[str, ...] = ("forum.example.com",)
    channels: Mapping[str, Channel] = field(factory=_channels)
    checklist: Sequence[ChecklistItem] = (
        ChecklistItem("avatar", "a real photo", "people answer faces, not logos"),
    )

    def parse(self, text: str) -> Identity:
        """A profile URL or a bare handle (``@ana`` or ``ana``) → identity."""
        text = text.strip()
        if "/" in text:
            parts = check_profile_url(text, self.domains, network=self.id)
            segments = [s for s in parts.path.split("/") if s]
            if len(segments) != 2 or segments[0] != "u":
                raise InvalidURLError(text, "not a profile URL (/u/<handle>)", network=self.id)
            handle = segments[1]
        else:
            handle = text.removeprefix("@")
        handle = handle.lower()
        if not _HANDLE.fullmatch(handle):
            raise InvalidURLError(text, "not a valid forum handle", network=self.id)
        return Identity(self.id, handle, self.profile_url(handle))

    def profile_url(self, handle: str) -> str:
        return f"https://forum.example.com/u/{handle}"


@hookimpl
def register_networks(register: Callable[[NetworkAdapter], None]) -> None:
    """Give socialcrm the forum adapter."""
    register(ForumNetwork())
