"""The one wipe path: erasure (art. 17), objection (art. 21), expiry, merge, pipeline delete.

:func:`wipe` erases records in one unit of work (``crm.recording``): each
record, its events, identities and index keys leave the store (the store
writes a new generation and deletes the files it replaced); plugins receive an
``erased`` event for each; the erasure journal and the audit log get their
entries; for ``erase`` and ``objection`` the person's identifiers join the
suppression list.  Then every backup of the store that still holds a wiped
record is rewritten without it, or dropped when it cannot be rewritten
(:meth:`socialcrm.storage.tinydb.TinyDBRepository.rewrite_backups`).
Idempotent: wiping what is gone again changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from attrs import frozen

from socialcrm.errors import NotFoundError, ValidationError
from socialcrm.i18n import text as _
from socialcrm.masking import mask_name
from socialcrm.models import Prospect
from socialcrm.privacy import identifiers as ids
from socialcrm.privacy.people import person_records, records_of
from socialcrm.privacy.records import AUDIT, JOURNAL, append
from socialcrm.privacy.suppression import Suppression
from socialcrm.repository import Query, Repository

if TYPE_CHECKING:
    from socialcrm.crm import CRM

__all__ = [
    "REASONS",
    "SUPPRESSING",
    "Wiped",
    "delete_pipeline",
    "erase",
    "erase_identifiers",
    "scrub_backups",
    "wipe",
]

REASONS = ("erase", "objection", "expiry", "merge", "pipeline-delete", "restore")
#: Reasons whose person joins the suppression list.
SUPPRESSING = frozenset({"erase", "objection"})


@runtime_checkable
class RewritesBackups(Protocol):
    """A store whose backups can be rewritten without some prospects (directory stores)."""

    def rewrite_backups(
        self,
        prospect_ids: Iterable[str],
        emails: Iterable[str] = (),
        identity_keys: Iterable[str] = (),
    ) -> tuple[int, int]:
        """Rewrite the backups holding any of ``prospect_ids``, or a prospect holding
        one of ``emails`` / ``identity_keys``; ``(rewritten, dropped)``."""
        ...


@frozen
class Wiped:
    """What :func:`wipe` did: records erased, pipelines touched, identifiers
    suppressed, backups rewritten and dropped."""

    erased: int
    pipelines: list[str]
    suppressed: int
    backups_rewritten: int
    backups_dropped: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "erased": self.erased,
            "pipelines": self.pipelines,
            "suppressed": self.suppressed,
            "backups_rewritten": self.backups_rewritten,
            "backups_dropped": self.backups_dropped,
            "reason": self.reason,
        }


def _check_reason(reason: str) -> str:
    if reason not in REASONS:
        raise ValidationError(
            _("unknown erasure reason {reason!r}").format(reason=reason),
            field="reason",
            hint=", ".join(REASONS),
        )
    return reason


def wipe(
    crm: CRM,
    prospects: Sequence[Prospect],
    reason: str,
    *,
    suppress: bool | None = None,
    identifiers: Sequence[str] = (),
    backups: bool = True,
) -> Wiped:
    """Erase ``prospects`` everywhere (see the module documentation).

    ``suppress``: add their identifiers (and ``identifiers``, normalised) to the
    suppression list (default: for ``erase`` and ``objection``).  ``backups``:
    rewrite the store's backups too (``False`` only for a caller that does it).
    """
    _check_reason(reason)
    suppress = reason in SUPPRESSING if suppress is None else suppress
    unique = list({p.id: p for p in prospects}.values())
    suppressed = 0
    with crm.recording.transaction() as recorder:
        gone = [p for p in unique if crm.repository.get(p.id) is not None]
        for p in gone:
            recorder.erase(p)
        everything = [*identifiers, *(i for p in unique for i in ids.of_prospect(p))]
        if not gone and not (suppress and everything):
            return Wiped(0, [], 0, 0, 0, reason)
        supp = Suppression(crm.repository)
        key = supp.key(create=True)
        assert key is not None
        now = crm.now()
        if suppress:
            suppressed = supp.add(everything, reason=reason, at=now)
        append(
            supp.vault,
            JOURNAL,
            [
                {
                    "at": now.isoformat(),
                    "reason": reason,
                    "ids": sorted(ids.prospect_id_digest(key, p.id) for p in gone),
                    "identifiers": ids.digests(key, everything) if suppress else [],
                }
            ],
        )
        append(
            supp.vault,
            AUDIT,
            [
                {
                    "at": now.isoformat(),
                    "reason": reason,
                    "pipeline": p.pipeline,
                    "ref": mask_name(p.name),
                }
                for p in gone
            ],
        )
    rewritten = dropped = 0
    # the person may be in a backup under a record the store no longer has (a
    # restore went back before them): when suppressing, match their identifiers too
    typed = everything if suppress else []
    if backups and (gone or typed):
        rewritten, dropped = scrub_backups(crm.repository, [p.id for p in gone], typed)
    return Wiped(
        len(gone),
        sorted({p.pipeline for p in gone}),
        suppressed,
        rewritten,
        dropped,
        reason,
    )


def scrub_backups(
    repository: Repository, prospect_ids: Sequence[str], identifiers: Sequence[str] = ()
) -> tuple[int, int]:
    """Rewrite (or drop) the store's backups that hold ``prospect_ids`` or a prospect
    with one of the normalised ``identifiers`` (e-mails, handles); ``(rewritten,
    dropped)``.  A store without backups of its own (SQL, memory) has none to rewrite."""
    if not isinstance(repository, RewritesBackups) or not (prospect_ids or identifiers):
        return 0, 0
    emails = [i.partition(":")[2] for i in identifiers if i.startswith("email:")]
    keys = [i.partition(":")[2] for i in identifiers if i.startswith("handle:")]
    return repository.rewrite_backups(prospect_ids, emails, keys)


def erase(crm: CRM, ref: str, *, reason: str = "erase", suppress: bool | None = None) -> Wiped:
    """Erase the person ``ref`` names (current pipeline) from every pipeline.

    ``ref`` as for :meth:`CRM.resolve`.  When no stored prospect matches but
    ``ref`` is an e-mail, a profile URL or ``network:handle``, the identifier is
    suppressed (for ``erase``/``objection``) and nothing else happens: erasing
    twice is harmless.
    """
    try:
        prospect = crm.resolve(ref)
    except NotFoundError:
        try:
            typed = _identifiers_of_ref(crm, ref)
        except ValidationError:
            raise NotFoundError(ref) from None
        return erase_identifiers(crm, typed, reason=reason, suppress=suppress)
    return wipe(crm, person_records(crm, prospect), reason, suppress=suppress)


def erase_identifiers(
    crm: CRM, identifiers: Sequence[str], *, reason: str = "erase", suppress: bool | None = None
) -> Wiped:
    """Erase every stored record holding one of ``identifiers`` (normalised, see
    :mod:`~socialcrm.privacy.identifiers`), and suppress them all."""
    records = records_of(crm, identifiers)
    expanded = [r for p in records for r in person_records(crm, p)]
    return wipe(crm, expanded, reason, suppress=suppress, identifiers=identifiers)


def _identifiers_of_ref(crm: CRM, ref: str) -> list[str]:
    if "@" in ref and ":" not in ref:
        return ids.of_inputs(crm.networks, emails=[ref])
    return ids.of_inputs(crm.networks, urls=[ref])


def delete_pipeline(crm: CRM, name: str) -> Wiped:
    """Delete a pipeline: its prospects through :func:`wipe` (``pipeline-delete``: no
    suppression — the people may be wanted elsewhere), then the pipeline itself."""
    pipeline = crm.get_pipeline(name)
    prospects = crm.repository.query(Query(pipeline=pipeline.name))
    wiped = wipe(crm, prospects, "pipeline-delete")
    crm.delete_pipeline(pipeline.name)
    return wiped
