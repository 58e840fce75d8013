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
``access``          the art. 15 access export: everything about one person
``backup_scan``     which backups of a store directory still hold a person
==================  ===========================================================

Nothing here writes but through the CRM's unit of work (``crm.recording``).
"""

from __future__ import annotations

__all__ = ["PRIVACY_KEY"]

PRIVACY_KEY = "privacy"
"""The pipeline ``settings`` key holding its privacy settings."""
