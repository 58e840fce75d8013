"""Any CSV of people, with a column mapping (``--map "Full name=name,Mail=email"``).

Without a mapping, common column names are recognised in English and French
(``Name``, ``First Name``, ``E-mail``, ``Company``, ``Poste``…), and each
installed network's column names: every name it goes by, alone or followed
by ``URL`` or ``profile`` (``<name>``, ``<alias> URL``), and its columns in
socialcrm's own exports (``<name> / Link URL``) — declared by the network adapters
(:mod:`socialcrm.interchange`), so the core names no network.  A network's
column holds that network's URLs or bare handles.  With a mapping, only the
mapped columns are read.  Targets: ``name``, ``first_name``, ``last_name``,
``email``, ``phone``, ``url`` (any network's URL), ``url:<network>`` (that
network's URLs or handles), ``company``, ``title``, ``location``, ``tags``,
``notes`` and ``custom:<key>``.  A cell may hold several e-mails, phones,
URLs or tags separated by ``;`` (or ``,`` for e-mails, URLs and tags).

Detection (``sniff``) sees no network: a header is recognised by a name
column and one more recognised column, or a column whose first value is a
URL or an ``@handle`` (``Name,<network>`` with a profile URL below).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from socialcrm.errors import LimitExceededError, ValidationError
from socialcrm.i18n import N_
from socialcrm.i18n import text as _
from socialcrm.interchange import Clash, export_columns, header_names, name_index
from socialcrm.io.csvsafe import header_key, read_csv_dicts
from socialcrm.io.formats import ImportItem, ProspectRecord, RowProblem, SkippedRow
from socialcrm.limits import MAX_EMAILS, MAX_IDENTITIES, MAX_PHONES, MAX_TAGS
from socialcrm.names import full_name
from socialcrm.networks import NetworkAdapter, NetworkRegistry

__all__ = ["FIELDS", "NETWORK_URL", "GenericCSVImporter", "network_headers", "parse_mapping"]

FIELDS = (
    "name",
    "first_name",
    "last_name",
    "email",
    "phone",
    "url",
    "company",
    "title",
    "location",
    "tags",
    "notes",
)

ALIASES: dict[str, str] = {
    "name": "name",
    "full name": "name",
    "fullname": "name",
    "display name": "name",
    "nom complet": "name",
    "first name": "first_name",
    "firstname": "first_name",
    "given name": "first_name",
    "prénom": "first_name",
    "prenom": "first_name",
    "last name": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "nom": "last_name",
    "email": "email",
    "e mail": "email",
    "mail": "email",
    "email address": "email",
    "emails": "email",
    "adresse e mail": "email",
    "phone": "phone",
    "phone number": "phone",
    "mobile": "phone",
    "telephone": "phone",
    "téléphone": "phone",
    "url": "url",
    "profile": "url",
    "profile url": "url",
    "company": "company",
    "company name": "company",
    "organization": "company",
    "organisation": "company",
    "entreprise": "company",
    "société": "company",
    "title": "title",
    "job title": "title",
    "position": "title",
    "role": "title",
    "poste": "title",
    "location": "location",
    "city": "location",
    "ville": "location",
    "tags": "tags",
    "tag": "tags",
    "notes": "notes",
    "note": "notes",
}

#: Prefix of the target of a network's column (``url:<network id>``).
NETWORK_URL = "url:"
_NETWORK_ID = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")
_SPLIT_MANY = re.compile(r"[;,]")
# A cell that reads as a profile: a web address or an @handle (detection only).
_PROFILE_LIKE = re.compile(r"^(?:https?://|www\.)\S+$|^@\w", re.IGNORECASE)
_SPLIT_PHONES = re.compile(r";")
_LISTS = {"email": _SPLIT_MANY, "phone": _SPLIT_PHONES, "url": _SPLIT_MANY, "tags": _SPLIT_MANY}
#: Each list column's cap and the record field it fills (named as the write path names it).
_CAPS = {
    "email": (MAX_EMAILS, "emails"),
    "phone": (MAX_PHONES, "phones"),
    "url": (MAX_IDENTITIES, "urls"),
    "tags": (MAX_TAGS, "tags"),
}


def parse_mapping(text: str) -> dict[str, str]:
    """``"Full name=name,Mail=email"`` → ``{"Full name": "name", "Mail": "email"}``."""
    mapping: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        column, sep, target = part.partition("=")
        column, target = column.strip(), target.strip()
        if not sep or not column or not target:
            raise ValidationError(
                _("bad mapping {part!r}").format(part=part.strip()),
                field="map",
                value=text,
                hint=_('write COLUMN=FIELD pairs, e.g. "Full name=name,Mail=email"'),
            )
        network = target.removeprefix(NETWORK_URL)
        if network != target and not _NETWORK_ID.match(network):
            raise ValidationError(
                _("bad network {network!r} in mapping").format(network=network),
                field="map",
                value=target,
                hint=_("write url:<network id> (the ids: socialcrm networks)"),
            )
        if target not in FIELDS and not target.startswith(("custom:", NETWORK_URL)):
            raise ValidationError(
                _("unknown field {target!r} in mapping").format(target=target),
                field="map",
                value=target,
                hint=_("fields: {fields}").format(
                    fields=", ".join([*FIELDS, "url:<network>", "custom:<key>"])
                ),
            )
        mapping[column] = target
    if not mapping:
        raise ValidationError(_("empty mapping"), field="map", value=text)
    return mapping


def network_headers(
    networks: Iterable[NetworkAdapter], *, clashes: list[Clash] | None = None
) -> dict[str, str]:
    """``header_key(column)`` → ``url:<network>`` for every installed network's column names.

    Its names (with ``URL`` or ``profile`` after them) and its headers in the
    built-in exports; the generic column names above always win, and a name
    two networks claim goes to the first in column order
    (:func:`~socialcrm.interchange.name_index`); the names lost are added to
    ``clashes`` when given.
    """
    from socialcrm.io.exports import NETWORK_COLUMN_FORMATS

    adapters = tuple(networks)

    def names(adapter: NetworkAdapter) -> list[str]:
        found = list(header_names(adapter))
        for exporter in NETWORK_COLUMN_FORMATS:
            columns = export_columns([adapter], exporter.name, exporter.network_column)
            found.extend(column.header for column in columns)
        return found

    index = name_index(adapters, names, what="CSV column", reserved=ALIASES, clashes=clashes)
    return {key: NETWORK_URL + network for key, network in index.items()}


class GenericCSVImporter:
    """Reads a CSV of people by recognised (or mapped) column names."""

    name = "csv"
    description = N_("any CSV of people (columns recognised by name, or --map)")

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})

    def _targets(self, header: list[str], known: Mapping[str, str]) -> dict[str, str]:
        """Each recognised column's target; ``known``: the networks' column names."""
        if self.mapping:
            wanted = {header_key(k): v for k, v in self.mapping.items()}
            return {h: wanted[header_key(h)] for h in header if header_key(h) in wanted}
        found = {}
        for h in header:
            key = header_key(h)
            target = ALIASES.get(key) or known.get(key)
            if target is not None:
                found[h] = target
        return found

    def _is_header(
        self, cells: list[str], known: Mapping[str, str], sample: list[str] | None = None
    ) -> bool:
        header = [c.strip() for c in cells]
        found = self._targets(header, known)
        targets = set(found.values())
        if sample is not None and not self.mapping:  # detection: networks unknown
            unknown = [i for i, h in enumerate(header) if h not in found and i < len(sample)]
            if any(_PROFILE_LIKE.match(sample[i].strip()) for i in unknown):
                targets.add("url")
        if self.mapping:
            return bool(targets) and len(targets) >= min(2, len(set(self.mapping.values())))
        return bool(targets & {"name", "first_name", "last_name"}) and len(targets) >= 2

    def sniff(self, path: Path, head: bytes) -> bool:
        from socialcrm.io.csvsafe import head_rows

        rows = [r for r in head_rows(head) if any(c.strip() for c in r)][:2]
        if not rows:
            return False
        return self._is_header(rows[0], {}, rows[1] if len(rows) > 1 else [])

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        for target in self.mapping.values():
            network = target.removeprefix(NETWORK_URL)
            if network != target and network not in networks:
                installed = ", ".join(a.id for a in networks) or "none installed"
                raise ValidationError(
                    _("unknown network {network!r} in mapping").format(network=network),
                    field="map",
                    value=target,
                    hint=_("networks: {installed}").format(installed=installed),
                )
        known: dict[str, str] = {} if self.mapping else network_headers(networks)
        expected = (
            "the mapped columns " + ", ".join(self.mapping)
            if self.mapping
            else "a Name or First Name column"
        )
        targets: dict[str, str] | None = None
        rows = read_csv_dicts(path, lambda cells: self._is_header(cells, known), expected=expected)
        for row, cells in rows:
            if cells is None:
                yield SkippedRow(row, N_("blank line"))
                continue
            if targets is None:
                targets = self._targets(list(cells), known)
            yield self._record(row, cells, targets)

    def _record(self, row: int, cells: dict[str, str], targets: dict[str, str]) -> ImportItem:
        values: dict[str, list[str]] = {}
        custom: dict[str, str] = {}
        for column, target in targets.items():
            cell = cells.get(column, "").strip()
            if not cell:
                continue
            if target.startswith("custom:"):
                custom[target.removeprefix("custom:")] = cell
            else:
                values.setdefault(target, []).append(cell)
        # A network's column holds that network's URLs or handles: (network, cell).
        url_cells = [
            (None if target == "url" else target.removeprefix(NETWORK_URL), cell)
            for target, found in values.items()
            if target == "url" or target.startswith(NETWORK_URL)
            for cell in found
        ]
        lists = {key: values.get(key, []) for key in _LISTS}
        lists["url"] = [cell for _network, cell in url_cells]

        def one(key: str) -> str | None:
            found = values.get(key)
            return " ".join(found) if found else None

        def split(cells: list[str], splitter: re.Pattern[str]) -> list[str]:
            return [v.strip() for cell in cells for v in splitter.split(cell) if v.strip()]

        for key, splitter in _LISTS.items():  # refused before the list is built
            cap, field = _CAPS[key]
            most = sum(len(splitter.findall(cell)) + 1 for cell in lists[key])
            if most > cap and (count := len(split(lists[key], splitter))) > cap:
                over = LimitExceededError(field=field, count=count, limit=cap, unit="values")
                return RowProblem(row, over.message, field)
        urls = [
            value if network is None else _reference(network, value)
            for network, cell in url_cells
            for value in split([cell], _SPLIT_MANY)
        ]
        first, last = one("first_name"), one("last_name")
        name = one("name") or full_name(first, last)
        if not name:
            return RowProblem(row, _("no name (the name columns are empty)"), "name")
        return ProspectRecord(
            row=row,
            name=name,
            first_name=first,
            last_name=last,
            emails=split(lists["email"], _SPLIT_MANY),
            phones=split(lists["phone"], _SPLIT_PHONES),
            urls=urls,
            company=one("company"),
            title=one("title"),
            location=one("location"),
            tags=split(lists["tags"], _SPLIT_MANY),
            notes=one("notes"),
            custom=custom,
        )


def _reference(network: str, value: str) -> str:
    """``network:value`` for a value of a network's column (a URL or a bare handle)."""
    return value if value.casefold().startswith(f"{network}:") else f"{network}:{value}"
