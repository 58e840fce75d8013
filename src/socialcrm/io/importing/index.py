"""The pipeline as an import plan sees it, and how a record finds its prospect.

The plan looks every row up in memory (identity keys, e-mails, names) instead
of querying the store: 30,000 rows cost 30,000 dictionary look-ups.  Planned
changes are added as they are decided, so a later row of the same file sees
them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from socialcrm.io.formats import ProspectRecord
from socialcrm.io.importing.rows import RowError
from socialcrm.models import Identity, Prospect, nfc

__all__ = ["ProspectIndex", "Target", "TargetIndex"]


def _email_keys(p: Prospect) -> set[str]:
    return {email.casefold() for email in p.emails}


def _name_keys(p: Prospect) -> set[str]:
    return {p.name.casefold()}


#: The lazily built indexes of :class:`ProspectIndex`: attribute name -> keys of a prospect.
_LAZY_INDEXES: dict[str, Callable[[Prospect], set[str]]] = {
    "by_email": _email_keys,
    "by_name": _name_keys,
}


class ProspectIndex:
    """One pipeline's prospects as the plan sees them (store + planned changes).

    The e-mail and name indexes are built on first use: an import of
    activities only looks prospects up by identity, and those two took ~20 MB
    at 30,000 prospects.
    """

    def __init__(self, prospects: Iterable[Prospect]) -> None:
        self.prospects: dict[str, Prospect] = {}
        self.by_identity: dict[str, str] = {}
        for p in prospects:
            self.add(p)

    def _build(self, name: str) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for p in self.prospects.values():
            for key in _LAZY_INDEXES[name](p):
                index.setdefault(key, set()).add(p.id)
        return index

    @functools.cached_property
    def by_email(self) -> dict[str, set[str]]:
        return self._build("by_email")

    @functools.cached_property
    def by_name(self) -> dict[str, set[str]]:
        return self._build("by_name")

    def _built(self) -> Iterator[tuple[dict[str, set[str]], Callable[[Prospect], set[str]]]]:
        """The lazy indexes built so far, each with its key function."""
        for name, keys in _LAZY_INDEXES.items():
            index = self.__dict__.get(name)  # where cached_property keeps it
            if index is not None:
                yield index, keys

    def add(self, p: Prospect) -> None:
        old = self.prospects.get(p.id)
        if old is not None:
            self.remove(old)
        self.prospects[p.id] = p
        for identity in p.identities:
            self.by_identity[identity.key] = p.id
        for index, keys in self._built():
            for key in keys(p):
                index.setdefault(key, set()).add(p.id)

    def remove(self, p: Prospect) -> None:
        self.prospects.pop(p.id, None)
        for identity in p.identities:
            if self.by_identity.get(identity.key) == p.id:
                del self.by_identity[identity.key]
        for index, keys in self._built():
            for key in keys(p):
                index.get(key, set()).discard(p.id)

    def match(
        self,
        identities: Sequence[Identity],
        emails: Sequence[str],
        record: ProspectRecord | None,
    ) -> Prospect | None:
        """The known prospect a record stands for, ``None`` for a new one.

        By profile (identity key) or e-mail (ignoring case); a record with
        neither matches by name (ignoring case) when its company and custom
        fields agree.  A record matching two prospects is refused: they are
        the same person and must be merged first.
        """
        ids: dict[str, None] = {}
        for identity in identities:
            pid = self.by_identity.get(identity.key)
            if pid is not None:
                ids.setdefault(pid, None)
        for email in emails:
            for pid in sorted(self.by_email.get(email.casefold(), ())):
                ids.setdefault(pid, None)
        if not ids and not identities and not emails and record is not None:
            for pid in sorted(self.by_name.get(nfc(record.name).casefold(), ())):
                p = self.prospects[pid]
                same_company = (
                    not record.company
                    or not p.company
                    or (nfc(record.company).casefold() == p.company.casefold())
                )
                same_custom = all(p.custom.get(nfc(k)) == nfc(v) for k, v in record.custom.items())
                if same_company and same_custom:
                    ids.setdefault(pid, None)
        if len(ids) > 1:
            listed = ", ".join(f"{pid} ({self.prospects[pid].name})" for pid in ids)
            raise RowError(
                f"matches several prospects: {listed}; merge them first ('socialcrm merge')",
                "identity",
            )
        return self.prospects[next(iter(ids))] if ids else None


class Target(NamedTuple):
    """What an activity needs of its prospect: where to attach it, whom to name."""

    id: str
    name: str
    pipeline: str


class TargetIndex:
    """One pipeline's prospects as activities see them: by identity, id and name only.

    An import of activities (messages) only looks prospects up by profile
    URL; keeping the whole pipeline as models for that took ~75 MB at 30,000
    prospects.  :attr:`keys` lists every prospect of the pipeline, identities
    or not.
    """

    def __init__(self, prospects: Iterable[Prospect]) -> None:
        self.by_identity: dict[str, Target] = {}
        self.keys: dict[str, tuple[str, ...]] = {}
        for p in prospects:
            self.add(p)

    def add(self, p: Prospect) -> None:
        for key in self.keys.pop(p.id, ()):
            if self.by_identity[key].id == p.id:
                del self.by_identity[key]
        target = Target(p.id, p.name, p.pipeline)
        keys = tuple(identity.key for identity in p.identities)
        for key in keys:
            self.by_identity[key] = target
        self.keys[p.id] = keys
