"""A realistic sample pipeline, for trying socialcrm without typing data in.

:func:`build_demo` fills an empty store with invented people spread over every
stage and outcome, on several networks, with the events a real rep would have
logged over a few weeks (qualification, likes and comments, points of
interest, messages both ways, notes, wins and losses).  Everything goes
through the :class:`~socialcrm.crm.CRM` facade with a clock moved through
time, so the demo obeys the same exit criteria as real work and its history
(time in stage, last contact) looks like a real one.

The CLI ends the demo with the board and the playbook's agenda
(:func:`socialcrm.playbook.agenda.today`): a reply waiting for an answer and
prospects waiting too long in a stage are part of the cast on purpose.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pluggy
from attrs import field, frozen

from socialcrm.crm import CRM, DEFAULT_PIPELINE
from socialcrm.errors import SocialCRMError
from socialcrm.i18n import text as _
from socialcrm.networks import count_characters
from socialcrm.repository import Repository

__all__ = [
    "DEMO_META_KEY",
    "DemoSummary",
    "build_demo",
    "store_kind",
]

#: Store setting marking a store built by :func:`build_demo` (safe to rebuild).
DEMO_META_KEY = "demo"

Progress = Callable[[int, int, str], None]

#: The cast, in the package next to this module.
PEOPLE_FILE = "demo_people.json"


# ---------------------------------------------------------------------------
# The cast (``demo_people.json``).  Profile URLs are written as a rep would paste them.


@frozen
class _Person:
    name: str
    title: str
    company: str
    sector: str
    location: str
    urls: dict[str, str]
    target: str  # a stage, "won", or "lost:<stage>"
    start_days_ago: float
    idle_days: float  # days since the last logged step
    emails: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    poi: str = ""
    poi_url: str | None = None
    opener: str = ""
    reply: str = ""
    note: str = ""
    lost_reason: str = ""
    awaiting_answer: bool = False  # the last event is their reply
    pipeline: str = DEFAULT_PIPELINE
    company_size: int | None = field(default=None)


@functools.cache
def people() -> tuple[_Person, ...]:
    """The cast, read once from the package's ``demo_people.json`` (data, not code)."""
    raw = json.loads(resources.files("socialcrm").joinpath(PEOPLE_FILE).read_text("utf-8"))
    cast: list[_Person] = []
    for entry in raw:
        fields: dict[str, Any] = dict(entry)
        for key in ("emails", "tags"):
            if key in fields:
                fields[key] = tuple(fields[key])
        cast.append(_Person(**fields))
    return tuple(cast)


def __getattr__(name: str) -> Any:
    if name == "PEOPLE":  # read on first use: importing the module reads no file
        return people()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PIPELINE_DESCRIPTIONS = {
    DEFAULT_PIPELINE: "Demo: small B2B teams who sell on social networks",
    "agencies": "Demo: a second offer, for creative and event agencies",
}


# ---------------------------------------------------------------------------
# Journeys: the steps that take a person to their target, in order.

Step = tuple[str, tuple[Any, ...]]


def _journey(person: _Person, networks: list[str]) -> list[Step]:
    target = person.target
    lost_at: str | None = None
    if target.startswith("lost:"):
        lost_at = target.split(":", 1)[1]
        target = lost_at
    order = ["profile", "identify", "notoriety", "contact", "convert", "won"]
    reach = order.index(target)
    first = networks[0] if networks else None
    steps: list[Step] = [("add", ())]
    if reach >= 1:
        steps.append(("advance", ()))
    if reach == 1 and lost_at is None and person.start_days_ago < 10:
        steps.append(("qualify", (True, "Decision maker, team of 5-50 selling online")))
    if reach >= 2:
        steps += [
            ("qualify", (True, f"{person.title}, {person.sector}: a decision maker we can help")),
            ("advance", ()),
        ]
        steps += [("engage", ("follow", first, None)), ("engage", ("like", first, None))]
        if person.poi:
            steps.append(("engage", ("comment", first, "Shared a useful resource in the thread")))
            steps.append(("interest", (person.poi, person.poi_url)))
        elif reach == 2:
            steps.append(("engage", ("view", first, None)))
    if reach >= 3:
        steps += [("advance", ()), ("sent", (person.opener, first, "opener"))]
        if person.reply:
            steps.append(("received", (person.reply, first)))
    if reach >= 4:
        steps += [
            ("advance", ()),
            ("sent", ("Here is a short proposal, happy to walk you through it.", first, "dm")),
        ]
        if person.note:
            steps.append(("note", (person.note,)))
    if reach >= 5:
        steps.append(("won", ()))
    elif person.note and reach < 4:
        steps.insert(1, ("note", (person.note,)))
    if lost_at == "identify":
        steps.append(("disqualify", ("No sales team: not our ideal customer",)))
    if lost_at is not None:
        steps.append(("lost", (person.lost_reason,)))
    return steps


