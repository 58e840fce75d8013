"""Push every won prospect to another CRM: a JSON-lines file or a local HTTP endpoint.

socialcrm calls the ``on_event`` hook once per recorded event, after the store
committed it, with the full prospect.  This plugin reacts to conversions
(``status_changed`` to ``won``) and sends one JSON document::

    {"event": {...the event...}, "prospect": {...the whole prospect...}}

Configuration (environment, read when an event arrives — never at import):

``SOCIALCRM_SYNC_FILE``
    append one line per conversion to this file (created mode 0600: it holds
    personal data);
``SOCIALCRM_SYNC_URL``
    POST the document as JSON to this URL, which must be on the loopback
    interface (``http://127.0.0.1:8080/hook``): a relay you run yourself
    forwards it to the real CRM, so socialcrm never sends personal data off
    the machine on its own.

With neither set, the plugin does nothing.  A failure (full disk, relay down)
raises: socialcrm reports it with the plugin's name and the conversion stays
recorded.  A host application can also register ``CRMSync(file=..., url=...)``
explicitly instead of using the environment.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from socialcrm import Event, Prospect, Status, hookimpl
from socialcrm.models import StatusChanged

__all__ = ["CRMSync", "document", "is_conversion", "on_event"]

FILE_ENV = "SOCIALCRM_SYNC_FILE"
URL_ENV = "SOCIALCRM_SYNC_URL"
TIMEOUT_SECONDS = 5.0


def is_conversion(event: Event) -> bool:
    """Whether ``event`` marks the prospect as won."""
    payload = event.payload
    return isinstance(payload, StatusChanged) and payload.to_status is Status.WON


def document(event: Event, prospect: Prospect) -> dict[str, Any]:
    """The JSON document sent for a conversion (socialcrm's own versioned format)."""
    from socialcrm.serialization import to_dict

    return {"event": to_dict(event), "prospect": to_dict(prospect)}


def check_loopback(url: str) -> str:
    """Refuse any URL that is not http(s) on the loopback interface."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"}:
        raise ValueError(f"sync URL {url!r} must be http(s)")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"sync URL {url!r} is not on the loopback interface (127.0.0.1, ::1)")
    return url


class CRMSync:
    """The plugin, configured explicitly (``file`` and/or loopback ``url``)."""

    def __init__(self, *, file: str | Path | None = None, url: str | None = None) -> None:
        self.file = Path(file) if file else None
        self.url = check_loopback(url) if url else None

    def push(self, data: dict[str, Any]) -> None:
        line = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        if self.url is not None:
            request = urllib.request.Request(
                self.url,
                data=line.encode("utf-8"),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                if response.status >= 300:
                    raise RuntimeError(f"{self.url} answered HTTP {response.status}")

    @hookimpl
    def on_event(self, event: Event, prospect: Prospect | None) -> None:
        """Push conversions; ignore every other event."""
        if prospect is not None and is_conversion(event):
            self.push(document(event, prospect))


@hookimpl
def on_event(event: Event, prospect: Prospect | None) -> None:
    """The entry-point plugin: configured from the environment when an event arrives."""
    if prospect is None or not is_conversion(event):
        return
    file, url = os.environ.get(FILE_ENV), os.environ.get(URL_ENV)
    if file or url:
        CRMSync(file=file, url=url).push(document(event, prospect))
