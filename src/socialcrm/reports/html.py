"""``report html``: every report in one self-contained, printable HTML file.

No network: styles are inline, charts are inline SVG drawn by matplotlib
(:mod:`~socialcrm.reports.charts`), nothing is fetched.  Every chart is
followed by a table with the same numbers; each figure's cell carries the
report and path of its value in ``report … --format json``
(``data-report``, ``data-path``, ``data-value``), which the browser test
compares.  Every piece of outside text is escaped (``html.escape``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from socialcrm.number_format import number, percent
from socialcrm.reports.audience import audience
from socialcrm.reports.charts import Charts
from socialcrm.reports.content import content
from socialcrm.reports.funnel import FunnelPass
from socialcrm.reports.goals import GoalTimes, goals_status, needs_events
from socialcrm.reports.labels import STAGES, label
from socialcrm.reports.outreach import OutreachPass
from socialcrm.reports.selection import Filters, subjects
from socialcrm.reports.timeline import replay_journey
from socialcrm.repository import Repository

__all__ = ["LANGS", "build_html", "collect", "fmt", "render_html"]

LANGS = ("en", "fr")

CSS = """
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 8mm 0 2mm; border-bottom: 1px solid #cbd2d9; }
section { break-inside: avoid-page; }
figure { margin: 2mm 0; }
figure svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; break-inside: avoid; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 1mm 2mm; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f5f7fa; font-weight: 600; }
.below, .behind { color: #d64545; font-weight: 600; }
.muted { color: #616e7c; }
"""


def fmt(value: Any, kind: str = "num", lang: str = "en") -> str:
    """How a JSON value is shown in the page (the browser test states the same rule):
    ``2.5``, ``50.0 %``, ``1200`` in English; ``2,5``, ``50,0 %``, ``1 200`` in French."""
    if value is None:
        return "—"
    if kind == "bool":
        return label(lang, "yes" if value else "no")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    locale = None if lang == "en" else lang
    if kind == "pct":
        return percent(value, locale)
    return number(value, locale)


class _Page:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.parts: list[str] = []

    def t(self, key: str) -> str:
        return escape(label(self.lang, key))

    def add(self, html: str) -> None:
        self.parts.append(html)

    def cell(
        self, report: str, path: str | list[str], value: Any, kind: str = "num", cls: str = ""
    ) -> str:
        """A figure's cell; ``path`` (dotted, or a list of keys) locates it in the JSON."""
        keys = path.split(".") if isinstance(path, str) else path
        attrs = (
            f' data-report="{report}" data-path="{escape(json.dumps(keys), quote=True)}"'
            f' data-kind="{kind}" data-value="{escape(json.dumps(value), quote=True)}"'
        )
        klass = f' class="{cls}"' if cls else ""
        return f"<td{attrs}{klass}>{escape(fmt(value, kind, self.lang))}</td>"

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        head = "".join(f"<th>{self.t(h)}</th>" for h in headers)
        body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
        self.add(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def figure(self, svg: str) -> None:
        self.add(f'<figure class="chart">{svg}</figure>')


def text(value: Any) -> str:
    return f"<td>{escape(str(value))}</td>"


def collect(repository: Repository, filters: Filters) -> dict[str, Any]:
    """Every report's JSON for the page, reading the events once.

    Goals count over the whole pipeline: they share the pass unless a prospect
    filter (network, tag, source) narrows it.
    """
    passes: list[Any] = [FunnelPass(filters), OutreachPass(repository, filters)]
    whole = filters.network is None and filters.tag is None and filters.source is None
    counted = GoalTimes(filters.now) if whole and needs_events(repository) else None
    if counted is not None:
        passes.append(counted)
    shared = filters.end == filters.now  # every pass replays up to now: once is enough
    for subject, journey in subjects(repository, filters):
        track = None
        if shared:
            track = replay_journey(journey, filters.end, (subject.stage, subject.status))
        for report in passes:
            report.add(subject, journey, track)
    return {
        "funnel": passes[0].result(),
        "outreach": passes[1].result(),
        "content": content(repository, filters),
        "audience": audience(repository, filters),
        "goals": goals_status(
            repository, filters.pipeline, filters.now, counted.times if counted else None
        ),
    }


def build_html(repository: Repository, filters: Filters, lang: str = "en") -> str:
    """The whole report for ``filters``, as one HTML document."""
    return render_html(collect(repository, filters), lang, filters.now)


def render_html(data: dict[str, Any], lang: str, now: datetime) -> str:
    charts = Charts()
    page = _Page(lang)
    f = data["funnel"]
    period = f"{(f['filters']['since'] or '…')[:10]} → {f['filters']['until'][:10]}"
    page.add(f"<h1>{page.t('title')}</h1>")
    page.add(
        f'<p class="muted">{page.t("period")}{page.t("colon")}{escape(period)} · '
        f"{escape(f['filters']['pipeline'])}</p>"
    )
    _funnel(page, charts, f)
    _outreach(page, charts, data["outreach"])
    _content(page, charts, data["content"])
    _audience(page, charts, data["audience"])
    _goals(page, charts, data["goals"])
    body = "\n".join(page.parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f'<meta name="viewport" content="width=device-width">'
        f"<title>{page.t('title')}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def _stage(lang: str, stage: str) -> str:
    return STAGES[lang].get(stage, stage)


def _funnel(page: _Page, charts: Charts, f: dict[str, Any]) -> None:
    page.add(f"<section><h2>{page.t('funnel')}</h2>")
    stages = f["stages"]
    names = [_stage(page.lang, s["stage"]) for s in stages]
    page.figure(charts.bars(label(page.lang, "funnel"), names, [s["entered"] for s in stages]))
    keys = ["entered", "still_there", "moved_on", "moved_back", "lost", "won"]
    rows = [
        [
            text(names[i]),
            *[page.cell("funnel", f"stages.{i}.{k}", s[k]) for k in keys],
            page.cell("funnel", f"stages.{i}.conversion", s["conversion"], "pct"),
            page.cell("funnel", f"stages.{i}.median_days", s["median_days"]),
            page.cell("funnel", f"stages.{i}.p90_days", s["p90_days"]),
        ]
        for i, s in enumerate(stages)
    ]
    page.table(["stage", *keys, "conversion", "median_days", "p90_days"], rows)
    page.table(
        ["won", "lost", "win_rate", "median_days_first_contact_to_won"],
        [
            [
                page.cell("funnel", "won", f["won"]),
                page.cell("funnel", "lost", f["lost"]),
                page.cell("funnel", "win_rate", f["win_rate"], "pct"),
                page.cell(
                    "funnel",
                    "median_days_first_contact_to_won",
                    f["median_days_first_contact_to_won"],
                ),
            ]
        ],
    )
    reasons = list(f["lost_by_reason"].items())
    if reasons:
        page.table(
            ["reason", "count"],
            [[text(r), page.cell("funnel", ["lost_by_reason", r], n)] for r, n in reasons],
        )
    page.add("</section>")


def _outreach(page: _Page, charts: Charts, o: dict[str, Any]) -> None:
    page.add(f"<section><h2>{page.t('activity')}</h2>")
    weeks = o["weeks"]
    page.figure(
        charts.bars(
            label(page.lang, "openers"), [w["week"] for w in weeks], [w["openers"] for w in weeks]
        )
    )
    page.table(
        ["week", "openers", "replied"],
        [
            [
                text(w["week"]),
                page.cell("outreach", f"weeks.{i}.openers", w["openers"]),
                page.cell("outreach", f"weeks.{i}.replied", w["replied"]),
            ]
            for i, w in enumerate(weeks)
        ],
    )
    page.table(
        [
            "openers",
            "reply_rate",
            "median_reply_days",
            "median_response_days",
            "answer_rate",
            "overdue_followups",
        ],
        [
            [
                page.cell("outreach", "openers", o["openers"]),
                page.cell("outreach", "reply_rate", o["reply_rate"], "pct"),
                page.cell("outreach", "median_reply_days", o["median_reply_days"]),
                page.cell("outreach", "median_response_days", o["median_response_days"]),
                page.cell("outreach", "answer_rate", o["answer_rate"], "pct"),
                page.cell("outreach", "overdue_followups", o["overdue_followups"]),
            ]
        ],
    )
    groups = (("by_network", "network"), ("by_sequence", "sequence"), ("by_template", "template"))
    for group, key in groups:
        page.table(
            [key, "openers", "replied", "reply_rate", "median_reply_days"],
            [
                [
                    text(label(page.lang, f"no_{key}") if row[key] == "none" else row[key]),
                    page.cell("outreach", f"{group}.{i}.openers", row["openers"]),
                    page.cell("outreach", f"{group}.{i}.replied", row["replied"]),
                    page.cell("outreach", f"{group}.{i}.reply_rate", row["reply_rate"], "pct"),
                    page.cell(
                        "outreach", f"{group}.{i}.median_reply_days", row["median_reply_days"]
                    ),
                ]
                for i, row in enumerate(o[group])
            ],
        )
    page.add(f"</section><section><h2>{page.t('response')}</h2>")
    page.figure(
        charts.histogram(
            label(page.lang, "response"),
            {
                label(page.lang, "prospect_reply"): o["reply_days"],
                label(page.lang, "rep_response"): o["response_days"],
            },
            label(page.lang, "days"),
        )
    )
    page.table(
        ["prospect_reply", "rep_response"],
        [
            [
                page.cell("outreach", "median_reply_days", o["median_reply_days"]),
                page.cell("outreach", "median_response_days", o["median_response_days"]),
            ]
        ],
    )
    page.add("</section>")


def _content(page: _Page, charts: Charts, c: dict[str, Any]) -> None:
    page.add(f"<section><h2>{page.t('engagement')}</h2>")
    posts = c["per_post"]
    page.figure(
        charts.bars(
            label(page.lang, "rate"),
            [f"{p['date']} {p['network']}" for p in posts],
            [p["rate"] or 0.0 for p in posts],
            line=c["default_target"],
            percent=True,
            colors=["#d64545" if p["below_target"] else "#2f6fde" for p in posts],
        )
    )
    rows = []
    for i, p in enumerate(posts):
        mark = " ★" if p["id"] == c["best"] else (" ▼" if p["id"] == c["worst"] else "")
        rows.append(
            [
                text(p["date"] + mark),
                text(p["network"]),
                page.cell("content", f"per_post.{i}.views", p["views"]),
                page.cell("content", f"per_post.{i}.reactions", p["reactions"]),
                page.cell(
                    "content",
                    f"per_post.{i}.rate",
                    p["rate"],
                    "pct",
                    "below" if p["below_target"] else "",
                ),
                page.cell("content", f"per_post.{i}.target", p["target"], "pct"),
            ]
        )
    page.table(["date", "network", "views", "reactions", "rate", "target"], rows)
    page.table(
        ["month", "network", "views", "reactions", "rate", "target"],
        [
            [
                text(m["month"]),
                text(m["network"]),
                page.cell("content", f"per_month.{i}.views", m["views"]),
                page.cell("content", f"per_month.{i}.reactions", m["reactions"]),
                page.cell(
                    "content",
                    f"per_month.{i}.rate",
                    m["rate"],
                    "pct",
                    "below" if m["below_target"] else "",
                ),
                page.cell("content", f"per_month.{i}.target", m["target"], "pct"),
            ]
            for i, m in enumerate(c["per_month"])
        ],
    )
    page.add("</section>")


def _audience(page: _Page, charts: Charts, a: dict[str, Any]) -> None:
    page.add(f"<section><h2>{page.t('audience')}</h2>")
    series = {
        n["network"]: ([m["month"] for m in n["months"]], [m["followers"] for m in n["months"]])
        for n in a["networks"]
    }
    page.figure(charts.lines(label(page.lang, "followers"), series))
    rows = []
    for i, n in enumerate(a["networks"]):
        for j, m in enumerate(n["months"]):
            rows.append(
                [
                    text(n["network"]),
                    text(m["month"]),
                    page.cell("audience", f"networks.{i}.months.{j}.followers", m["followers"]),
                    page.cell("audience", f"networks.{i}.months.{j}.growth", m["growth"], "pct"),
                ]
            )
    page.table(["network", "month", "followers", "growth"], rows)
    page.add("</section>")


def _goals(page: _Page, charts: Charts, goals: list[dict[str, Any]]) -> None:
    page.add(f"<section><h2>{page.t('goals')}</h2>")
    names = [
        f"{g['metric']}{' ' + g['network'] if g['network'] else ''} ({g['per'] or g['by']})"
        for g in goals
    ]
    page.figure(
        charts.bars(
            label(page.lang, "goals"),
            names,
            [min(g["progress"], 1.5) for g in goals],
            horizontal=True,
            percent=True,
            colors=["#2f6fde" if g["on_track"] else "#d64545" for g in goals],
        )
    )
    page.table(
        ["metric", "target", "actual", "expected", "on_track"],
        [
            [
                text(names[i]),
                page.cell("goals", f"{i}.target", g["target"]),
                page.cell("goals", f"{i}.actual", g["actual"]),
                page.cell("goals", f"{i}.expected", g["expected"]),
                page.cell(
                    "goals",
                    f"{i}.on_track",
                    g["on_track"],
                    "bool",
                    "" if g["on_track"] else "behind",
                ),
            ]
            for i, g in enumerate(goals)
        ],
    )
    page.add("</section>")
