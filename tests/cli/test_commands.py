"""Every command through CliRunner on the real TinyDB store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.conftest import Run

PROSPECT_KEYS = {
    "id",
    "name",
    "kind",
    "pipeline",
    "stage",
    "status",
    "lost_reason",
    "first_name",
    "last_name",
    "company",
    "title",
    "sector",
    "company_size",
    "location",
    "identities",
    "emails",
    "phones",
    "tags",
    "notes",
    "custom",
    "point_of_interest",
    "assessment",
    "owner",
    "source",
    "lawful_basis",
    "created_at",
    "updated_at",
}


def as_json(run: Run, *args: str) -> object:
    return json.loads(run(*args, "--format", "json").stdout)


# -- init / add / list / show --------------------------------------------------------------


def test_init_is_idempotent(run: Run, db: Path) -> None:
    first = run("init")
    second = run("init")
    assert str(db) in first.stdout
    assert first.stdout == second.stdout
    assert db.exists()
    assert [p["name"] for p in as_json(run, "pipeline", "list")] == ["default"]  # type: ignore[index,union-attr]


def test_add_prints_the_id_and_list_json_has_the_documented_shape(run: Run, jane: str) -> None:
    assert len(jane) == 26 and jane.isalnum()
    records = as_json(run, "list")
    assert isinstance(records, list) and len(records) == 1
    record = records[0]
    assert set(record) == PROSPECT_KEYS
    assert record["id"] == jane
    assert record["stage"] == "profile" and record["status"] == "open"
    assert record["identities"] == [
        {"network": "testnet", "handle": "jane", "url": "https://testnet.example/u/jane"}
    ]
    assert record["emails"] == ["jane@acme.example"]
    assert record["company"] == "Acme" and record["tags"] == ["fintech"]


def test_format_is_accepted_before_and_after_the_command(run: Run, jane: str, db: Path) -> None:
    before = run("--format", "json", "list").stdout
    after = run("list", "--format", "json").stdout
    assert before == after
    assert json.loads(after)[0]["id"] == jane


def test_global_options_after_the_command_override(run: Run, tmp_path: Path, jane: str) -> None:
    other = tmp_path / "other"
    out = run("list", "--db", str(other), "--format", "json").stdout
    assert json.loads(out) == []  # the other store is empty
    assert other.exists()


def test_add_rejects_bad_input_and_writes_nothing(run: Run) -> None:
    bad_url = run("add", "Eve", "--url", "https://evil.example/u/eve", code=4)
    assert bad_url.stdout == ""
    assert bad_url.stderr.startswith("error: ")
    assert len(bad_url.stderr.strip().splitlines()) == 1
    assert "Traceback" not in bad_url.stderr
    run("add", "Eve", "--email", "not-an-email", code=4)
    run("add", "  ", code=4)
    assert as_json(run, "list") == []


def test_duplicate_identity_is_refused(run: Run, jane: str) -> None:
    result = run("add", "Jane Again", "--url", "testnet:jane", code=4)
    assert jane in result.stderr
    assert len(as_json(run, "list")) == 1  # type: ignore[arg-type]


def test_show_table_and_json(run: Run, jane: str) -> None:
    text = run("show", "jane@acme.example").stdout
    assert "Jane Doe" in text and jane in text
    assert "https://testnet.example/u/jane" in text
    assert "History" in text and "created" in text
    assert "before identify" in text  # what the next move needs
    record = as_json(run, "show", jane[:8])
    assert isinstance(record, dict)
    assert set(record) >= PROSPECT_KEYS
    assert [e["kind"] for e in record["history"]] == ["created"]
    assert record["stage_history"][0]["stage"] == "profile"
    assert record["next_stage"] == "identify"
    assert record["blocking"] == []  # it has an identity: nothing blocks identify
    csv_out = run("show", jane, "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("id,name,stage,status")


def test_references_resolve_every_way(run: Run, jane: str) -> None:
    for ref in (
        jane,
        jane[:10].lower(),
        "jane@acme.example",
        "JANE@ACME.EXAMPLE",
        "https://testnet.example/u/jane",
        "testnet:jane",
        "Jane Doe",
    ):
        record = as_json(run, "show", ref)
        assert isinstance(record, dict) and record["id"] == jane, ref


def test_unknown_reference_exits_3(run: Run, jane: str) -> None:
    result = run("show", "nobody@acme.example", code=3)
    assert "nobody@acme.example" in result.stderr and result.stdout == ""


def test_ambiguous_reference_lists_candidates_and_exits_3(run: Run) -> None:
    first = run("add", "Sam Lee").stdout.strip()
    second = run("add", "Sam Lee").stdout.strip()
    result = run("show", "Sam Lee", code=3)
    assert first in result.stderr and second in result.stderr
    assert "matches 2 prospects" in result.stderr


def test_list_filters_sort_and_limit(run: Run) -> None:
    run("add", "Zoe Zed", "--url", "testnet:zoe", "--tag", "vip", "--company", "Zeta")
    run("add", "Adam Ant", "--tag", "vip", "--company", "Alpha")
    run("add", "Mia Moe", "--company", "Mu Corp", "--email", "mia@mu.example")
    run("move", "Zoe Zed", "identify")

    def names(*args: str) -> list[str]:
        return [p["name"] for p in as_json(run, "list", *args)]  # type: ignore[union-attr,index]

    assert names("--sort", "name") == ["Adam Ant", "Mia Moe", "Zoe Zed"]
    assert names("--sort", "-name", "--limit", "2") == ["Zoe Zed", "Mia Moe"]
    assert names("--stage", "identify") == ["Zoe Zed"]
    assert names("--tag", "VIP", "--sort", "name") == ["Adam Ant", "Zoe Zed"]
    assert names("--network", "testnet") == ["Zoe Zed"]
    assert names("--search", "mu.example") == ["Mia Moe"]
    assert names("--status", "open", "--sort", "name") == ["Adam Ant", "Mia Moe", "Zoe Zed"]
    assert names("--status", "won") == []
    run("list", "--stage", "nowhere", code=4)
    run("list", "--sort", "shoe_size", code=4)
    run("list", "--limit", "-1", code=2)
    run("list", "--limit", "many", code=2)


def test_list_table_is_plain_when_piped(run: Run, jane: str) -> None:
    out = run("list").stdout
    assert "\x1b[" not in out and "│" not in out and "─" not in out
    header, row = out.splitlines()
    assert header.split() == ["ID", "NAME", "STAGE", "COMPANY", "NETWORKS", "TAGS"]
    assert row.startswith(jane)


def test_csv_neutralises_formulas(run: Run) -> None:
    run("add", '=HYPERLINK("http://evil.example")', "--company", "+33 Corp", "--tag", "@home")
    rows = list(csv.reader(io.StringIO(run("list", "--format", "csv").stdout)))
    header, row = rows
    assert header[:2] == ["id", "name"]
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == '\'=HYPERLINK("http://evil.example")'
    assert cells["company"] == "'+33 Corp"
    assert cells["tags"] == "'@home"


# -- edit / rm -------------------------------------------------------------------------------


def test_edit_fields_custom_fields_and_lists(run: Run, jane: str) -> None:
    run(
        "edit",
        jane,
        "--set",
        "title=Head of Sales",
        "--set",
        "company_size=42",
        "--set",
        "budget=10k",
        "--add-tag",
        "warm",
        "--rm-tag",
        "FINTECH",
        "--add-email",
        "jd@acme.example",
        "--rm-email",
        "jane@acme.example",
        "--add-phone",
        "+33 6 12 34 56 78",
    )
    record = as_json(run, "show", jane)
    assert isinstance(record, dict)
    assert record["title"] == "Head of Sales"
    assert record["company_size"] == 42
    assert record["custom"] == {"budget": "10k"}
    assert record["tags"] == ["warm"]
    assert record["emails"] == ["jd@acme.example"]
    assert record["phones"] == ["+33612345678"]
    assert record["history"][-1]["kind"] == "edited"
    run("edit", jane, "--unset", "budget", "--unset", "title", "--rm-url", "testnet:jane")
    record = as_json(run, "show", jane)
    assert isinstance(record, dict)
    assert record["custom"] == {} and record["title"] is None and record["identities"] == []
    run("edit", jane, "--add-url", "https://testnet.example/u/jdoe")
    assert as_json(run, "show", "testnet:jdoe")["id"] == jane  # type: ignore[index]


def test_edit_rejects_bad_input(run: Run, jane: str) -> None:
    run("edit", jane, "--set", "no-equals-sign", code=4)
    run("edit", jane, "--set", "company_size=lots", code=4)
    run("edit", jane, "--unset", "name", code=4)
    run("edit", jane, "--unset", "never_set", code=4)
    run("edit", jane, "--rm-email", "other@acme.example", code=4)
    assert as_json(run, "show", jane)["history"][-1]["kind"] == "created"  # type: ignore[index]


def test_edit_without_change_says_so(run: Run, jane: str) -> None:
    assert run("edit", jane, "--set", "company=Acme").stdout.strip() == "nothing changed"


def test_rm_refuses_without_yes_when_not_a_terminal(run: Run, jane: str) -> None:
    result = run("rm", jane, code=4)
    assert "--yes" in result.stderr
    assert len(as_json(run, "list")) == 1  # type: ignore[arg-type]
    run("rm", jane, "--yes")
    assert as_json(run, "list") == []
    run("show", jane, code=3)


# -- stages ------------------------------------------------------------------------------------


def test_refused_move_lists_problems_with_fixes_and_exits_5(run: Run, jane: str) -> None:
    run("advance", jane)  # profile -> identify: it has an identity
    result = run("move", jane, "contact", code=5)
    assert result.stdout == ""
    assert "identify.assessed" in result.stderr
    assert "notoriety.point-of-interest" in result.stderr
    assert result.stderr.count("fix: ") == 2
    assert "--force" in result.stderr
    assert as_json(run, "show", jane)["stage"] == "identify"  # type: ignore[index]


def test_forced_move_is_recorded(run: Run, jane: str) -> None:
    run("move", jane, "contact", "--force", "--reason", "met at a fair")
    record = as_json(run, "show", jane)
    assert isinstance(record, dict) and record["stage"] == "contact"
    moved = record["history"][-1]
    assert moved["kind"] == "stage_changed"
    assert moved["data"]["forced"] is True and moved["data"]["reason"] == "met at a fair"
    assert {p["rule"] for p in moved["data"]["overridden"]} >= {"identify.assessed"}


def test_whole_journey_to_won(run: Run, jane: str) -> None:
    assert "identify" in run("advance", jane).stdout
    run("advance", jane, code=5)  # not qualified yet
    run("qualify", jane, "--note", "VP Sales, 200 people")
    run("advance", jane)
    run("engage", jane, "like", "--url", "https://testnet.example/u/jane")
    run("engage", jane, "comment", "--note", "Added a case study")
    run("engage", jane, "wave", code=4)
    run("interest", jane, "Posted about hiring SDRs", "--url", "https://testnet.example/p/1")
    run("advance", jane)
    run("message", jane, "--sent", "Hi Jane!", "--channel", "testnet.dm")
    run("advance", jane, code=5)  # no reply yet
    run("message", jane, "--received", "Hello, tell me more")
    run("advance", jane)
    run("won", jane)
    record = as_json(run, "show", jane)
    assert isinstance(record, dict)
    assert record["status"] == "won" and record["stage"] == "convert"
    assert record["assessment"]["qualified"] is True
    assert record["point_of_interest"]["text"] == "Posted about hiring SDRs"
    kinds = [e["kind"] for e in as_json(run, "history", jane)]  # type: ignore[union-attr,index]
    assert kinds.count("interaction") == 2
    assert kinds.count("message_sent") == 1 and kinds.count("message_received") == 1
    assert kinds[-1] == "status_changed"
    run("reopen", jane)
    assert as_json(run, "show", jane)["status"] == "open"  # type: ignore[index]


def test_won_only_from_convert(run: Run, jane: str) -> None:
    result = run("won", jane, code=5)
    assert "convert" in result.stderr


def test_lost_needs_a_reason_and_reopen(run: Run, jane: str) -> None:
    run("lost", jane, code=2)  # --reason is required
    run("lost", jane, "--reason", "  ", code=4)
    out = run("lost", jane, "--reason", "no budget").stdout
    assert "no budget" in out
    record = as_json(run, "show", jane)
    assert isinstance(record, dict)
    assert record["status"] == "lost" and record["lost_reason"] == "no budget"
    run("lost", jane, "--reason", "again", code=5)
    run("reopen", jane)
    run("reopen", jane, code=5)


def test_qualify_no_blocks_identify(run: Run, jane: str) -> None:
    run("advance", jane)
    run("qualify", jane, "--no", "--note", "no sales team")
    result = run("advance", jane, code=5)
    assert "not matching" in result.stderr


def test_stage_commands_print_json_records(run: Run, jane: str) -> None:
    record = json.loads(run("advance", jane, "--format", "json").stdout)
    assert record["id"] == jane and record["stage"] == "identify"


# -- messages, notes, history ------------------------------------------------------------------


def test_message_needs_exactly_one_direction(run: Run, jane: str) -> None:
    run("message", jane, "hello", code=2)
    run("message", jane, "hello", "--sent", "--received", code=2)


def test_message_limit_is_checked_on_sent_only(run: Run, jane: str) -> None:
    long = "x" * 21
    result = run("message", jane, "--sent", long, "--channel", "testnet.dm", code=4)
    assert "21 characters" in result.stderr and "20-character" in result.stderr
    run("message", jane, "--sent", long, "--channel", "dm", code=4)  # network inferred
    run("message", jane, "--received", long, "--channel", "testnet.dm")
    run("message", jane, "--sent", "short", "--channel", "testnet.nope", code=4)
    kinds = [e["kind"] for e in as_json(run, "history", jane)]  # type: ignore[union-attr,index]
    assert kinds.count("message_sent") == 0 and kinds.count("message_received") == 1


def test_text_from_stdin(run: Run, jane: str) -> None:
    run("note", jane, "-", input="Prefers e-mail after 6pm\n")
    events = as_json(run, "history", jane)
    assert isinstance(events, list)
    assert events[-1]["kind"] == "note"
    assert events[-1]["data"]["text"] == "Prefers e-mail after 6pm"


def test_history_formats(run: Run, jane: str) -> None:
    run("note", jane, "first note")
    table = run("history", jane).stdout
    assert "first note" in table and "created" in table
    rows = list(csv.reader(io.StringIO(run("history", jane, "--format", "csv").stdout)))
    assert rows[0] == ["id", "at", "kind", "actor", "summary"]
    assert [r[2] for r in rows[1:]] == ["created", "note"]


def test_empty_note_is_refused(run: Run, jane: str) -> None:
    run("note", jane, "   ", code=4)


# -- board and pipelines ---------------------------------------------------------------------


def test_board(run: Run, jane: str) -> None:
    run("add", "Bob Stone")
    run("lost", "Bob Stone", "--reason", "gone")
    board = as_json(run, "board")
    assert isinstance(board, dict)
    assert board["counts"]["profile"] == 1
    assert [p["name"] for p in board["lost"]] == ["Bob Stone"]
    assert board["total"] == 2
    text = run("board").stdout
    assert "profile" in text and "Jane Doe" in text and "lost" in text
    rows = list(csv.reader(io.StringIO(run("board", "--format", "csv").stdout)))
    assert rows[0] == ["stage", "count", "prospects"]
    assert ["lost", "1", "Bob Stone"] in rows


def test_pipelines(run: Run, jane: str) -> None:
    run("pipeline", "create", "agencies", "--description", "Agencies offer")
    run("pipeline", "create", "agencies", code=4)
    run("--pipeline", "agencies", "add", "Ann Agency")
    assert [p["name"] for p in as_json(run, "list", "--pipeline", "agencies")] == ["Ann Agency"]  # type: ignore[union-attr,index]
    assert [p["name"] for p in as_json(run, "list")] == ["Jane Doe"]  # type: ignore[union-attr,index]
    run("pipeline", "use", "agencies")
    assert [p["name"] for p in as_json(run, "list")] == ["Ann Agency"]  # type: ignore[union-attr,index]
    listed = {p["name"]: p for p in as_json(run, "pipeline", "list")}  # type: ignore[union-attr]
    assert listed["agencies"]["current"] is True and listed["agencies"]["prospects"] == 1
    run("pipeline", "rename", "agencies", "studios")
    assert [p["name"] for p in as_json(run, "list", "--pipeline", "studios")] == ["Ann Agency"]  # type: ignore[union-attr,index]
    run("pipeline", "delete", "studios", code=4)  # not a terminal: needs --yes
    out = run("pipeline", "delete", "studios", "--yes").stdout
    assert "1 prospect" in out
    run("pipeline", "use", "studios", code=3)
    run("list", "--pipeline", "nowhere", code=3)


def test_pipeline_from_environment(run: Run, jane: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run("pipeline", "create", "other")
    monkeypatch.setenv("SOCIALCRM_PIPELINE", "other")
    assert as_json(run, "list") == []


def test_db_from_environment(app: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    store = tmp_path / "env-store"
    monkeypatch.setenv("SOCIALCRM_DB", str(store))
    result = CliRunner().invoke(app, ["init"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.stderr
    assert str(store) in result.stdout and store.exists()


def test_csv_records_carry_the_owner_last(
    run: Run, jane: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's CSV names each prospect's owner, after the columns scripts already read."""
    monkeypatch.setenv("SOCIALCRM_USER", "lea")
    run("add", "Omar Owned", "--owner", "omar")
    rows = list(csv.reader(io.StringIO(run("list", "--format", "csv").stdout)))
    assert rows[0][:4] == ["id", "name", "stage", "status"] and rows[0][-1] == "owner"
    owners = {row[1]: row[-1] for row in rows[1:]}
    assert owners["Omar Owned"] == "omar"
    assert owners["Jane Doe"] == (
        json.loads(run("show", jane, "--format", "json").stdout)["owner"] or ""
    )
    shown = list(csv.reader(io.StringIO(run("show", "Omar Owned", "--format", "csv").stdout)))
    assert shown[1][-1] == "omar"


def test_show_draws_the_latest_events_and_points_to_history(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prospect with thousands of imported messages made ``show`` an event dump."""
    from socialcrm.cli import prospect_card

    monkeypatch.setattr(prospect_card, "CARD_HISTORY_LIMIT", 2)
    run("add", "Jane Doe")
    for n in range(1, 4):
        run("note", "Jane Doe", f"call number {n}")
    shown = run("show", "Jane Doe").stdout
    assert "call number 2" in shown and "call number 3" in shown
    assert "call number 1" not in shown
    earlier = next(line for line in shown.splitlines() if "earlier event(s)" in line)
    assert earlier.startswith("… 2 earlier event(s): 'socialcrm ")  # the creation, note 1
    assert " history " in earlier and earlier.endswith("' lists them all")
    every = run("history", "Jane Doe").stdout
    assert all(f"call number {n}" in every for n in range(1, 4))
    record = as_json(run, "show", "Jane Doe")
    assert isinstance(record, dict) and len(record["history"]) == 4
