"""The HTML report opened in a real headless browser (Debian's chromium, driven by playwright).

Checks: no console error, no network request (only the file itself is loaded),
every chart drawn with a non-zero size, and every figure in the page equal to
the same store's ``report … --format json`` (each figure's cell carries its
report and JSON path).  A screenshot is written as an artefact: to
``$SOCIALCRM_ARTEFACTS`` when set, else to the test's ``tmp_path``.

Without chromium this test **fails** (``.ci/run`` installs it); set
``SOCIALCRM_SKIP_BROWSER=1`` to skip it on purpose.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from socialcrm.playbook.posts import log_post
from socialcrm.reports.audience import log_audience
from socialcrm.reports.goals import set_goal

from .conftest import Pipeline, build, cli, day

CHROMIUM = os.environ.get("SOCIALCRM_CHROMIUM", "/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("SOCIALCRM_SKIP_BROWSER")), reason="SOCIALCRM_SKIP_BROWSER is set"
)


def run(store: Path, *args: str) -> str:
    return cli(store, *args).stdout


def lookup(data: Any, path: str) -> Any:
    for part in json.loads(path):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def shown(value: Any, kind: str, lang: str) -> str:
    """What the page must show for a JSON value (written here, not imported): in French,
    a decimal comma, a narrow no-break space between thousands, a no-break space before ``%``."""
    if value is None:
        return "—"
    if kind == "bool":
        return {"en": {True: "yes", False: "no"}, "fr": {True: "oui", False: "non"}}[lang][value]
    if kind == "pct":
        english = f"{value * 100:,.1f} %"
    else:
        english = f"{value:,g}" if isinstance(value, float) else f"{value:,}"
    if lang == "en":
        return english.replace(",", "")
    return english.replace(",", "\u202f").replace(".", ",").replace(" %", "\u00a0%")


@pytest.fixture
def store(empty: Pipeline) -> Path:
    build(empty)
    crm = empty.crm
    for n, (views, reactions) in enumerate([(800, 40), (1200, 30), (900, 45)]):
        log_post(crm, "linkedin", views=views, reactions=reactions, at=day(n * 4))
    log_post(crm, "facebook", views=300, reactions=6, at=day(5))
    log_audience(crm, "linkedin", 120, date(2026, 1, 31))
    log_audience(crm, "linkedin", 150, date(2026, 2, 28))
    log_audience(crm, "linkedin", 171, date(2026, 3, 14))
    set_goal(crm, "posts", 2, per="week")
    set_goal(crm, "wins", 3, per="year")
    set_goal(crm, "followers", 300, by=date(2027, 1, 1), network="linkedin")
    evil = crm.add('<img src="https://evil.example/x.png"> & co', urls=["https://x.com/evil"])
    crm.lose(
        evil.id,
        '<script>fetch("https://evil.example")</script>',
    )
    crm.close()
    return empty.store


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_report_in_a_real_browser(store: Path, tmp_path: Path, lang: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (or SOCIALCRM_SKIP_BROWSER=1)"
        )
    from playwright.sync_api import sync_playwright

    out = tmp_path / "report.html"
    run(store, "report", "html", "--out", str(out), "--lang", lang)
    expected = {
        name: json.loads(run(store, "report", name, "--format", "json"))
        for name in ("funnel", "outreach", "content", "audience")
    }
    expected["goals"] = json.loads(run(store, "goal", "list", "--format", "json"))
    page_text = out.read_text("utf-8")
    assert "<script" not in page_text and "<img" not in page_text
    assert "&lt;script&gt;" in page_text  # the loss reason, escaped

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        sizes = page.eval_on_selector_all(
            "figure.chart svg",
            "els => els.map(e => {"
            " const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
        )
        cells = page.eval_on_selector_all(
            "td[data-report]",
            "els => els.map(e => [e.dataset.report, e.dataset.path, e.dataset.kind,"
            " e.dataset.value, e.textContent])",
        )
        artefacts = Path(os.environ.get("SOCIALCRM_ARTEFACTS") or tmp_path)
        artefacts.mkdir(parents=True, exist_ok=True)
        shot = artefacts / f"report-{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        pdf = page.pdf(format="A4")  # printable: chromium lays it out on A4 pages
        browser.close()
    assert errors == []
    assert requests == [out.as_uri()]
    assert len(sizes) == 6 and all(w > 0 and h > 0 for w, h in sizes), sizes
    assert shot.stat().st_size > 10_000 and pdf.startswith(b"%PDF")
    assert len(cells) > 60
    for report, path, kind, value, text in cells:
        want = lookup(expected[report], path)
        if report == "goals" and json.loads(path)[-1] == "expected":
            # the clock moved between the two commands: the expected value grows with it
            assert abs(json.loads(value) - want) <= 0.01, (path, value, want)
            continue
        assert json.loads(value) == want, (report, path, value, want)
        assert text.strip() == shown(want, kind, lang), (report, path, text)
