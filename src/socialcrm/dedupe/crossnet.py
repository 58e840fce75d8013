"""Duplicates across networks: one person met on X and on LinkedIn, or a look-alike name.

Each rule is a *blocking key*: prospects are grouped by a key computed once
each (a dictionary), and only the members of one group are paired.  Nothing is
compared with everything, so 30,000 prospects cost 30,000 key computations, not
450 million comparisons; a group larger than :data:`MAX_GROUP` (a very common
name with a very common title) is skipped rather than paired quadratically.

* same canonical name and same title (:func:`~socialcrm.dedupe.skeleton.canonical_name`:
  case, accents, punctuation and word order ignored);
* same canonical name and the same e-mail domain, unless the domain is a
  free mailbox provider (``gmail.com``: thousands of strangers share it);
* a profile link of one record found in another record's custom fields (a
  ``website`` or ``bio`` column) or notes: the link is parsed by the installed
  networks, and the record holding that identity is paired with it;
* look-alike names: the same :func:`~socialcrm.dedupe.skeleton.lookalike_key`
  (Unicode TR39 confusable skeleton) but different canonical names -- a
  Cyrillic ``а`` for a Latin ``a``, full-width letters: the characters are named.

Each reason says which networks the two records come from when they differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from socialcrm.contact_fields import FREE_MAIL_DOMAINS
from socialcrm.dedupe.skeleton import (
    canonical_name,
    confusable_characters,
    lookalike_key,
)
from socialcrm.errors import SocialCRMError
from socialcrm.i18n import text as _
from socialcrm.models import Prospect

if TYPE_CHECKING:
    from socialcrm.networks import NetworkRegistry

__all__ = ["MAX_GROUP", "MAX_LINKS", "across", "cross_network_reasons"]

#: A blocking group larger than this is not paired (its pairs would be a wall of noise).
MAX_GROUP = 200

#: Links read per record (custom fields and notes); more are not looked at.
MAX_LINKS = 20

#: A web address in free text, with or without its scheme.
_LINK = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"'()\[\]{},;]*", re.IGNORECASE)

Note = Callable[[Prospect, Prospect, str, bool], None]
"""Records a pair with its reason (a whole message, built ``_()``) and whether that
reason is weak (a name only): pairs with weak reasons only are listed last."""


def _networks(p: Prospect) -> set[str]:
    return {i.network for i in p.identities}


def across(a: Prospect, b: Prospect) -> str:
    """``" (x / linkedin)"`` when the two records come from different networks."""
    first, second = _networks(a), _networks(b)
    if first and second and not first & second:
        return f" ({', '.join(sorted(first))} / {', '.join(sorted(second))})"
    return ""


def _pairs(group: Sequence[Prospect]) -> Iterator[tuple[Prospect, Prospect]]:
    if len(group) > MAX_GROUP:
        return
    for n, a in enumerate(group):
        for b in group[n + 1 :]:
            yield a, b


def _domain(email: str) -> str:
    return email.rpartition("@")[2].casefold().rstrip(".")


def _links(p: Prospect) -> Iterator[tuple[str | None, str]]:
    """``(field, link)`` for the links in ``p``'s custom fields, then its notes (``None``)."""
    count = 0
    texts: list[tuple[str | None, str]] = list(p.custom.items())
    texts.append((None, p.notes))
    for where, text in texts:
        for match in _LINK.finditer(text):
            if count >= MAX_LINKS:
                return
            count += 1
            link = match.group(0).rstrip(".")
            yield where, link if "://" in link else f"https://{link}"


def _profile_links(people: Sequence[Prospect], networks: NetworkRegistry, note: Note) -> None:
    owners: dict[str, Prospect] = {}
    for p in people:
        for identity in p.identities:
            owners.setdefault(identity.key, p)
    for p in people:
        own = {i.key for i in p.identities}
        for where, link in _links(p):
            try:
                key = networks.parse(link).key
            except (SocialCRMError, ValueError):
                continue  # not a profile of an installed network
            owner = owners.get(key)
            if owner is None or owner.kind != p.kind:
                continue  # a person linking to a company page works there: not a duplicate
            if owner.id != p.id and key not in own:
                reason = (
                    _("{owner}'s profile {key} is in {name}'s notes{across}")
                    if where is None
                    else _("{owner}'s profile {key} is in {name}'s custom field {field!r}{across}")
                )
                found = reason.format(
                    owner=owner.name, key=key, name=p.name, field=where, across=across(owner, p)
                )
                note(owner, p, found, False)


def cross_network_reasons(
    people: Sequence[Prospect], note: Note, networks: NetworkRegistry | None = None
) -> None:
    """Tell ``note`` every pair the rules above find, with its reason."""
    by_title: dict[tuple[str, str], list[Prospect]] = {}
    by_domain: dict[tuple[str, str], list[Prospect]] = {}
    by_look: dict[str, list[Prospect]] = {}
    names: dict[str, str] = {}
    for p in people:
        name = canonical_name(p.name)
        names[p.id] = name
        if not name:
            continue
        if p.title and (title := canonical_name(p.title)):
            by_title.setdefault((name, title), []).append(p)
        for domain in {_domain(e) for e in p.emails} - FREE_MAIL_DOMAINS:
            by_domain.setdefault((name, domain), []).append(p)
        by_look.setdefault(lookalike_key(p.name), []).append(p)
    for group in by_title.values():
        for a, b in _pairs(group):
            reason = _("same name ({name}) and same title {title}{across}")
            note(a, b, reason.format(name=a.name, title=a.title, across=across(a, b)), True)
    for (_name, domain), group in by_domain.items():
        for a, b in _pairs(group):
            if {e.casefold() for e in a.emails} & {e.casefold() for e in b.emails}:
                continue  # the same address is the stronger reason, already given
            reason = _("same name ({name}) and same e-mail domain {domain}{across}")
            note(a, b, reason.format(name=a.name, domain=domain, across=across(a, b)), True)
    for group in by_look.values():
        if len({names[p.id] for p in group}) < 2:
            continue  # every member has the same canonical name: nothing looks alike
        for a, b in _pairs(group):
            if names[a.id] != names[b.id]:
                odd = confusable_characters(b.name, a.name) or confusable_characters(a.name, b.name)
                reason = (
                    _("look-alike names ({name} / {name2}): {characters}{across}")
                    if odd
                    else _("look-alike names ({name} / {name2}){across}")
                )
                found = reason.format(
                    name=a.name, name2=b.name, characters=", ".join(odd), across=across(a, b)
                )
                note(a, b, found, True)
    if networks is not None:
        _profile_links(people, networks, note)
