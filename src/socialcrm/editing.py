"""Building a new prospect from what a rep typed, and computing an edit.

Everything typed is checked before anything is written: control characters
and bidirectional overrides (:mod:`socialcrm.text`), e-mails and phones
(:mod:`socialcrm.contact_fields`), profile URLs (the network adapters, one
identity per network), the lawful basis.  An edit is computed as a
:data:`Change` — the prospect after it and the ``edited`` event with old and
new values — that the facade records inside its transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from attrs import evolve

from socialcrm.contact_fields import (
    company_size_value,
    normalize_email,
    normalize_phone,
    split_name,
    unique_emails,
)
from socialcrm.errors import DuplicateIdentityError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.models import (
    Created,
    Edited,
    Identity,
    LawfulBasis,
    Note,
    Payload,
    Prospect,
    ProspectKind,
    Source,
    nfc,
)
from socialcrm.repository import Repository
from socialcrm.team import rep_name
from socialcrm.text import check, check_fields

if TYPE_CHECKING:
    from socialcrm.networks import NetworkRegistry
    from socialcrm.prospect_fields import EditFields, ProspectFields
    from socialcrm.workspace import Workspace

__all__ = [
    "EDITABLE",
    "Change",
    "add_prospect",
    "build_prospect",
    "check_identities_free",
    "edit_change",
    "lawful_basis",
    "parse_identities",
    "prospect_kind",
]

Change = Callable[[Prospect], tuple[Prospect, Sequence[Payload]]]
"""A change to one prospect: the prospect after it, and the events to record."""

EDITABLE = (
    "name",
    "first_name",
    "last_name",
    "title",
    "company",
    "sector",
    "company_size",
    "location",
    "notes",
    "owner",
    "lawful_basis",
    "kind",
)


def parse_identities(networks: NetworkRegistry, urls: Iterable[str]) -> list[Identity]:
    """Profile URLs (or ``network:handle``) as identities, at most one per network."""
    identities: list[Identity] = []
    for url in urls:
        identity = networks.parse(url)
        clash = next((i for i in identities if i.network == identity.network), None)
        if clash is not None and clash.key != identity.key:
            raise ValidationError(
                _(
                    "two {network} identities given ({handle}, {handle2}); a "
                    "prospect has one per network"
                ).format(network=identity.network, handle=clash.handle, handle2=identity.handle),
                field="identities",
                value=url,
            )
        if clash is None:
            identities.append(identity)
    return identities


def check_identities_free(repository: Repository, prospect: Prospect) -> None:
    """Refuse ``prospect`` if another prospect of its pipeline holds one of its profiles."""
    for identity in prospect.identities:
        owner = repository.find_by_identity(prospect.pipeline, identity.key)
        if owner is not None and owner.id != prospect.id:
            raise DuplicateIdentityError(identity.key, owner.id, prospect.pipeline, rep=owner.owner)


def check_emails_free(repository: Repository, prospect: Prospect) -> None:
    """Refuse ``prospect`` if another prospect of its pipeline has one of its e-mails
    (the same person twice, usually); naming that prospect."""
    for email in prospect.emails:
        for other in repository.find_by_email(prospect.pipeline, email):
            if other.id != prospect.id:
                raise ValidationError(
                    _("e-mail {email} already belongs to {name} ({id})").format(
                        email=email, name=other.name, id=other.id
                    ),
                    field="email",
                    value=email,
                    hint=_(
                        "the same person? edit {id}; else add with "
                        "--allow-shared-email (a shared mailbox)"
                    ).format(id=other.id),
                )


def lawful_basis(value: LawfulBasis | str) -> LawfulBasis:
    """``value`` as a GDPR art. 6 basis, or a clear error listing the valid ones."""
    try:
        return LawfulBasis(value.strip().lower().replace("-", "_"))
    except ValueError:
        raise ValidationError(
            _("unknown lawful basis {value!r}").format(value=value),
            field="lawful_basis",
            value=value,
            hint=_("one of: ") + ", ".join(b.value for b in LawfulBasis),
        ) from None


def prospect_kind(value: ProspectKind | str) -> ProspectKind:
    """``value`` as a prospect kind (``person``, ``organisation``), or a clear error."""
    text = value.strip().lower()
    try:
        return ProspectKind("organisation" if text == "organization" else text)
    except ValueError:
        raise ValidationError(
            _("unknown kind {value!r}").format(value=value),
            field="kind",
            value=value,
            hint=_("one of: ") + ", ".join(k.value for k in ProspectKind),
        ) from None


def build_prospect(crm: Workspace, name: str, fields: ProspectFields) -> Prospect:
    """Validate input and make a new prospect value of the current pipeline (not stored)."""
    urls, emails = list(fields.get("urls", ())), list(fields.get("emails", ()))
    phones, tags = list(fields.get("phones", ())), list(fields.get("tags", ()))
    first_name, last_name = fields.get("first_name"), fields.get("last_name")
    notes, custom = fields.get("notes", ""), dict(fields.get("custom") or {})
    source, owner = fields.get("source"), fields.get("owner")
    text = ("title", "company", "sector", "location")
    check_fields(
        {
            "name": name,
            "first_name": first_name,
            "last_name": last_name,
            **{key: fields.get(key) for key in text},
            "owner": owner,
            "source": source if isinstance(source, str) else None,
            "url": urls,
            "emails": emails,
            "phones": phones,
            "tags": tags,
            "notes": notes,
            "custom": custom,
        },
        multiline={"notes"},
    )
    if not nfc(name):
        raise ValidationError(_("a prospect needs a name"), field="name", value=name)
    company_size = company_size_value(fields.get("company_size"))
    identities = parse_identities(crm.networks, urls) if urls else []  # plugins on need
    if "kind" in fields:
        kind = prospect_kind(fields["kind"])
    elif any(crm.networks.is_organisation(i) for i in identities):
        kind = ProspectKind.ORGANISATION  # a company page is an organisation's identity
    else:
        kind = ProspectKind.PERSON
    if first_name is None and last_name is None and kind is ProspectKind.PERSON:
        first_name, last_name = split_name(name)  # an organisation's name is never split
    now = fields.get("created_at") or crm.now()
    if isinstance(source, str) or source is None:
        first = identities[0] if identities else None
        source = Source(
            network=first.network if first else None,
            url=first.url if first else None,
            collected_at=now,
            note=source,
        )
    basis = lawful_basis(fields.get("lawful_basis", LawfulBasis.LEGITIMATE_INTEREST))
    return Prospect(
        id=crm.recording.new_id(now),
        name=name,
        pipeline=crm.pipeline.name,
        first_name=first_name,
        last_name=last_name,
        title=fields.get("title"),
        company=fields.get("company"),
        sector=fields.get("sector"),
        company_size=company_size,
        location=fields.get("location"),
        emails=unique_emails(normalize_email(e) for e in emails),
        phones=[normalize_phone(p, crm.phone_region) for p in phones],
        identities=identities,
        tags=tags,
        notes=notes,
        custom=custom,
        owner=rep_name(owner) if owner is not None else crm.actor,
        source=source,
        lawful_basis=basis,
        kind=kind,
        created_at=now,
        updated_at=now,
    )


def add_prospect(
    crm: Workspace,
    name: str,
    note: str | None,
    fields: ProspectFields,
    *,
    allow_shared_email: bool = False,
) -> Prospect:
    """:meth:`CRM.add`: build, check the identities (and e-mails) are free, record."""
    if note is not None:
        check(note, "note", multiline=True)
    prospect = build_prospect(crm, name, fields)
    payloads: list[Payload] = [Created(stage=prospect.stage, status=prospect.status)]
    if note and nfc(note):
        payloads.append(Note(text=nfc(note)))
    with crm.recording.transaction() as recorder:
        check_identities_free(crm.repository, prospect)
        if not allow_shared_email:
            check_emails_free(crm.repository, prospect)
        recorded = recorder.record(prospect, payloads, at=prospect.created_at)
    return recorded.prospect or prospect


def _checked_set_fields(set_fields: dict[str, Any]) -> dict[str, Any]:
    """``set_fields`` of an edit, checked: editable, text where text is due."""
    unknown = set(set_fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            _("cannot edit field {field!r}").format(field=sorted(unknown)[0]),
            field=sorted(unknown)[0],
            hint=_("editable: ") + ", ".join(EDITABLE),
        )
    if "name" in set_fields and not nfc(str(set_fields["name"] or "")):
        raise ValidationError(_("a prospect needs a name"), field="name")
    for key, value in set_fields.items():
        if key not in {"company_size", "lawful_basis", "kind"} and not isinstance(
            value, str | None
        ):
            raise ValidationError(
                _("{key} must be text, got {kind}").format(key=key, kind=type(value).__name__),
                field=key,
                value=value,
            )
    if "company_size" in set_fields:
        set_fields["company_size"] = company_size_value(set_fields["company_size"])
    if "lawful_basis" in set_fields:
        set_fields["lawful_basis"] = lawful_basis(str(set_fields["lawful_basis"] or ""))
    if "kind" in set_fields:
        set_fields["kind"] = prospect_kind(str(set_fields["kind"] or ""))
        if set_fields["kind"] is ProspectKind.ORGANISATION:  # no first/last name, unless given
            set_fields = {"first_name": None, "last_name": None, **set_fields}
    return set_fields


def edit_change(crm: Workspace, fields: EditFields) -> Change:
    """Check an edit's input now; the returned change applies it to the stored prospect."""
    set_fields = dict(fields.get("set_fields") or {})
    add_urls, add_emails = list(fields.get("add_urls", ())), list(fields.get("add_emails", ()))
    add_phones, add_tags = list(fields.get("add_phones", ())), list(fields.get("add_tags", ()))
    set_custom = dict(fields.get("set_custom") or {})
    check_fields(
        {
            **set_fields,
            "url": add_urls,
            "emails": add_emails,
            "phones": add_phones,
            "tags": add_tags,
            "custom": set_custom,
        },
        multiline={"notes"},
    )
    set_fields = _checked_set_fields(set_fields)
    new_identities = parse_identities(crm.networks, add_urls) if add_urls else []
    removed_keys = {crm.networks.parse(u).key for u in fields.get("rm_urls", ())}
    new_emails = [normalize_email(e) for e in add_emails]
    gone_emails = {e.strip().casefold() for e in fields.get("rm_emails", ())}
    new_phones = [normalize_phone(p, crm.phone_region) for p in add_phones]
    gone_phones = {normalize_phone(p, crm.phone_region) for p in fields.get("rm_phones", ())}
    gone_tags = {nfc(x).casefold() for x in fields.get("rm_tags", ())}
    unset_custom = list(fields.get("unset_custom", ()))

    def change(p: Prospect) -> tuple[Prospect, Sequence[Payload]]:
        for key in removed_keys:
            if key not in {i.key for i in p.identities}:
                raise ValidationError(
                    _("{name} has no identity {key}").format(name=p.name, key=key),
                    field="identities",
                    value=key,
                )
        identities = [i for i in p.identities if i.key not in removed_keys]
        for identity in new_identities:
            current = next((i for i in identities if i.network == identity.network), None)
            if current is not None and current.key != identity.key:
                raise ValidationError(
                    _("{name} already has a {network} identity ({handle})").format(
                        name=p.name, network=identity.network, handle=current.handle
                    ),
                    field="identities",
                    hint=_("remove it first with --rm-url"),
                )
            if current is None:
                identities.append(identity)
        for email in gone_emails:
            if email not in {e.casefold() for e in p.emails}:
                raise ValidationError(
                    _("{name} has no e-mail {email}").format(name=p.name, email=email),
                    field="emails",
                )
        custom = dict(p.custom)
        custom.update(set_custom)
        for key in unset_custom:
            if key not in custom:
                raise ValidationError(
                    _("{name} has no custom field {key!r}").format(name=p.name, key=key), field=key
                )
            custom.pop(key)
        after = evolve(
            p,
            **set_fields,
            identities=identities,
            emails=unique_emails(
                [*(e for e in p.emails if e.casefold() not in gone_emails), *new_emails]
            ),
            phones=[x for x in p.phones if x not in gone_phones] + new_phones,
            tags=[t for t in p.tags if t not in gone_tags] + add_tags,
            custom=custom,
        )
        from socialcrm.serialization import changed_fields  # on use: the codec is not light

        changes = changed_fields(p, after)
        if not changes:
            return p, []
        after = evolve(after, updated_at=crm.now())
        check_identities_free(crm.repository, after)
        return after, [Edited(changes=changes)]

    return change
