"""What the CLI shows in the rep's language: words of the data, numbers, percentages, dates.

Stored values stay English (``contact``, ``won``, ``reply``): they are data,
and ``--format json|csv`` prints them as stored.  Tables and sentences show
them through :func:`word`.  Numbers, percentages and dates are formatted for
the language in force (:mod:`socialcrm.number_format`; French: ``12,5 %`` with a
no-break space, a decimal comma); in English they keep the CLI's own format, and Babel
is imported only when the language is not English (it costs start-up time).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from socialcrm import i18n, number_format
from socialcrm.i18n import N_
from socialcrm.i18n import gettext as _

if TYPE_CHECKING:
    from socialcrm.cards import Card
    from socialcrm.models import Prospect
    from socialcrm.playbook.agenda import AgendaItem

__all__ = [
    "STAGE_COLORS",
    "WORDS",
    "agenda_summary",
    "day",
    "event_kind",
    "formats",
    "number",
    "output_is",
    "percent",
    "stage_colour",
    "stage_label",
    "t_",
    "word",
]

WORDS: dict[str, str] = {
    # stages and statuses
    "profile": N_("profile"),
    "identify": N_("identify"),
    "notoriety": N_("notoriety"),
    "contact": N_("contact"),
    "convert": N_("convert"),
    "open": N_("open"),
    "won": N_("won"),
    "lost": N_("lost"),
    # agenda kinds
    "reply": N_("reply"),
    "step": N_("step"),
    "waiting": N_("waiting"),
    "expired": N_("expired"),
    "expiring": N_("expiring"),
    # event kinds (history tables)
    "created": N_("created"),
    "stage_changed": N_("stage changed"),
    "status_changed": N_("status changed"),
    "interaction": N_("interaction"),
    "message_sent": N_("message sent"),
    "message_received": N_("message received"),
    "note": N_("note"),
    "point_of_interest_set": N_("point of interest"),
    "assessed": N_("assessed"),
    "imported": N_("imported"),
    "merged": N_("merged"),
    "edited": N_("edited"),
    "sequence_enrolled": N_("enrolled in a sequence"),
    "sequence_stopped": N_("sequence stopped"),
    "notice_given": N_("notice given"),
    "erased": N_("erased"),
    # what report outreach groups openers by
    "network": N_("network"),
    "sequence": N_("sequence"),
    "template": N_("template"),
    # warmth levels (notoriety)
    "cold": N_("cold"),
    "warm": N_("warm"),
    "hot": N_("hot"),
    # engagement signals (warmth)
    "view": N_("view"),
    "like": N_("like"),
    "group": N_("group"),
    "follow": N_("follow"),
    "event": N_("event"),
    "comment": N_("comment"),
    "share": N_("share"),
    "mention": N_("mention"),
    # what a retention period runs from (agenda)
    "collection": N_("collection"),
    "their last contact": N_("their last contact"),
}
"""Stored words shown in tables, with their message (stage and status names, agenda kinds)."""


_neutral = False


def output_is(output_format: str) -> None:
    """Tell this module the run's ``--format``: CSV and JSON runs stay language-neutral.

    A command often builds one list of rows for the table and for CSV; in a
    CSV run every function here returns the stored, English form.
    """
    global _neutral
    _neutral = output_format != "table"
    i18n.set_neutral(_neutral)


def t_(message: str) -> str:
    """``_(message)``, except in a CSV or JSON run, where text stays English (``-k t_``)."""
    return message if _neutral else _(message)


def word(value: str) -> str:
    """A stored word (``contact``, ``won``, ``reply``) in the language in force."""
    message = WORDS.get(value)
    return value if message is None or _neutral else _(message)


def event_kind(value: str) -> str:
    """An event's kind for a history table (``stage_changed``: ``étape changée`` in French;
    English tables keep the stored kind, as JSON and CSV do)."""
    message = WORDS.get(value)
    if message is None or _neutral or i18n.language() == i18n.DEFAULT:
        return value
    return _(message)


STAGE_COLORS: dict[str, str] = {
    "profile": "bright_black",
    "identify": "cyan",
    "notoriety": "blue",
    "contact": "magenta",
    "convert": "yellow",
    "won": "green",
    "lost": "red",
}
"""A stage's colour in rich tables (by its stored name)."""


def stage_colour(shown: str, colours: dict[str, str]) -> str:
    """The colour of a stage cell (``colours`` by stored name), in whichever language."""
    first = shown.split()[0] if shown else ""
    if first in colours:
        return colours[first]
    return next((c for stored, c in colours.items() if word(stored) == first), "")


def stage_label(p: Prospect | Card) -> str:
    """``contact``, or ``won (at convert)`` for a closed prospect, in the language in force."""
    if p.status.value == "open":
        return word(p.stage.value)
    if _neutral:
        return f"{p.status.value} (at {p.stage.value})"
    return _("{status} (at {stage})").format(status=word(p.status.value), stage=word(p.stage.value))


def agenda_summary(item: AgendaItem) -> str:
    """The agenda line of ``item`` in the language in force (its ``summary`` is English)."""
    if not item.template or _neutral:
        return item.summary
    values = {k: word(v) if k in ("stage", "anchor") else v for k, v in item.values}
    return _(item.template).format(**values)


def agenda_command(item: AgendaItem) -> str:
    """``item``'s command with its words to replace (``"YOUR ANSWER"``…) in the
    language in force; the command itself is the same in every language."""
    from socialcrm.playbook.agenda import PLACEHOLDERS

    command = item.command
    if _neutral:
        return command
    for placeholder in PLACEHOLDERS:
        translated = _(placeholder).replace("\\", "\\\\")  # a literal replacement
        command = re.sub(rf"\b{placeholder}\b", translated, command)
    return command


def _locale() -> str | None:
    """The Babel locale of the language in force, None for English (the CLI's own format)."""
    lang = i18n.language()
    return None if lang == i18n.DEFAULT or _neutral else lang


def percent(ratio: float | None, digits: int = 1) -> str:
    """``0.125`` → ``12.5 %`` (English) / ``12,5 %`` (French); ``—`` when there is none."""
    return "—" if ratio is None else number_format.percent(ratio, _locale(), digits)


def number(value: float | None) -> str:
    """A number as short as it can be (``2.5``, ``12``): ``2,5`` in French; ``—`` for none."""
    return "—" if value is None else number_format.number(value, _locale())


def decimal(value: float, digits: int = 2) -> str:
    """A number with ``digits`` decimals (``0.75``): ``0,75`` in French."""
    locale = _locale()
    if locale is None:
        return f"{value:.{digits}f}"
    from babel.numbers import format_decimal

    return format_decimal(value, "0." + "0" * digits, locale=locale)


def day(value: date) -> str:
    """A calendar day: ISO in English (``2026-03-01``), ``1 mars 2026`` in French."""
    locale = _locale()
    if locale is None:
        return value.isoformat()
    from babel.dates import format_date

    return format_date(value, format="medium", locale=locale)


def _neutral_percent(ratio: float | None, digits: int = 1) -> str:
    return "—" if ratio is None else f"{ratio * 100:.{digits}f} %"


def _neutral_number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def formats(
    output_format: str,
) -> tuple[Callable[[float | None], str], Callable[[float | None], str]]:
    """``(percent, number)`` for ``output_format``: CSV cells stay language-neutral."""
    if output_format == "csv":
        return _neutral_percent, _neutral_number
    return percent, number