def _channel(
    crm: CRM, network: str | None, purpose: str, text: str
) -> tuple[str | None, str | None]:
    """A channel of ``network`` suited to ``purpose`` whose length limit fits ``text``."""
    if network is None or network not in crm.networks:
        return network, None
    channels = crm.networks.get(network).channels
    wanted = (
        ("connection_note", "dm", "message")
        if purpose == "opener"
        else ("message", "dm", "inmail_body")
    )
    length = count_characters(text)
    for channel in wanted:
        if channel in channels and crm.networks.channel(network, channel).limit >= length:
            return network, channel
    return network, None


def _ascii_handle(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())[:15] or "demoperson"


def _urls(person: _Person, crm: CRM) -> list[str]:
    """The person's URLs on installed networks, or one on the first installed network."""
    urls = [url for net, url in person.urls.items() if net in crm.networks]
    if urls:
        return urls
    adapter = next(iter(crm.networks))
    return [adapter.profile_url(_ascii_handle(person.name))]


# ---------------------------------------------------------------------------


@frozen
class DemoSummary:
    """What :func:`build_demo` made."""

    prospects: int
    events: int
    pipelines: tuple[str, ...]
    networks: tuple[str, ...]


def store_kind(repository: Repository) -> str:
    """``"empty"``, ``"demo"`` (built by :func:`build_demo`) or ``"data"`` (real work)."""
    if repository.get_meta(DEMO_META_KEY):
        return "demo"
    pipelines = repository.list_pipelines()
    if any(repository.count(p.name) for p in pipelines):
        return "data"
    if any(p.name != DEFAULT_PIPELINE for p in pipelines):
        return "data"
    return "empty"


