"""Data protection (GDPR, CNIL): what the tool does so a small company can rely on it.

One module per duty, each loaded on use:

==================  ===========================================================
module              duty
==================  ===========================================================
``settings``        a pipeline's privacy settings (``settings["privacy"]``):
                    controller, contact, purpose, how to object, language,
                    retention period, the texts' overrides
``basis``           the GDPR art. 6 lawful bases, described (art. 6, 13/14)
``texts``           the notice and re-contact texts shipped in French and
                    English (package data ``texts/``), rendered per person
``notice``          the art. 14 information notice: given or not, logging a
                    message with it, who is overdue
``retention``       the CNIL retention clock (art. 5(1)(e)): when a person's
                    data expires, who is due, the purge
``access``          the art. 15 access export: everything about one person, and
                    which of a directory store's backups still hold them
``erasure``         the one wipe path (art. 17, 21, expiry, merge, pipeline
                    delete): every pipeline, event, index key and backup
``people``          which stored records are one person (same e-mail or
                    network identity, any pipeline)
``identifiers``     a person's normalised identifiers and their keyed digests
``suppression``     the suppression list ("liste repoussoir"): digests only
``records``         the erasure journal and the audit log (no identifying data)
``vault``           where those records live, outside the backups
``restoring``       after a restore, erase again what was erased since
``rectification``   note edit and removal keeping no old text (art. 16)
==================  ===========================================================

Nothing here writes but through the CRM's unit of work (``crm.recording``).
"""

from __future__ import annotations

__all__ = ["PRIVACY_KEY"]

PRIVACY_KEY = "privacy"
"""The pipeline ``settings`` key holding its privacy settings."""
