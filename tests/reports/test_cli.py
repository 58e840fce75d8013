"""The report, goal and audience commands through the installed console script."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from .conftest import Pipeline, cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("demo") / "store"
    cli(store, "demo")
    return store


def test_every_report_of_the_demo_shows_something(demo: Path) -> None:
    funnel = json.loads(cli(demo, "report", "funnel", "--format", "json").stdout)
    assert all(s["entered"] > 0 for s in funnel["stages"])
    assert funnel["won"] >= 5 and funnel["lost"] >= 5 and funnel["lost_by_reason"]
    months = json.loads(
        cli(demo, "report", "funnel", "--cohort", "month", "--format", "json").stdout
    )
    assert len(months["cohorts"]) >= 6  # half a year of history
    outreach = json.loads(cli(demo, "report", "outreach", "--format", "json").stdout)
    assert outreach["openers"] > 10 and outreach["replied"] > 5 and outreach["inbound"] > 5
    assert outreach["overdue_followups"] >= 1
    content = json.loads(cli(demo, "report", "content", "--format", "json").stdout)
    assert content["posts"] > 30 and len({m["month"] for m in content["per_month"]}) >= 6
    assert any(p["below_target"] for p in content["per_post"])
    audience = json.loads(cli(demo, "report", "audience", "--format", "json").stdout)
    assert {n["network"] for n in audience["networks"]} >= {"linkedin", "facebook"}
    assert all(len(n["months"]) == 6 for n in audience["networks"])
    goals = json.loads(cli(demo, "goal", "list", "--format", "json").stdout)
    assert {g["metric"] for g in goals} == {"posts", "first_contacts", "wins", "followers"}
    assert "goal behind schedule: followers on linkedin" in cli(demo, "today").stdout
    assert "goal behind schedule: followers on linkedin" in cli(demo, "board").stdout


def test_tables_and_charts_are_plain_text_off_a_terminal(demo: Path) -> None:
    out = cli(demo, "report", "funnel").stdout
    assert "\x1b[" not in out and "█" not in out
    assert "entered per stage" in out and "  profile" in out and "#" in out
    spark = cli(demo, "report", "outreach").stdout
    assert "first messages per week: " in spark and "▁" not in spark


def test_csv(demo: Path) -> None:
    rows = list(csv.reader(io.StringIO(cli(demo, "report", "funnel", "--format", "csv").stdout)))
    assert rows[0][:3] == ["stage", "entered", "still_there"] and len(rows) == 6
    audience = cli(demo, "report", "audience", "--format", "csv").stdout
    assert audience.splitlines()[0] == "network,month,followers,growth"
    outreach = json.loads(cli(demo, "report", "outreach", "--format", "json").stdout)
    rows = list(csv.reader(io.StringIO(cli(demo, "report", "outreach", "--format", "csv").stdout)))
    templates = [r for r in rows if r[0] == "template"]
    assert [r[1] for r in templates] == [t["template"] for t in outreach["by_template"]]
    assert sum(int(r[2]) for r in templates) == outreach["openers"]  # every opener counted once


def test_filters_on_the_command_line(demo: Path) -> None:
    late = json.loads(
        cli(demo, "report", "funnel", "--since", "2100-01-01", "--format", "json").stdout
    )
    assert late["prospects"] == 0
    linkedin = json.loads(
        cli(demo, "report", "content", "--network", "linkedin", "--format", "json").stdout
    )
    assert {p["network"] for p in linkedin["per_post"]} == {"linkedin"}


@pytest.mark.parametrize(
    ("args", "word", "code"),
    [
        (["report", "funnel", "--since", "2026-13-01"], "--since", 4),
        (["report", "funnel", "--since", "2026-03-02", "--until", "2026-03-01"], "--until", 4),
        (["report", "funnel", "--cohort", "colour"], "cohort", 4),
        (["report", "html", "--lang", "de"], "language", 4),
        (["goal", "set", "sales", "3", "--per", "week"], "metric", 4),
        (["goal", "set", "posts", "3"], "--per", 4),
        (["audience", "log", "myspace", "10"], "myspace", 3),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    empty: Pipeline, args: list[str], word: str, code: int
) -> None:
    empty.crm.close()
    before = json.loads(cli(empty.store, "goal", "list", "--format", "json").stdout)
    result = cli(empty.store, *args, code=code)  # 4: invalid input, 3: not found (docs/cli.md)
    assert word in result.stderr and "Traceback" not in result.stderr
    assert json.loads(cli(empty.store, "goal", "list", "--format", "json").stdout) == before


def test_goal_and_audience_round_trip(empty: Pipeline) -> None:
    empty.crm.close()
    store = empty.store
    cli(store, "audience", "log", "linkedin", "120", "--date", "2026-01-31")
    cli(store, "audience", "log", "linkedin", "150")
    assert [
        m["followers"]
        for m in json.loads(cli(store, "audience", "list", "--format", "json").stdout)
    ] == [120, 150]
    cli(store, "goal", "set", "followers", "1000000", "--network", "linkedin", "--by", "2999-01-01")
    cli(store, "goal", "set", "wins", "1000000", "--per", "year")
    goals = json.loads(cli(store, "goal", "list", "--format", "json").stdout)
    assert [g["metric"] for g in goals] == ["followers", "wins"]
    assert not goals[1]["on_track"]  # a million wins a year: behind from the first minute
    assert "goal behind schedule: wins 0/1000000" in cli(store, "today").stdout
    cli(store, "goal", "rm", "wins")
    assert "wins" not in cli(store, "goal", "list").stdout
    html = Path(store).parent / "r.html"
    cli(store, "report", "html", "--out", str(html))
    assert html.stat().st_mode & 0o777 == 0o600  # personal data


def test_report_html_without_matplotlib_says_how_to_install_it(demo: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['matplotlib'] = None\n"  # as if the extra were not installed
        "from socialcrm.cli import main\n"
        f"sys.argv = ['socialcrm', '--db', {str(demo)!r}, 'report', 'html', '--out', "
        f"{str(tmp_path / 'r.html')!r}]\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'socialcrm[report]'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_the_content_flag_is_french_in_a_table_but_csv_and_json_keep_below(demo: Path) -> None:
    table = cli(demo, "report", "content", SOCIALCRM_LANG="fr").stdout
    assert "sous l'objectif" in table
    assert "below" not in table.split()
    rows = list(
        csv.DictReader(io.StringIO(cli(demo, "report", "content", "--format", "csv").stdout))
    )
    assert {r["flag"] for r in rows} == {"below", ""}
    french_csv = cli(demo, "report", "content", "--format", "csv", SOCIALCRM_LANG="fr").stdout
    assert french_csv == cli(demo, "report", "content", "--format", "csv").stdout


def test_goal_list_and_the_behind_line_are_french_but_csv_is_not(demo: Path) -> None:
    table = cli(demo, "goal", "list", SOCIALCRM_LANG="fr").stdout
    assert table.split("\n")[0].split() == [
        "INDICATEUR",
        "QUAND",
        "OBJECTIF",
        "RÉEL",
        "ATTENDU",
        "PROGRESSION",
        "DANS",
        "LES",
        "TEMPS",
    ]
    assert "par semaine" in table and "EN RETARD" in table and "oui" in table
    assert "publications" in table and "abonnés sur linkedin" in table
    assert not {"yes", "BEHIND", "week", "month", "by", "posts", "followers"} & set(table.split())
    behind = cli(demo, "board", SOCIALCRM_LANG="fr").stdout
    assert "objectif en retard\u00a0: abonnés sur linkedin" in behind
    assert re.search(r"\(d'ici le \d{1,2} \w+\.? 20\d\d\u202f; ", behind), behind  # a French date
    assert " attendu à ce jour)" in behind
    assert "by 20" not in behind
    french_csv = cli(demo, "goal", "list", "--format", "csv", SOCIALCRM_LANG="fr").stdout
    assert french_csv == cli(demo, "goal", "list", "--format", "csv").stdout
    assert french_csv.startswith("goal,when,target,actual,expected,progress,on_track\n")
    assert ",week," in french_csv and ",BEHIND" in french_csv and "first_contacts," in french_csv


def test_french_tables_name_bases_interactions_and_missing_values_in_french(demo: Path) -> None:
    listed = json.loads(cli(demo, "list", "--format", "json").stdout)
    hannah = next(p["id"] for p in listed if p["name"] == "Hannah Weber")
    card = cli(demo, "show", hannah, SOCIALCRM_LANG="fr").stdout
    assert "intérêt légitime" in card and "legitimate interest" not in card
    assert "abonnement sur linkedin" in card and "follow sur" not in card
    assert "legitimate interest" in cli(demo, "show", hannah).stdout  # English unchanged
    outreach = cli(demo, "report", "outreach", SOCIALCRM_LANG="fr").stdout
    assert "aucune séquence" in outreach and "aucun modèle" in outreach
    assert "none" not in outreach.split()
    outreach_csv = cli(demo, "report", "outreach", "--format", "csv", SOCIALCRM_LANG="fr").stdout
    assert "sequence,none," in outreach_csv
    overdue = cli(demo, "privacy", "overdue", SOCIALCRM_LANG="fr").stdout
    assert "contacté sans la mention d'information" in overdue and "messaged" not in overdue
    as_csv = cli(demo, "privacy", "overdue", "--format", "csv", SOCIALCRM_LANG="fr").stdout
    assert "messaged without the notice" in as_csv
