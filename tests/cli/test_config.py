"""The configuration file: keys, checks, precedence (option > env > file > default), commands."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from socialcrm import config
from tests.cli.conftest import Run


@pytest.fixture
def cfg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv(config.CONFIG_ENV, str(path))
    return path


def test_the_path_is_the_platform_config_dir_unless_the_variable_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(config.CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config.config_path() == tmp_path / "xdg" / "socialcrm" / "config.toml"
    from platformdirs import user_config_path

    for xdg in (str(tmp_path / "xdg"), "", "  "):  # the shortcut on Linux agrees with platformdirs
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
        assert (
            config.config_path() == user_config_path("socialcrm", appauthor=False) / "config.toml"
        )
    monkeypatch.setenv(config.CONFIG_ENV, str(tmp_path / "elsewhere.toml"))
    assert config.config_path() == tmp_path / "elsewhere.toml"


def test_set_writes_a_private_file_keeping_the_reps_comments(cfg: Path) -> None:
    cfg.parent.mkdir()
    cfg.write_text('# my defaults\nstore = "~/clients"  # the shared one\n', "utf-8")
    config.set_value("timezone", "Europe/Paris")
    config.set_value("disable_plugins", "socialcrm-x, socialcrm-youtube")
    text = cfg.read_text("utf-8")
    assert "# my defaults" in text and "# the shared one" in text
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert config.load() == {
        "store": "~/clients",
        "timezone": "Europe/Paris",
        "disable_plugins": ("socialcrm-x", "socialcrm-youtube"),
    }
    assert config.unset_value("store") is True
    assert config.unset_value("store") is False
    assert "store" not in config.load()


def test_a_new_file_is_created_0600(cfg: Path) -> None:
    config.set_value("actor", "Camille Martin")
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert config.value("actor") == "Camille Martin"


@pytest.mark.parametrize(
    ("text", "key", "line", "words"),
    [
        ('store = "a"\nformat = 3\n', "format", 2, "format must be a string"),
        ('store = "a"\n\nformat = "xml"\n', "format", 3, "one of table, json, csv"),
        ('pipeline = "p"\ncolour = "red"\n', "colour", 2, "unknown key 'colour'"),
        ('timezone = "Mars/Olympus"\n', "timezone", 1, "time zone"),
        ('disable_plugins = "x"\nactor = ""\n', "actor", 2, "not empty"),
        ('store = "a\n', None, 1, "not valid TOML"),
    ],
)
def test_an_invalid_file_names_the_key_and_the_line(
    cfg: Path, text: str, key: str | None, line: int, words: str
) -> None:
    cfg.parent.mkdir()
    cfg.write_text(text, "utf-8")
    with pytest.raises(config.ConfigError) as caught:
        config.load()
    error = caught.value
    assert (error.key, error.line, error.path) == (key, line, cfg)
    assert words in error.message and f"{cfg}, line {line}" in error.message


def test_a_value_of_the_wrong_type_can_be_unset_but_a_broken_file_is_not_rewritten(
    cfg: Path,
) -> None:
    cfg.parent.mkdir()
    cfg.write_text('format = 3\nstore = "s"\n', "utf-8")
    assert config.unset_value("format") is True
    assert config.load() == {"store": "s"}
    cfg.write_text('store = "s\n', "utf-8")
    with pytest.raises(config.ConfigError):
        config.set_value("pipeline", "p")
    assert cfg.read_text("utf-8") == 'store = "s\n'


@given(st.text(max_size=30))
def test_any_text_given_for_format_is_accepted_or_refused_as_config_error(raw: str) -> None:
    try:
        parsed = config.parse_value("format", raw)
    except config.ConfigError as exc:
        assert exc.key == "format"
    else:
        assert parsed in ("table", "json", "csv")


def test_precedence_option_then_env_then_file_then_default(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config.resolve("format") == config.Setting("format", "table", "default")
    config.set_value("format", "csv")
    assert config.resolve("format") == config.Setting("format", "csv", "file")
    monkeypatch.setenv("SOCIALCRM_FORMAT", "JSON")
    assert config.resolve("format") == config.Setting("format", "json", "env")
    assert config.resolve("format", "table") == config.Setting("format", "table", "option")


def test_the_cli_follows_the_same_precedence(
    cfg: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: object
) -> None:
    run("add", "Jane Doe")
    assert run("list").stdout.startswith("ID")  # default: table
    config.set_value("format", "json")
    assert json.loads(run("list").stdout)[0]["name"] == "Jane Doe"  # file
    monkeypatch.setenv("SOCIALCRM_FORMAT", "csv")
    assert run("list").stdout.startswith("id,")  # environment over file
    assert run("list", "--format", "table").stdout.startswith("ID")  # option over all


def test_the_store_and_pipeline_come_from_the_file(
    cfg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app: object
) -> None:
    runner = CliRunner()
    store = tmp_path / "from-file"
    config.set_value("store", str(store))
    created = runner.invoke(app, ["pipeline", "create", "agencies"])  # type: ignore[arg-type]
    assert created.exit_code == 0, created.stderr
    config.set_value("pipeline", "agencies")
    result = runner.invoke(app, ["add", "Jane Doe"])  # type: ignore[arg-type]
    assert result.exit_code == 0, result.stderr
    assert store.is_dir()
    listed = runner.invoke(app, ["pipeline", "list", "--format", "json"])  # type: ignore[arg-type]
    assert {p["name"]: p["prospects"] for p in json.loads(listed.stdout)}["agencies"] == 1
    other = tmp_path / "from-env"
    monkeypatch.setenv("SOCIALCRM_DB", str(other))  # the variable wins over the file
    monkeypatch.setenv("SOCIALCRM_PIPELINE", "default")
    assert runner.invoke(app, ["add", "John Roe"]).exit_code == 0  # type: ignore[arg-type]
    assert other.is_dir()


def test_config_commands(cfg: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("config", "path").stdout.strip() == str(cfg)
    assert "timezone = Europe/Paris" in run("config", "set", "timezone", "Europe/Paris").stdout
    assert run("config", "get", "timezone").stdout == "Europe/Paris\n"
    monkeypatch.setenv("SOCIALCRM_LANG", "fr")
    listed = {r["key"]: r for r in json.loads(run("config", "list", "--format", "json").stdout)}
    assert listed["timezone"] == {"key": "timezone", "value": "Europe/Paris", "source": "file"}
    assert listed["language"] == {"key": "language", "value": "fr", "source": "env"}
    assert listed["format"] == {"key": "format", "value": "table", "source": "default"}
    assert run("config", "unset", "timezone").stdout == "removed timezone\n"
    refused = run("config", "set", "format", "xml", code=4)
    assert "format must be one of table, json, csv" in refused.stderr
    assert "unknown configuration key 'colour'" in run("config", "get", "colour", code=4).stderr


def test_an_invalid_file_stops_commands_in_one_line_but_not_config(
    cfg: Path, env: dict[str, str]
) -> None:
    from tests.cli.test_console_script import cli

    cfg.parent.mkdir()
    cfg.write_text('store = "s"\nformat = 3\n', "utf-8")
    env["SOCIALCRM_CONFIG"] = str(cfg)
    failed = cli(env, "list")
    assert failed.returncode == 4
    assert failed.stderr.splitlines() == [
        f"error: {cfg}, line 2: format must be a string "
        "(correct it in an editor, or remove it: socialcrm config unset format)"
    ]
    assert cli(env, "config", "unset", "format").returncode == 0
    assert cli(env, "list").returncode == 0


def test_plugins_disabled_in_the_file_are_not_loaded(cfg: Path, env: dict[str, str]) -> None:
    from tests.cli.test_console_script import cli

    env["SOCIALCRM_CONFIG"] = str(cfg)
    config.set_value("disable_plugins", "socialcrm-x")
    ids = {n["id"] for n in json.loads(cli(env, "networks", "--format", "json").stdout)}
    assert "x" not in ids and "linkedin" in ids
    env["SOCIALCRM_DISABLE_PLUGINS"] = "socialcrm-youtube"  # the variable wins over the file
    ids = {n["id"] for n in json.loads(cli(env, "networks", "--format", "json").stdout)}
    assert "x" in ids and "youtube" not in ids


def test_get_store_says_the_default_path_when_nothing_is_configured(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, app: object, tmp_path: Path
) -> None:
    from socialcrm.storage import default_db_path

    monkeypatch.delenv("SOCIALCRM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    runner = CliRunner()
    shown = runner.invoke(app, ["config", "get", "store"])  # type: ignore[arg-type]
    assert shown.exit_code == 0, shown.stderr
    default = str(default_db_path())
    assert default.startswith(str(tmp_path / "data"))
    assert shown.stdout == f"{default} (the default: no store is configured)\n"
    as_json = runner.invoke(app, ["config", "get", "store", "--format", "json"])  # type: ignore[arg-type]
    assert json.loads(as_json.stdout) == {"key": "store", "value": default, "source": "default"}
    config.set_value("store", str(tmp_path / "mine"))
    mine = runner.invoke(app, ["config", "get", "store"])  # type: ignore[arg-type]
    assert mine.stdout == f"{tmp_path / 'mine'}\n"
