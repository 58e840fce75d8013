"""Likely duplicates (with reasons) and merging two prospects atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcrm.crm import CRM
from socialcrm.dedupe import duplicates_in, merge
from socialcrm.errors import ValidationError
from socialcrm.models import EventKind, Merged
from socialcrm.stages import Stage

from .helpers import store_snapshot


def test_duplicates_with_reasons(store: CRM) -> None:
    a = store.add("Zoé Martin", emails=["Zoe@Example.com"], company="Acme")
    b = store.add("Martin Zoé", emails=["zoe@example.COM"], company="ACME", allow_shared_email=True)
    c = store.add("Jean Dupont", company="Globex")
    d = store.add("Jean Dupond", company="Globex")
    store.add("Jean Dupont", company="Initech")  # same name, another company: not listed
    store.add("Zoe Martin")  # similar name, no company: never on a name alone
    pairs = duplicates_in(store)
    found = {(p.keep.id, p.other.id): p.reasons for p in pairs}
    assert set(found) == {(a.id, b.id), (c.id, d.id)}
    assert found[(a.id, b.id)][0] == "same e-mail zoe@example.com"
    assert any(r.startswith("similar name (Zoé Martin / Martin Zoé") for r in found[(a.id, b.id)])
    assert found[(c.id, d.id)] == (
        "similar name (Jean Dupont / Jean Dupond, 91%) and same company Globex",
    )
    assert pairs[0].keep.id == a.id  # strong evidence first


def test_merge_unions_and_repoints_history(store: CRM) -> None:
    keep = store.add(
        "Zoé Martin",
        urls=["https://www.linkedin.com/in/zoe-martin-4b2a1c"],
        emails=["zoe@example.com"],
        tags=["hot"],
        custom={"origin": "salon"},
    )
    other = store.add(
        "Zoé M.",
        urls=["x:zoemartin"],
        emails=["ZOE@example.com", "zoe.perso@example.net"],
        phones=["+33 6 12 34 56 78"],
        tags=["fr"],
        company="Acme",
        custom={"origin": "web", "size": "10"},
        allow_shared_email=True,
    )
    store.log_message(other.id, "Bonjour", channel="dm", network="x")
    store.move(other.id, Stage.IDENTIFY, force=True)
    other_events = [e.id for e in store.history(other.id)]
    merged = merge(store, keep.id, other.id)
    assert merged.id == keep.id
    assert sorted(i.key for i in merged.identities) == ["linkedin:zoe-martin-4b2a1c", "x:zoemartin"]
    assert merged.emails == ("zoe@example.com", "zoe.perso@example.net")
    assert merged.phones == ("+33612345678",)
    assert merged.tags == ("fr", "hot")
    assert merged.custom == {"origin": "salon", "size": "10"}
    assert merged.company == "Acme"
    assert merged.stage is Stage.PROFILE  # KEEP's stage
    history = store.history(keep.id)
    assert set(other_events) <= {e.id for e in history}
    assert all(e.prospect_id == keep.id for e in history)
    last = history[-1]
    assert last.kind is EventKind.MERGED
    assert last.payload == Merged(other.id, "Z••• M•••")  # the loser's name masked
    assert store.repository.get(other.id) is None
    assert store.resolve("x:zoemartin").id == keep.id


def test_merge_conflict_leaves_the_store_unchanged(store: CRM, store_path: Path) -> None:
    a = store.add("A", urls=["https://www.linkedin.com/in/aaa"])
    b = store.add("B", urls=["https://www.linkedin.com/in/bbb"])
    before = store_snapshot(store_path)
    with pytest.raises(ValidationError, match="cannot merge"):
        merge(store, a.id, b.id)
    with pytest.raises(ValidationError, match="same prospect"):
        merge(store, a.id, a.id)
    assert store_snapshot(store_path) == before


NAME_WORDS = st.sampled_from(
    ["Zoé", "zoe", "Martin", "MARTIN", "de", "la", "Fontaine", "Ana", "Anna", "Li", "O'Neil", "Jr."]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(NAME_WORDS, min_size=1, max_size=4).map(" ".join), min_size=2, max_size=8))
def test_similar_names_scores_as_rapidfuzz_token_sort_ratio(names: list[str]) -> None:
    """Sorting each name's words once, then comparing with fuzz.ratio, finds exactly the
    pairs (and scores) that token_sort_ratio on the processed names finds."""
    from rapidfuzz import fuzz, utils

    from socialcrm.dedupe import NAME_THRESHOLD, _similar_names
    from socialcrm.testing.contract import make_prospect

    people = [make_prospect(f"01P{i:05d}", name) for i, name in enumerate(names)]
    found = {(a.id, b.id): score for a, b, score in _similar_names(people, NAME_THRESHOLD)}
    expected = {}
    for n, a in enumerate(people):
        for b in people[n + 1 :]:
            score = fuzz.token_sort_ratio(
                utils.default_process(a.name), utils.default_process(b.name)
            )
            if score >= NAME_THRESHOLD:
                expected[(a.id, b.id)] = score
    assert found.keys() == expected.keys()
    assert all(found[k] == pytest.approx(expected[k]) for k in found)
