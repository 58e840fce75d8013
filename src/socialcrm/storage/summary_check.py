"""``doctor``'s check of the summaries and journeys: each equals what its record and
events give.

A part of :class:`socialcrm.storage.consistency.DeepChecks`, fed the models it
builds anyway.  Data files come in the manifest's sorted order — events
(``e-``), then prospects (``p-``), then journeys (``r-``) and summaries
(``s-``) — so each prospect's expected documents are computed before its stored
ones are read, and only those (packed JSON, a few hundred bytes per prospect)
are kept in between.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from socialcrm.i18n import text as _
from socialcrm.journey import journey_of
from socialcrm.storage import layout
from socialcrm.storage.report import Finding
from socialcrm.summary import EventsSummary, of_prospect

if TYPE_CHECKING:
    from socialcrm.models import Event, Prospect

__all__ = ["SummaryChecks", "out_of_step"]


class SummaryChecks:
    """Expected summaries, built from the records and events read, against the kept ones."""

    def __init__(self, data_dir: str) -> None:
        self._data_dir = data_dir
        self._events: dict[str, tuple[bytes, bytes]] = {}  # id -> events' part, journey
        self._unknown: set[str] = set()  # a document could not be read: not checked
        self._expected: dict[str, tuple[str, bytes]] = {}  # id -> (s- file, summary)
        self._journeys: dict[str, tuple[str, bytes]] = {}  # id -> (r- file, journey)
        self._differ: list[str] = []
        self._extra: list[str] = []

    def events(self, pid: str, events: list[Event] | None) -> None:
        """``pid``'s whole history (``None``: one of its events could not be read)."""
        if events is None:
            self._unknown.add(pid)
        else:
            folded = orjson.dumps(EventsSummary.of(events).doc)
            self._events[pid] = (folded, orjson.dumps({"j": journey_of(events)}))

    def prospect(self, pid: str, prospect: Prospect | None, logical: str) -> None:
        """``pid``'s record, read from ``logical`` (``None``: it could not be read)."""
        if prospect is None or pid in self._unknown:
            self._unknown.add(pid)
            return
        folded, journey = self._events.pop(pid, (b"{}", b'{"j":[]}'))
        summary = {**of_prospect(prospect), "e": orjson.loads(folded)}
        self._expected[pid] = (layout.summary_file(logical), orjson.dumps(summary))
        self._journeys[pid] = (layout.journey_file(logical), journey)

    def summaries(self, logical: str, data: Mapping[str, Any]) -> None:
        """The summaries kept in the ``s-`` file ``logical``."""
        self._compare(self._expected, logical, data.get("summaries", {}))

    def journeys(self, logical: str, data: Mapping[str, Any]) -> None:
        """The journeys kept in the ``r-`` file ``logical``."""
        self._compare(self._journeys, logical, data.get("journeys", {}))

    def _compare(
        self, expecting: dict[str, tuple[str, bytes]], logical: str, docs: Mapping[str, Any]
    ) -> None:
        for pid, kept in docs.items():
            expected = expecting.pop(pid, None)
            if expected is None:
                if pid not in self._unknown:
                    self._extra.append(pid)
            elif expected[0] != logical or orjson.loads(expected[1]) != kept:
                self._differ.append(pid)

    def findings(self) -> list[Finding]:
        """One finding if any summary is missing, differs or has no prospect."""
        wrong = sorted({*self._differ, *self._expected, *self._journeys, *self._extra})
        return out_of_step(wrong, self._data_dir)


def out_of_step(wrong: list[str], where: str | None) -> list[Finding]:
    """``doctor``'s finding about the prospects in ``wrong`` (none if it is empty), whose
    kept summary or journey is not what their record and events give (either store)."""
    if not wrong:
        return []
    return [
        Finding(
            "error",
            "summaries",
            _(
                "{count} prospect summary(ies) or journey(s) out of step with the records "
                "and events (e.g. {example}): today, board, list and the reports may show "
                "wrong data"
            ).format(count=len(wrong), example=wrong[0]),
            where,
            _("run 'socialcrm reindex': it recomputes them from the records and events"),
        )
    ]
