"""Any CSV of people, with a column mapping (``--map "Full name=name,Mail=email"``).

Without a mapping, common column names are recognised in English and French
(``Name``, ``First Name``, ``E-mail``, ``Company``, ``Poste``…).  With one, only
the mapped columns are read.  Targets: ``name``, ``first_name``, ``last_name``,
``email``, ``phone``, ``url``, ``company``, ``title``, ``location``, ``tags``,
``notes`` and ``custom:<key>`` (any other name is also kept as a custom field
named after it).  A cell may hold several e-mails, phones, URLs or tags
separated by ``;`` (or ``,`` for e-mails, URLs and tags).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from socialcrm.errors import LimitExceededError, ValidationError
from socialcrm.io.csvsafe import header_key, read_csv_dicts
from socialcrm.io.formats import ImportItem, ProspectRecord, RowProblem, SkippedRow
from socialcrm.limits import MAX_EMAILS, MAX_IDENTITIES, MAX_PHONES, MAX_TAGS
from socialcrm.networks import NetworkRegistry

__all__ = ["FIELDS", "GenericCSVImporter", "parse_mapping"]

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
    "linkedin": "url",
    "linkedin url": "url",
    "twitter": "url",
    "x": "url",
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

_SPLIT_MANY = re.compile(r"[;,]")
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
                f"bad mapping {part.strip()!r}",
                field="map",
                value=text,
                hint='write COLUMN=FIELD pairs, e.g. "Full name=name,Mail=email"',
            )
        if target not in FIELDS and not target.startswith("custom:"):
            raise ValidationError(
                f"unknown field {target!r} in mapping",
                field="map",
                value=target,
                hint="fields: " + ", ".join(FIELDS) + ", custom:<key>",
            )
        mapping[column] = target
    if not mapping:
        raise ValidationError("empty mapping", field="map", value=text)
    return mapping


class GenericCSVImporter:
    """Reads a CSV of people by recognised (or mapped) column names."""

    name = "csv"
    description = "any CSV of people (columns recognised by name, or --map)"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})

    def _targets(self, header: list[str]) -> dict[str, str]:
        if self.mapping:
            wanted = {header_key(k): v for k, v in self.mapping.items()}
            return {h: wanted[header_key(h)] for h in header if header_key(h) in wanted}
        return {h: ALIASES[header_key(h)] for h in header if header_key(h) in ALIASES}

    def _is_header(self, cells: list[str]) -> bool:
        targets = set(self._targets([c.strip() for c in cells]).values())
        if self.mapping:
            return bool(targets) and len(targets) >= min(2, len(set(self.mapping.values())))
        return bool(targets & {"name", "first_name", "last_name"}) and len(targets) >= 2

    def sniff(self, path: Path, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf").decode("utf-8", "replace")
        first = next((line for line in text.splitlines() if line.strip()), "")
        import csv

        try:
            cells = next(csv.reader([first]))
        except (csv.Error, StopIteration):
            return False
        return self._is_header(cells)

    def read(self, path: Path, networks: NetworkRegistry) -> Iterator[ImportItem]:
        expected = (
            "the mapped columns " + ", ".join(self.mapping)
            if self.mapping
            else "a Name or First Name column"
        )
        targets: dict[str, str] | None = None
        for row, cells in read_csv_dicts(path, self._is_header, expected=expected):
            if cells is None:
                yield SkippedRow(row, "blank line")
                continue
            if targets is None:
                targets = self._targets(list(cells))
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

        def one(key: str) -> str | None:
            found = values.get(key)
            return " ".join(found) if found else None

        def many(key: str, splitter: re.Pattern[str]) -> list[str]:
            return [
                v.strip() for cell in values.get(key, []) for v in splitter.split(cell) if v.strip()
            ]

        for key, splitter in _LISTS.items():  # refused before the list is built
            cap, field = _CAPS[key]
            most = sum(len(splitter.findall(cell)) + 1 for cell in values.get(key, []))
            if most > cap and (count := len(many(key, splitter))) > cap:
                over = LimitExceededError(field=field, count=count, limit=cap, unit="values")
                return RowProblem(row, over.message, field)
        first, last = one("first_name"), one("last_name")
        name = one("name") or " ".join(x for x in (first, last) if x)
        if not name:
            return RowProblem(row, "no name (the name columns are empty)", "name")
        return ProspectRecord(
            row=row,
            name=name,
            first_name=first,
            last_name=last,
            emails=many("email", _SPLIT_MANY),
            phones=many("phone", _SPLIT_PHONES),
            urls=many("url", _SPLIT_MANY),
            company=one("company"),
            title=one("title"),
            location=one("location"),
            tags=many("tags", _SPLIT_MANY),
            notes=one("notes"),
            custom=custom,
        )