def _office_hours(at: datetime) -> datetime:
    """Squeeze a time of day into 09:00-18:00 (order kept): reps log work in the day."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(hours=9) + (at - midnight) * (9 / 24)


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def build_demo(
    repository: Repository,
    plugin_manager: pluggy.PluginManager,
    *,
    now: datetime | None = None,
    progress: Progress | None = None,
    actor: str | None = "demo",
) -> DemoSummary:
    """Fill ``repository`` with the sample pipelines (it must be empty or a demo store).

    A demo store is rebuilt from scratch.  ``progress(done, total, name)`` is
    called after each person.  Needs at least one network plugin.  ``actor``
    does every step and owns every prospect (the CLI: the rep trying it, so
    that ``today`` shows them the sample work).
    """
    now = (now or datetime.now(UTC)).astimezone(UTC)
    kind = store_kind(repository)
    if kind == "data":
        raise SocialCRMError(
            _("the store already holds prospects; the demo only fills an empty store"),
            hint=_("choose a new store with --db PATH"),
        )
    clock = _Clock(now)
    crms: dict[str, CRM] = {}

    def crm_for(pipeline: str) -> CRM:
        if pipeline not in crms:
            crms[pipeline] = CRM(
                repository, plugin_manager, clock=clock, pipeline=pipeline, actor=actor
            )
        return crms[pipeline]

    main = crm_for(DEFAULT_PIPELINE)
    if not len(main.networks):
        raise SocialCRMError(
            _("the demo needs at least one network plugin, and none is installed"),
            hint=_("install one, e.g. pip install -e plugins/socialcrm-linkedin"),
        )

    # Every step of every person, in time order: ids (ULIDs) then follow time too.
    cast = people()
    timeline: list[tuple[datetime, int, int, Step]] = []
    for index, person in enumerate(cast):
        crm = crm_for(person.pipeline)
        networks = [i.network for i in (crm.networks.parse(u) for u in _urls(person, crm))]
        steps = _journey(person, networks)
        start = now - timedelta(days=person.start_days_ago)
        end = now - timedelta(days=person.idle_days)
        gap = (end - start) / max(len(steps) - 1, 1)
        for n, step in enumerate(steps):
            timeline.append((_office_hours(start + gap * n), index, n, step))
    timeline.sort(key=lambda item: (item[0], item[1], item[2]))

    ids: dict[int, str] = {}
    done = 0
    remaining = {i: sum(1 for t in timeline if t[1] == i) for i in range(len(cast))}
    with repository.transaction():
        if kind == "demo":
            for pipeline in repository.list_pipelines():
                repository.delete_pipeline(pipeline.name)
            repository.set_meta("current_pipeline", None)
        for name, description in PIPELINE_DESCRIPTIONS.items():
            clock.now = timeline[0][0] - timedelta(hours=1)
            crm = crm_for(name)
            if repository.get_pipeline(name) is None:
                crm.create_pipeline(name, description=description)
        for at, index, _n, (action, args) in timeline:
            clock.now = at
            person = cast[index]
            crm = crm_for(person.pipeline)
            _apply(crm, person, ids, index, action, args)
            remaining[index] -= 1
            if remaining[index] == 0:
                done += 1
                if progress is not None:
                    progress(done, len(cast), person.name)
        from socialcrm.playbook.sample import add_playbook

        add_playbook(main, clock, now)  # profile, posts, ICP, templates, a sequence
        from socialcrm.reports.sample import add_results

        add_results(main, clock, now)  # half a year of posts, audience sizes, goals
        repository.set_meta(DEMO_META_KEY, {"built_at": now.isoformat()})
    events = sum(len(repository.events(pid)) for pid in ids.values())
    return DemoSummary(
        prospects=len(cast),
        events=events,
        pipelines=tuple(PIPELINE_DESCRIPTIONS),
        networks=tuple(a.id for a in main.networks),
    )


def _apply(
    crm: CRM, person: _Person, ids: dict[int, str], index: int, action: str, args: tuple[Any, ...]
) -> None:
    """Run one journey step through the facade (so the exit criteria apply)."""
    if action == "add":
        prospect = crm.add(
            person.name,
            urls=_urls(person, crm),
            emails=person.emails,
            title=person.title,
            company=person.company,
            sector=person.sector,
            location=person.location,
            company_size=person.company_size,
            tags=person.tags,
            source="demo data (invented person)",
        )
        ids[index] = prospect.id
        return
    ref = ids[index]
    if action == "advance":
        crm.advance(ref)
    elif action == "qualify":
        crm.assess(ref, qualified=True, note=args[1])
    elif action == "disqualify":
        crm.assess(ref, qualified=False, note=args[0])
    elif action == "engage":
        kind, network, note = args
        crm.log_interaction(ref, kind, network=network, note=note)
    elif action == "interest":
        crm.set_point_of_interest(ref, args[0], url=args[1])
    elif action == "sent":
        text, network, purpose = args
        network, channel = _channel(crm, network, purpose, text)
        crm.log_message(ref, text, channel=channel, network=network)
    elif action == "received":
        text, network = args
        crm.log_message(ref, text, received=True, network=network)
    elif action == "note":
        crm.add_note(ref, args[0])
    elif action == "won":
        crm.win(ref)
    elif action == "lost":
        crm.lose(ref, args[0])
    else:  # pragma: no cover - a typo in the journey table
        raise ValueError(f"unknown demo step {action!r}")
