"""``socialcrm plugins``: the installed plugins as a table, JSON or CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.plugins import DISABLE_ENV, get_plugin_manager

from .conftest import InstallPlugin

NETWORKS = {"linkedin", "facebook", "instagram", "x", "youtube"}


@pytest.fixture(autouse=True)
def _no_env_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DISABLE_ENV, raising=False)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(get_plugin_manager()), list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plugins_json_lists_the_network_plugins_with_versions_and_hooks() -> None:
    code, out, _ = run("plugins", "--format", "json")
    assert code == 0
    records = {r["name"]: r for r in json.loads(out)}
    for name in NETWORKS:
        assert records[name]["distribution"] == f"socialcrm-{name}"
        assert records[name]["version"]
        assert records[name]["status"] == "active"
        assert "register_networks" in records[name]["hooks"]
    assert set(records[next(iter(NETWORKS))]) == {
        "name",
        "distribution",
        "version",
        "builtin",
        "status",
        "hooks",
        "error",
    }


def test_plugins_table_is_plain_when_piped() -> None:
    code, out, _ = run("plugins")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["NAME", "DISTRIBUTION", "VERSION", "STATUS"]
    assert any(line.startswith("linkedin ") and "register_networks" in line for line in lines)


def test_plugins_csv() -> None:
    code, out, _ = run("--format", "csv", "plugins")
    assert code == 0
    assert out.splitlines()[0] == "name,distribution,version,status,hooks,error"


def test_disabling_a_plugin_by_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "linkedin")
    code, out, _ = run("plugins", "--format", "json")
    assert code == 0
    status = {r["name"]: r["status"] for r in json.loads(out)}
    assert status["linkedin"] == "disabled"
    assert {status[n] for n in NETWORKS - {"linkedin"}} == {"active"}


def test_plugins_needs_no_store(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALCRM_DB", "/nonexistent/never/created")
    code, _, _ = run("plugins")
    assert code == 0


def test_plugins_help_has_an_example() -> None:
    code, out, _ = run("plugins", "--help")
    assert code == 0 and "socialcrm plugins --format json" in out


def test_a_misspelled_hook_stops_the_cli_with_exit_7(
    install_plugin: InstallPlugin, capsys: pytest.CaptureFixture[str]
) -> None:
    from socialcrm.cli.app import run

    install_plugin(
        "typo", "from socialcrm import hookimpl\n\n@hookimpl\ndef on_evnet(event): ...\n"
    )
    with pytest.raises(SystemExit) as info:
        run(["plugins"])
    assert info.value.code == 7
    err = capsys.readouterr().err
    assert err.startswith("error: plugin 'typo' failed in on_evnet")
    assert "SOCIALCRM_DISABLE_PLUGINS=typo" in err
    assert "Traceback" not in err


def test_a_plugin_that_cannot_load_is_listed_as_failed(install_plugin: InstallPlugin) -> None:
    install_plugin("broken", "raise ImportError('missing dependency acme-sdk')\n")
    code, out, _ = run("plugins", "--format", "json")
    assert code == 0
    failed = [r for r in json.loads(out) if r["status"] == "failed"]
    assert failed == [
        {
            "name": "broken",
            "distribution": "socialcrm-test-broken",
            "version": "1.0",
            "builtin": False,
            "status": "failed",
            "hooks": [],
            "error": "ImportError: missing dependency acme-sdk",
        }
    ]


def test_plugins_with_a_host_applications_plain_plugin_manager() -> None:
    import pluggy
    import socialcrm_linkedin

    from socialcrm import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(socialcrm_linkedin, name="linkedin")
    result = CliRunner().invoke(make_app(pm), ["plugins", "--format", "json"])
    assert result.exit_code == 0
    [record] = json.loads(result.stdout)
    assert "register_networks" in record.pop("hooks")
    assert record == {
        "name": "linkedin",
        "distribution": None,
        "version": None,
        "builtin": False,
        "status": "active",
        "error": None,
    }


def store_run(store: Path, *args: str) -> tuple[int, str, str]:
    return run("--db", str(store), *args)


def test_networks_lists_channels_and_checklists(tmp_path: Path) -> None:
    code, out, _ = store_run(tmp_path / "store", "networks", "--format", "json")
    assert code == 0
    records = {r["id"]: r for r in json.loads(out)}
    assert set(records) >= NETWORKS
    note = next(c for c in records["linkedin"]["channels"] if c["id"] == "connection_note")
    assert (note["limit"], note["default"]) == (300, 300)
    assert all(item["why"] for item in records["x"]["checklist"])
    assert not (tmp_path / "store").exists(), "listing networks must not create a store"


def test_channel_limit_is_saved_in_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert store_run(store, "init")[0] == 0
    code, out, _ = store_run(store, "channel-limit", "linkedin.connection_note", "200")
    assert code == 0 and "200" in out
    code, out, _ = store_run(store, "networks", "--format", "csv")
    assert "linkedin,connection_note,Connection request note,200,300," in out
    code, out, _ = store_run(store, "add", "Ana Lima", "--url", "linkedin:ana-lima")
    assert code == 0
    code, _, err = store_run(
        store,
        "message",
        "linkedin:ana-lima",
        "x" * 250,
        "--sent",
        "--channel",
        "linkedin.connection_note",
    )
    assert code == 4 and "200-character limit" in err
    code, out, _ = store_run(
        store, "channel-limit", "linkedin.connection_note", "--reset", "--format", "json"
    )
    assert json.loads(out) == {
        "network": "linkedin",
        "channel": "connection_note",
        "limit": 300,
        "default": 300,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["linkedin", "200"], "not NETWORK.CHANNEL"),
        (["linkedin.fax", "200"], "has no channel 'fax'"),
        (["myspace.dm", "200"], "no network matches 'myspace'"),
        (["linkedin.message", "100", "--reset"], "not both"),
    ],
)
def test_channel_limit_refuses_bad_input(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = store_run(tmp_path / "store", "channel-limit", *args)
    assert code in (3, 4) and message in err
