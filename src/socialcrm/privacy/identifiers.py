"""A person's normalised identifiers, and their keyed digests.

The suppression list and the erasure journal hold only
``HMAC-SHA256(store key, identifier)`` of these (hex), never a name:

* ``email:<address>`` — lower-cased, surrounding spaces removed (``+tags``
  are kept: they may be different mailboxes);
* ``phone:<E.164>`` — as the prospect stores it (``contact_fields.normalize_phone``,
  i.e. phonenumbers, a dependency already);
* ``handle:<network:handle>`` — the adapter's canonical handle;
* ``url:<canonical profile URL>`` — as the network adapter writes it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from socialcrm.contact_fields import normalize_email, normalize_phone
from socialcrm.models import Identity, Prospect

if TYPE_CHECKING:  # the URL rules of every network: a tenth of a ``note`` to import
    from socialcrm.networks import NetworkRegistry

__all__ = [
    "digest",
    "digests",
    "kind_of",
    "of_identity",
    "of_inputs",
    "of_parts",
    "of_prospect",
    "prospect_id_digest",
]


def of_identity(identity: Identity) -> Iterator[str]:
    yield f"handle:{identity.key}"
    yield f"url:{identity.url}"


def of_parts(
    emails: Iterable[str], phones: Iterable[str], identities: Iterable[Identity]
) -> list[str]:
    """The normalised identifiers of already-checked e-mails, E.164 phones and identities."""
    found = [f"email:{e.strip().casefold()}" for e in emails]
    found += [f"phone:{p}" for p in phones]
    for identity in identities:
        found.extend(of_identity(identity))
    return found


def of_prospect(prospect: Prospect) -> list[str]:
    """Every normalised identifier ``prospect`` holds."""
    return of_parts(prospect.emails, prospect.phones, prospect.identities)


def of_inputs(
    networks: NetworkRegistry,
    *,
    emails: Iterable[str] = (),
    urls: Iterable[str] = (),
    handles: Iterable[str] = (),
    phones: Iterable[str] = (),
    phone_region: str = "FR",
) -> list[str]:
    """Identifiers typed by a user (checked and normalised like a prospect's)."""
    found = [f"email:{normalize_email(e).casefold()}" for e in emails]
    found += [f"phone:{normalize_phone(p, phone_region)}" for p in phones]
    for text in [*urls, *handles]:
        found.extend(of_identity(networks.parse(text)))
    return found


def digest(key: bytes, identifier: str) -> str:
    """The keyed digest of one identifier (hex)."""
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()


def digests(key: bytes, identifiers: Iterable[str]) -> list[str]:
    return sorted({digest(key, i) for i in identifiers})


def prospect_id_digest(key: bytes, prospect_id: str) -> str:
    """The digest of a prospect id (the journal: which records a restore must drop)."""
    return digest(key, f"id:{prospect_id}")


def kind_of(identifier: str) -> str:
    """``email``, ``phone``, ``handle`` or ``url``: what may be said about a match."""
    return identifier.partition(":")[0]
