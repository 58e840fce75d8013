"""vCard 3.0 and 4.0 (RFC 6350), read and written with vobject.

Import reads ``FN``/``N``, ``EMAIL``, ``TEL``, ``ORG``, ``TITLE``, ``ADR``
(city → location), ``CATEGORIES`` (→ tags), ``NOTE``, ``URL`` (a profile URL
a network recognises becomes an identity; any other URL is kept as the
custom field ``website``), Apple's ``X-SOCIALPROFILE`` (a URL, or
``x-apple:<user>`` with ``x-user``/``type`` parameters) and RFC 9554
``SOCIALPROFILE`` (a URL, or a text handle with ``SERVICE-TYPE``).  Folded
lines and escapes are vobject's job.  A row number is the card's position
in the file (1 = first card).  The file is cut into cards first
(:mod:`socialcrm.io.vcard_cards`: limits checked while reading, only the
properties read here kept), then vobject parses one card at a time.

Export writes vCard 3.0 (``vcard``: Apple ``X-SOCIALPROFILE``, what most
address books read) or 4.0 (``vcard4``: ``SOCIALPROFILE``).

The service of a social profile is named as each network adapter declares
(:mod:`socialcrm.interchange`: ``vcard_type`` for 3.0, ``vcard_service`` for
4.0); on import, any name a network goes by (id, name, those two, its
aliases) is recognised.  The core names no network.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from socialcrm.errors import ImportFormatError, SocialCRMError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.interchange import (
    name_index,
    name_key,
    network_names,
    vcard_service,
    vcard_type,
)
from socialcrm.io.csvsafe import check_text, read_head
from socialcrm.io.formats import ExportContext, ImportItem, ProspectRecord, RowProblem
from socialcrm.io.vcard_cards import Card, CardProblem, read_cards
from socialcrm.models import Event, Prospect
from socialcrm.names import full_name
from socialcrm.networks import NetworkAdapter, NetworkRegistry

__all__ = ["VCardExporter", "VCardImporter"]


def _param(line: Any, name: str) -> str | None:
    values = line.params.get(name) or line.params.get(name.lower())
    return str(values[0]) if values else None


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if str(v).strip())
    return str(value)


def _invalid(path: Path, card: Card, reason: object) -> ImportFormatError:
    """A card vobject cannot read: named by its position (the row) and first line.

    vobject reads one card at a time here, so its own line numbers would count
    from the card: the card's first line in the file is given instead.
    """
    return ImportFormatError(
        _("invalid vCard (the card beginning at line {line}): {reason}").format(
            line=card.line, reason=reason
        ),
        path=str(path),
        row=card.number,
    )


class VCardImporter:
    """Reads vCard 3.0/4.0 files (one or many cards)."""

    name = "vcard"
    description = N_("vCard 3.0/4.0 contacts (.vcf)")

    def sniff(self, path: Path, head: bytes) -> bool:
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCARD")

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        import vobject  # type: ignore[import-untyped]
        from vobject.base import ParseError  # type: ignore[import-untyped]

        check_text(path, read_head(path))
        services = name_index(networks, network_names, what="vCard service")
        for card in read_cards(path):
            if isinstance(card, CardProblem):
                where = f" (the card beginning at line {card.line})"
                yield RowProblem(card.number, card.reason + where, card.field)
                continue
            try:
                parsed = vobject.readOne(card.text, ignoreUnreadable=False)
            except ParseError as exc:  # its line numbers count from the card: not shown
                raise _invalid(path, card, getattr(exc, "msg", exc)) from None
            except (ValueError, UnicodeDecodeError, StopIteration) as exc:
                raise _invalid(path, card, exc or "no card") from None
            if parsed.name != "VCARD":
                raise ImportFormatError(
                    _("expected a VCARD, found {name}").format(name=parsed.name),
                    path=str(path),
                    row=card.number,
                )
            yield self._record(card.number, parsed, networks, services)

    def _record(
        self, row: int, card: Any, networks: NetworkRegistry, services: dict[str, str]
    ) -> ImportItem:
        name = ""
        first = last = None
        emails: list[str] = []
        phones: list[str] = []
        urls: list[str] = []
        tags: list[str] = []
        custom: dict[str, str] = {}
        company = title = location = notes = None
        websites: list[str] = []
        for line in card.getChildren():
            key = line.name.upper()
            value = line.value
            if key == "FN":
                name = str(value)
            elif key == "N":
                first = str(value.given) or None
                last = str(value.family) or None
            elif key == "EMAIL":
                emails.append(str(value))
            elif key == "TEL":
                phones.append(str(value))
            elif key == "ORG":
                company = str(value[0]) if isinstance(value, list) and value else str(value)
            elif key == "TITLE":
                title = str(value)
            elif key == "NOTE":
                notes = str(value)
            elif key == "CATEGORIES":
                tags.extend(str(v) for v in (value if isinstance(value, list) else [value]))
            elif key == "ADR":
                location = str(getattr(value, "city", "") or "") or location
            elif key == "URL":
                text = str(value)
                if _is_profile(text, networks):
                    urls.append(text)
                else:
                    websites.append(text)
            elif key in {"X-SOCIALPROFILE", "SOCIALPROFILE"}:
                ref = _social_ref(line, networks, services)
                if ref:
                    urls.append(ref)
        if websites:
            custom["website"] = " ".join(websites)
        if not name:
            name = full_name(first, last)
        if not name.strip():
            return RowProblem(row, _("card without FN or N"), "FN")
        return ProspectRecord(
            row=row,
            name=name,
            first_name=first,
            last_name=last,
            emails=emails,
            phones=phones,
            urls=urls,
            company=company,
            title=title,
            location=location,
            tags=tags,
            notes=notes,
            custom=custom,
        )


def _is_profile(text: str, networks: NetworkRegistry) -> bool:
    try:
        networks.parse(text)
    except SocialCRMError:
        return False
    return True


def _social_ref(line: Any, networks: NetworkRegistry, services: dict[str, str]) -> str | None:
    """A URL or ``network:handle`` from an (X-)SOCIALPROFILE line.

    ``services`` maps the names networks go by (:func:`~socialcrm.interchange.name_key`)
    to their ids; an unknown service is taken as a network id.
    """
    value = str(line.value).strip()
    service = (_param(line, "SERVICE-TYPE") or _param(line, "TYPE") or "").casefold()
    network = services.get(name_key(service), service)
    user = _param(line, "X-USER")
    if value.lower().startswith("x-apple:"):
        value = user or value[len("x-apple:") :]
    elif "://" in value or _is_profile(value, networks):
        return value
    if network and value:
        return f"{network}:{value.lstrip('@')}"
    return None


class VCardExporter:
    """Writes one vCard per prospect (3.0 or 4.0).

    Social profiles name their service as the network's adapter declares; a
    profile on a network not installed (or before :meth:`with_networks`) is
    named by its network id.
    """

    suffix = ".vcf"

    def __init__(self, version: str = "3.0", networks: Iterable[NetworkAdapter] = ()) -> None:
        self.version = version
        self.networks = {adapter.id: adapter for adapter in networks}
        self.name = "vcard" if version == "3.0" else "vcard4"
        self.description = (
            N_("vCard 3.0 (address books; X-SOCIALPROFILE)")
            if version == "3.0"
            else N_("vCard 4.0 (RFC 6350, SOCIALPROFILE of RFC 9554)")
        )

    def with_networks(self, networks: Iterable[NetworkAdapter]) -> VCardExporter:
        """A copy naming social profiles as ``networks`` declare."""
        return VCardExporter(self.version, networks)

    def _service(self, network: str) -> str:
        adapter = self.networks.get(network)
        if adapter is None:
            return network
        return vcard_type(adapter) if self.version == "3.0" else vcard_service(adapter)

    def write(
        self,
        items: Iterable[tuple[Prospect, list[Event]]],
        out: TextIO,
        context: ExportContext,
    ) -> int:
        count = 0
        for prospect, _events in items:
            out.write(self.card(prospect))
            count += 1
        return count

    def card(self, p: Prospect) -> str:
        import vobject

        card = vobject.vCard()
        card.add("version").value = self.version
        card.add("uid").value = p.id
        card.add("fn").value = p.name
        card.add("n").value = vobject.vcard.Name(family=p.last_name or "", given=p.first_name or "")
        if p.company:
            card.add("org").value = [p.company]
        if p.title:
            card.add("title").value = p.title
        for email in p.emails:
            line = card.add("email")
            line.value = email
            if self.version == "3.0":
                line.type_param = "INTERNET"
        for phone in p.phones:
            card.add("tel").value = phone
        for identity in p.identities:
            service = self._service(identity.network)
            if self.version == "3.0":
                line = card.add("x-socialprofile")
                line.value = identity.url
                line.params["TYPE"] = [service]
            else:
                line = card.add("socialprofile")
                line.value = identity.url
                line.params["SERVICE-TYPE"] = [service]
        for website in p.custom.get("website", "").split():
            card.add("url").value = website
        if p.location:
            card.add("adr").value = vobject.vcard.Address(city=p.location)
        if p.tags:
            card.add("categories").value = list(p.tags)
        if p.notes:
            card.add("note").value = p.notes
        text: str = card.serialize()
        return text
