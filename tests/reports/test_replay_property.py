"""Property: whatever happens to prospects, the replay ends where they are, and a
stage's outcomes add up to the prospects that entered it (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialcrm import CRM, MemoryRepository
from socialcrm.dedupe import merge
from socialcrm.errors import SocialCRMError
from socialcrm.plugins import get_plugin_manager
from socialcrm.reports.funnel import OUTCOMES, funnel
from socialcrm.reports.selection import Filters
from socialcrm.reports.timeline import replay
from socialcrm.stages import Stage
from socialcrm.testing import FrozenClock

from .conftest import START

STAGES = [s.value for s in Stage]
ACTIONS = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 3), st.sampled_from(STAGES)),
    st.tuples(st.just("lose"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("reopen"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("win"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("sent"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("received"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3).map(str)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTIONS, max_size=25), st.integers(0, 40))
def test_replay_ends_where_the_prospect_is(actions: list[tuple[str, int, str]], cut: int) -> None:
    clock = FrozenClock(START)
    crm = CRM(MemoryRepository(), get_plugin_manager(), clock=clock)
    urls = [  # one network each, so any two can be merged
        "https://x.com/p0",
        "https://www.linkedin.com/in/person-one",
        "https://www.facebook.com/p2.example",
        "https://www.instagram.com/p3.example",
    ]
    ids = [crm.add(f"P{i}", urls=[url]).id for i, url in enumerate(urls)]
    for action, who, arg in actions:
        clock.advance(hours=7)
        ref = ids[who]
        try:
            if action == "move":
                crm.move(ref, arg, force=True, reason="t")
            elif action == "lose":
                crm.lose(ref, "r")
            elif action == "reopen":
                crm.reopen(ref)
            elif action == "win":
                crm.win(ref, force=True)
            elif action in ("sent", "received"):
                crm.log_message(ref, "m", received=action == "received")
            elif action == "merge" and ids[int(arg)] != ref:
                merge(crm, ref, ids[int(arg)])
                ids = [ref if i == ids[int(arg)] else i for i in ids]
        except SocialCRMError:
            continue  # not allowed now (reopen an open prospect, win before convert…)
    now = clock.now
    for pid in set(ids):
        prospect = crm.repository.get(pid)
        assert prospect is not None
        track = replay(crm.repository.events(pid), now, (prospect.stage, prospect.status))
        assert track.status is prospect.status
        assert track.stage is prospect.stage
        open_visits = [v for v in track.visits if v.end is None]
        assert len(open_visits) == (1 if prospect.is_open else 0)
    since = START + timedelta(hours=7 * cut)
    report = funnel(crm.repository, Filters(now=now, since=min(since, now)))
    for row in report["stages"]:
        assert sum(row[o] for o in OUTCOMES) == row["entered"]
        assert row["won"] == 0 or row["stage"] == "convert"
    whole = funnel(crm.repository, Filters(now=now))
    assert whole["prospects"] == len(set(ids))
    assert whole["won"] == sum(1 for p in set(ids) if crm.repository.get(p).status.value == "won")  # type: ignore[union-attr]
