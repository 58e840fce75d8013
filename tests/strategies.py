"""Hypothesis strategies generating valid socialcrm models (shared by tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
import hypothesis.strategies as st

from socialcrm.models import (
    PAYLOAD_TYPES,
    Assessment,
    Event,
    Identity,
    LawfulBasis,
    Pipeline,
    PointOfInterest,
    ProblemRecord,
    Prospect,
    ProspectKind,
    Source,
)
from socialcrm.stages import Stage, Status
from socialcrm.text import clean, is_safe

# Text from every script, including combining marks (NFC is applied by the models).
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
# Non-empty once the models have removed what a terminal would obey (socialcrm.text.clean).
nonempty = text.filter(lambda s: clean(s).strip() != "")
opt_text = st.none() | text

aware = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
)

identities = st.builds(
    Identity,
    network=st.sampled_from(["linkedin", "x", "instagram", "facebook", "youtube"]),
    handle=nonempty,
    url=nonempty,
)

prospects = st.builds(
    Prospect,
    id=st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26),
    name=nonempty,
    pipeline=nonempty,
    first_name=opt_text,
    last_name=opt_text,
    title=opt_text,
    company=opt_text,
    sector=opt_text,
    company_size=st.none() | st.integers(min_value=0, max_value=10**6),
    location=opt_text,
    emails=st.lists(text, max_size=3),
    phones=st.lists(text, max_size=2),
    identities=st.lists(identities, max_size=5, unique_by=lambda i: i.network),
    tags=st.lists(text, max_size=4),
    notes=text,
    custom=st.dictionaries(text, text, max_size=3),
    stage=st.sampled_from(list(Stage)),
    status=st.sampled_from(list(Status)),
    lost_reason=opt_text,
    point_of_interest=st.none() | st.builds(PointOfInterest, nonempty, opt_text, st.none() | aware),
    assessment=st.none()
    | st.builds(
        Assessment,
        st.booleans(),
        st.none() | st.floats(allow_nan=False, allow_infinity=False),
        st.none() | st.floats(allow_nan=False, allow_infinity=False),
        opt_text,
        st.none() | aware,
    ),
    owner=opt_text,
    source=st.none() | st.builds(Source, opt_text, opt_text, st.none() | aware, opt_text),
    lawful_basis=st.sampled_from(list(LawfulBasis)),
    kind=st.sampled_from(list(ProspectKind)),
    created_at=aware,
    updated_at=aware,
)

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | text
problem_records = st.builds(ProblemRecord, text, text, opt_text)


def _payload_strategy(cls: type) -> st.SearchStrategy[object]:
    attrs.resolve_types(cls)
    overrides: dict[str, st.SearchStrategy[object]] = {}
    if cls.__name__ == "StageChanged":
        overrides["overridden"] = st.lists(problem_records, max_size=3)
    for f in attrs.fields(cls):
        if f.type in (str, "str"):
            overrides.setdefault(f.name, text)
        elif f.type in ("str | None",) or f.type == (str | None):
            overrides.setdefault(f.name, opt_text)
    if cls.__name__ == "Edited":
        overrides["changes"] = st.dictionaries(text, st.lists(json_scalars, max_size=2))
    return st.builds(cls, **overrides)


payloads = st.one_of([_payload_strategy(cls) for cls in PAYLOAD_TYPES.values()])

# Ids are refused, not cleaned, when they hold an unsafe character.
safe_ids = nonempty.filter(is_safe)

events = st.builds(
    Event,
    id=safe_ids,
    prospect_id=safe_ids,
    at=aware,
    payload=payloads,
    actor=opt_text,
    pipeline=nonempty,
)

pipelines = st.builds(
    Pipeline,
    name=st.text(alphabet=st.characters(categories=("L", "N")), min_size=1, max_size=20),
    created_at=aware,
    description=text,
    settings=st.dictionaries(
        text,
        st.recursive(
            json_scalars,
            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
            max_leaves=8,
        ),
        max_size=4,
    ),
)
