"""Dates in every form exports write: each form of every date reads back as that date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.dates import MONTH_NAMES, parse_date, precision

EN_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
#: Abbreviations as each language's exports (and Excel in that locale) print them.
LOCAL_ABBR = {
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
    "de": [
        "Jan.",
        "Feb.",
        "Mär.",
        "Apr.",
        "Mai",
        "Jun.",
        "Jul.",
        "Aug.",
        "Sep.",
        "Okt.",
        "Nov.",
        "Dez.",
    ],
    "es": [
        "ene.",
        "feb.",
        "mar.",
        "abr.",
        "may.",
        "jun.",
        "jul.",
        "ago.",
        "sept.",
        "oct.",
        "nov.",
        "dic.",
    ],
    "it": ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
    "pt": [
        "jan.",
        "fev.",
        "mar.",
        "abr.",
        "mai.",
        "jun.",
        "jul.",
        "ago.",
        "set.",
        "out.",
        "nov.",
        "dez.",
    ],
}
ACCENTED = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2068, 12, 31))


def _forms(d: date) -> list[str]:
    month = d.month - 1
    out = [
        d.isoformat(),
        f"{d.isoformat()}T10:11:12Z",
        f"{d.isoformat()} 15:02:44",
        d.strftime("%Y/%m/%d"),
        f"{d.day:02d} {EN_ABBR[month]} {d.year}",  # LinkedIn
        f"{d.day}-{EN_ABBR[month]}-{d.year % 100:02d}",  # after Excel
        f"{d.day}-{EN_ABBR[month]}-{d.year}",
        f"{EN_ABBR[month]} {d.day}, {d.year}",
        f"{MONTH_NAMES['en'][month].capitalize()} {d.day}, {d.year}",
        str(int(datetime.combine(d, time(12), UTC).timestamp())),  # epoch seconds
        str(int(datetime.combine(d, time(12), UTC).timestamp()) * 1000),  # milliseconds
    ]
    for lang, abbrs in LOCAL_ABBR.items():
        out.append(f"{d.day} {abbrs[month]} {d.year}")
        full = ACCENTED.get(lang, " ".join(MONTH_NAMES[lang])).split()[month]
        out.append(f"{d.day} {full} {d.year}")
    out += [
        f"{d.day}. {ACCENTED['de'].split()[month]} {d.year}",
        f"{d.day} de {MONTH_NAMES['es'][month]} de {d.year}",
        f"{d.day} de {ACCENTED['pt'].split()[month]} de {d.year}",
    ]
    return out


@given(dates)
def test_every_form_of_a_date_reads_as_that_date(d: date) -> None:
    for form in _forms(d):
        assert parse_date(form) == d, form


@given(st.text(max_size=80))
def test_any_text_is_a_date_or_none_never_an_error(text: str) -> None:
    found = parse_date(text)
    assert found is None or isinstance(found, date)


@given(dates)
def test_numeric_day_month_only_when_unambiguous(d: date) -> None:
    text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    if d.day > 12 or d.day == d.month:
        assert parse_date(text) == d
    else:  # 08/07/2025: July 8th or August 7th — never guessed
        assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27-Nov-24", date(2024, 11, 27)),
        ("1er janvier 2024", date(2024, 1, 1)),
        ("8 juil. 2025", date(2025, 7, 8)),
        ("8. Mrz. 2025", date(2025, 3, 8)),
        ("5-Jan-69", date(1969, 1, 5)),
        ("5-Jan-68", date(2068, 1, 5)),
        ("31 Feb 2025", None),
        ("Gérante", None),
        ("", None),
        ("12345", None),
        (1560000000, date(2019, 6, 8)),
        (True, None),
    ],
)
def test_examples(text: object, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_precision_orders_values() -> None:
    assert precision("2025-07-08T10:00:00+00:00") > precision("2025-07-08")
    assert precision("2025-07-08") > precision("27-Nov-24") > precision("soon")
