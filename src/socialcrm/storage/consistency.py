"""The deep checks of ``socialcrm doctor``: documents valid, indexes in step.

Fed one decoded data file at a time, they keep only ids and index keys across
files (a 30,000-prospect store is never held in memory whole), then compare.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from socialcrm.errors import SocialCRMError
from socialcrm.i18n import text as _
from socialcrm.storage import layout
from socialcrm.storage.report import DoctorReport, Finding
from socialcrm.storage.summary_check import SummaryChecks

if TYPE_CHECKING:
    from socialcrm.models import Event

__all__ = ["DeepChecks"]

_MAX_BAD_DOCUMENTS = 5  # invalid prospects (and events) reported one by one


class DeepChecks:
    """Validate documents and cross-check indexes (reported, never repaired).

    Fed one decoded data file at a time (:meth:`add`, in the manifest's sorted
    order) so that a 30,000-prospect store is never held in memory whole: it
    keeps per prospect only its id, pipeline and identity keys, and per index
    entry only its key and target.  Findings are buffered per check and
    emitted by :meth:`finish` in the order of the checks, whatever the file
    order, and only if reading every file raised no error.
    """

    def __init__(self, store: Path, header: dict[str, Any], restore_fix: str) -> None:
        from socialcrm.serialization import event_from_dict, prospect_from_dict

        self._prospect_from_dict = prospect_from_dict
        self._event_from_dict = event_from_dict
        self.restore_fix = restore_fix
        self.data_dir = str(store / layout.DATA_DIR)
        self.shards: int = header["prospect_shards"]
        self.key_shards: int = header["key_shards"]
        self.locator_shards: int = header["locator_shards"]
        self.id_shards: int = header["id_shards"]
        # prospects: id -> (stored "pipeline" value, its identity index keys)
        self.prospects: dict[str, tuple[Any, tuple[str, ...]]] = {}
        self.located: dict[str, str] = {}
        self.bad_prospects = 0
        self.prospect_findings: list[Finding] = []
        self.locator: dict[str, str] = {}
        self.locator_findings: list[Finding] = []
        self.ids: dict[str, Any] = {}
        self.ids_findings: list[Finding] = []
        self.indexed: dict[str, Any] = {}
        self.key_findings: list[Finding] = []
        self.n_events = 0
        self.event_owners: list[str] = []
        self.bad_events = 0
        self.event_findings: list[Finding] = []
        self.summary_checks = SummaryChecks(self.data_dir)

    def add(self, logical: str, data: dict[str, Any], where: str) -> None:
        """Check one decoded data file and keep what the cross-file checks need."""
        kind = logical[:2]
        if kind == "p-":
            self._prospects(logical, data, where)
        elif kind == "l-":
            for pid, doc in data.get("locations", {}).items():
                self.locator[pid] = str(doc.get("file"))
                if layout.locator_file(pid, self.locator_shards) != logical:
                    self.locator_findings.append(
                        Finding(
                            "error",
                            "misplaced",
                            _("locator of {id} in wrong shard").format(id=pid),
                            where,
                        )
                    )
        elif kind == "i-":
            for pipeline_name, doc in data.get("pipelines", {}).items():
                for pid in doc.get("ids", ()):
                    self.ids[pid] = pipeline_name
                    if layout.ids_file(pid, self.id_shards) != logical:
                        self.ids_findings.append(
                            Finding(
                                "error",
                                "misplaced",
                                _("id {id} in wrong shard").format(id=pid),
                                where,
                            )
                        )
        elif kind == "k-":
            for key, doc in data.get("identities", {}).items():
                self.indexed[key] = doc.get("id")
                if layout.key_file(key, self.key_shards) != logical:
                    self.key_findings.append(
                        Finding(
                            "error",
                            "misplaced",
                            _("key {key!r} in wrong shard").format(key=key),
                            where,
                        )
                    )
        elif kind == "e-":
            self._events(data, where)
        elif kind == "s-":
            self.summary_checks.summaries(logical, data)
        elif kind == "r-":
            self.summary_checks.journeys(logical, data)

    def _prospects(self, logical: str, data: dict[str, Any], where: str) -> None:
        for pid, doc in data.get("prospects", {}).items():
            self.prospects[pid] = (doc.get("pipeline"), _identity_keys(doc))
            model = None
            try:
                model = self._prospect_from_dict(doc)
            except SocialCRMError as exc:
                self.bad_prospects += 1
                if self.bad_prospects <= _MAX_BAD_DOCUMENTS:
                    self.prospect_findings.append(
                        Finding("error", "bad-prospect", f"{pid}: {exc}", where)
                    )
            if layout.prospect_file(pid, str(doc.get("stage")), self.shards) != logical:
                self.prospect_findings.append(
                    Finding(
                        "error",
                        "misplaced",
                        _("prospect {id} in wrong shard").format(id=pid),
                        where,
                    )
                )
            self.located[pid] = logical
            self.summary_checks.prospect(pid, model, logical)

    def _events(self, data: dict[str, Any], where: str) -> None:
        for pid, doc in data.get("events", {}).items():
            events = doc.get("events", [])
            self.n_events += len(events)
            self.event_owners.append(pid)
            models: list[Event] | None = []
            for event in events:
                try:
                    model = self._event_from_dict(event)
                    if models is not None:
                        models.append(model)
                except SocialCRMError as exc:
                    models = None
                    self.bad_events += 1
                    if self.bad_events <= _MAX_BAD_DOCUMENTS:
                        self.event_findings.append(
                            Finding("error", "bad-event", f"{pid}: {exc}", where)
                        )
            self.summary_checks.events(pid, models)

    def finish(self, manifest: dict[str, Any], report: DoctorReport) -> None:
        """Run the cross-file checks and append every finding, in the checks' order."""
        findings = report.findings
        prospects = self.prospects
        findings += self.prospect_findings
        findings += self.locator_findings
        if self.locator != self.located:
            findings.append(
                Finding(
                    "error",
                    "locator",
                    _(
                        "the locator differs from where prospects are "
                        "({not_located} not located, {absent} located but absent)"
                    ).format(
                        not_located=len(self.located.keys() - self.locator.keys()),
                        absent=len(self.locator.keys() - self.located.keys()),
                    ),
                    self.data_dir,
                    self.restore_fix,
                )
            )
        findings += self.ids_findings
        wrong_pipeline = sorted(
            pid for pid, name in self.ids.items() if pid in prospects and prospects[pid][0] != name
        )
        if wrong_pipeline:
            findings.append(
                Finding(
                    "error",
                    "ids-index",
                    _("{count} prospect(s) indexed under the wrong pipeline (e.g. {id})").format(
                        count=len(wrong_pipeline), id=wrong_pipeline[0]
                    ),
                    self.data_dir,
                    self.restore_fix,
                )
            )
        missing_ids = prospects.keys() - self.ids.keys()
        dangling_ids = self.ids.keys() - prospects.keys()
        if missing_ids or dangling_ids:
            findings.append(
                Finding(
                    "error",
                    "ids-index",
                    _(
                        "id index out of step: {missing} prospect(s) not indexed, "
                        "{dangling} indexed id(s) without prospect"
                    ).format(missing=len(missing_ids), dangling=len(dangling_ids)),
                    self.data_dir,
                    self.restore_fix,
                )
            )
        pipelines = manifest.get("pipelines", {})
        used = {str(pipeline) for pipeline, _keys in prospects.values()}
        unknown_pipelines = sorted(used - set(pipelines))
        if unknown_pipelines:
            findings.append(
                Finding(
                    "info",
                    "pipelines",
                    _("prospects in pipeline(s) not declared: {names}").format(
                        names=", ".join(map(str, unknown_pipelines))
                    ),
                    None,
                    _("create them with 'socialcrm pipeline create NAME' to give them settings"),
                )
            )
        expected_keys = {key: pid for pid, (_p, keys) in prospects.items() for key in keys}
        findings += self.key_findings
        if self.indexed != expected_keys:
            findings.append(
                Finding(
                    "error",
                    "identity-index",
                    _("identity index differs from the prospects' identities"),
                    self.data_dir,
                    self.restore_fix,
                )
            )
        findings += self.event_findings
        orphans = [pid for pid in self.event_owners if pid not in prospects]
        if orphans:
            findings.append(
                Finding(
                    "warning",
                    "orphan-events",
                    _("events of {count} deleted or unknown prospect(s) (e.g. {id})").format(
                        count=len(orphans), id=orphans[0]
                    ),
                    self.data_dir,
                    _("harmless, they are never shown; restore a backup if prospects went missing"),
                )
            )
        findings += self.summary_checks.findings()
        report.prospects = len(prospects)
        report.events = self.n_events


def _identity_keys(doc: dict[str, Any]) -> tuple[str, ...]:
    """The identity-index keys a prospect document should have (``pipeline\tnetwork:handle``).

    A malformed identity is skipped here: the document is already reported as
    a bad prospect, and the index check must not crash on it.
    """
    pipeline = doc.get("pipeline", "default")
    identities = doc.get("identities", ())
    if not isinstance(identities, list):
        return ()
    return tuple(
        f"{pipeline}\t{ident['network']}:{ident['handle']}"
        for ident in identities
        if isinstance(ident, dict) and "network" in ident and "handle" in ident
    )
