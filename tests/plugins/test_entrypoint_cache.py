"""The entry-point cache: same plugins as a scan, and never stale after an install or an edit.

Real distributions on a real ``sys.path`` directory (the ``install_plugin``
fixture), the real plugin manager, the real cache file.  Timestamps are set
with ``os.utime`` outside the racy window, as they would be for a
distribution installed more than a couple of seconds before the command runs.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm import entrypoint_cache
from socialcrm.entrypoint_cache import CACHE_DIR_ENV, CACHE_ENV, EntryPointRecord
from socialcrm.plugins import DISABLE_ENV, SocialPluginManager, get_plugin_manager

from .conftest import InstallPlugin

GOOD_PLUGIN = """
    from socialcrm import hookimpl

    @hookimpl
    def on_event(event, prospect):
        pass
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of this test's own, with the cache on and nothing blocked."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(directory))
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    return directory


@pytest.fixture
def site(install_plugin: InstallPlugin, tmp_path: Path) -> Path:
    """The ``sys.path`` directory ``install_plugin`` installs into."""
    return tmp_path / "site-packages"


def backdate(root: Path, seconds_ago: float, *, keep: Iterable[Path] = ()) -> None:
    """Give ``root`` and all below it (but ``keep``) an mtime in the past.

    As a new process finds files installed a while ago.  Each call uses its own
    age, so a changed directory never gets the recorded mtime back by accident;
    ``keep`` leaves the files an install did not touch as they were.
    """
    when = time.time() - seconds_ago
    untouched = set(keep)
    for path in [*root.rglob("*"), root]:
        if path not in untouched:
            os.utime(path, (when, when))
    forget_listings()


def forget_listings() -> None:
    """Drop this process's cached directory listings, as a new process starts without them.

    ``importlib.metadata`` caches each directory's listing by its mtime, and
    Python 3.11's ``importlib.invalidate_caches`` does not clear that cache.
    """
    importlib.invalidate_caches()
    finder = importlib.metadata.MetadataPathFinder
    try:
        finder.invalidate_caches()
    except TypeError:  # Python 3.11 declares it without @classmethod
        finder.invalidate_caches(finder)  # type: ignore[call-arg]


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("entry-points-*.json"))


def warm(directory: Path, **kwargs: Any) -> SocialPluginManager:
    """A plugin manager whose scan must have been written to the cache."""
    pm = get_plugin_manager(**kwargs)
    assert len(cache_files(directory)) == 1, "a scan outside the racy window is cached"
    return pm


def summary(pm: SocialPluginManager) -> tuple[object, ...]:
    return (pm.plugin_infos(), dict(pm.distributions), list(pm.load_failures), dict(pm.disabled))


def _fail_if_called(*args: object, **kwargs: object) -> None:
    """Stands for ``importlib.metadata.entry_points`` where the cache must answer."""
    raise AssertionError("importlib.metadata.entry_points was called")


def names(pm: SocialPluginManager) -> set[str]:
    return {name for name, plugin in pm.list_name_plugin() if plugin is not None}


def test_a_cache_hit_gives_exactly_what_a_scan_gives(
    cache: Path, site: Path, install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("audit", GOOD_PLUGIN, version="2.3")
    install_plugin("aaa-broken", "raise RuntimeError('boom at import')\n", version="0.9")
    install_plugin("quiet", GOOD_PLUGIN, distribution="socialcrm-test-blockme")
    install_plugin("linkedin", GOOD_PLUGIN, distribution="socialcrm-linkedin-fork")
    install_plugin("twin", GOOD_PLUGIN, distribution="socialcrm-test-twin-a")
    install_plugin("twin", GOOD_PLUGIN, distribution="socialcrm-test-twin-b")
    backdate(site, 60)
    block = ["Socialcrm_Test_Blockme"]

    monkeypatch.setenv(CACHE_ENV, "0")
    scanned = summary(get_plugin_manager(block=block))
    monkeypatch.delenv(CACHE_ENV)
    written = summary(warm(cache, block=block))
    with monkeypatch.context() as m:
        m.setattr(importlib.metadata, "entry_points", _fail_if_called)
        pm = get_plugin_manager(block=block)

    assert scanned == written == summary(pm)
    infos = {(i.name, i.status): i for i in pm.plugin_infos()}
    assert infos["audit", "active"].version == "2.3"
    assert infos["aaa-broken", "failed"].distribution == "socialcrm-test-aaa-broken"
    assert infos["aaa-broken", "failed"].version == "0.9"
    assert infos["quiet", "disabled"].distribution == "socialcrm-test-blockme"
    assert "already used by" in infos["linkedin", "failed"].error
    assert ("twin", "active") in infos and ("twin", "failed") not in infos


def test_a_fresh_scan_is_not_cached_until_its_timestamps_are_out_of_the_racy_window(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    """A directory changed in the same clock tick as the scan could later look unchanged."""
    install_plugin("audit", GOOD_PLUGIN)
    assert get_plugin_manager().has_plugin("audit")
    assert cache_files(cache) == []
    backdate(site, 60)
    assert warm(cache).has_plugin("audit")


def test_a_cache_file_claiming_a_racy_scan_is_not_trusted(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    warm(cache)
    (path,) = cache_files(cache)
    data = json.loads(path.read_text())
    assert sys.path[0] == str(site)
    recorded = data["path_mtimes"][0]
    data["scanned_at_ns"] = recorded + 1  # as if the scan ran in the tick site last changed
    path.write_text(json.dumps(data))
    # an install in that same tick: the directory's mtime does not move
    install_plugin("sneaky", GOOD_PLUGIN)
    os.utime(site, ns=(recorded, recorded))
    forget_listings()
    assert get_plugin_manager().has_plugin("sneaky")


def test_a_distribution_installed_after_the_cache_was_written_appears(
    cache: Path, site: Path, install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    assert "later" not in names(warm(cache))
    before = set(site.rglob("*"))
    install_plugin("later", GOOD_PLUGIN, version="3.1")
    backdate(site, 30, keep=before)  # out of the racy window: only site's mtime tells
    pm = get_plugin_manager()
    assert {"audit", "later"} <= names(pm)
    assert pm.distributions["later"] == ("socialcrm-test-later", "3.1")
    monkeypatch.setattr(importlib.metadata, "entry_points", _fail_if_called)
    assert {"audit", "later"} <= names(get_plugin_manager()), "the cache was rewritten"


def test_an_uninstalled_distribution_disappears(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    install_plugin("gone", GOOD_PLUGIN)
    backdate(site, 60)
    assert {"audit", "gone"} <= names(warm(cache))
    shutil.rmtree(next(site.glob("socialcrm_test_gone-*.dist-info")))
    (site / "socialcrm_test_gone.py").unlink()
    sys.modules.pop("socialcrm_test_gone", None)
    backdate(site, 30, keep=site.rglob("*"))  # only site's own mtime tells
    pm = get_plugin_manager()
    assert "gone" not in names(pm)
    assert [f.name for f in pm.load_failures] == []


def test_a_distribution_on_a_new_sys_path_entry_appears(
    cache: Path, tmp_path: Path, install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new entry (a .pth file, PYTHONPATH, a --user install) is another environment."""
    install_plugin("audit", GOOD_PLUGIN)
    other = tmp_path / "other-site"
    other.mkdir()
    (other / "socialcrm_test_elsewhere.py").write_text("from socialcrm import hookimpl\n")
    info = other / "socialcrm_test_elsewhere-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: socialcrm-test-elsewhere\n")
    (info / "entry_points.txt").write_text("[socialcrm]\nelsewhere = socialcrm_test_elsewhere\n")
    backdate(tmp_path, 60)
    warm(cache)
    monkeypatch.syspath_prepend(str(other))
    try:
        assert {"audit", "elsewhere"} <= names(get_plugin_manager())
        assert len(cache_files(cache)) == 2, "one file per environment, side by side"
    finally:
        sys.modules.pop("socialcrm_test_elsewhere", None)


@pytest.mark.parametrize("change", ["mtime", "size"])
def test_an_entry_points_file_edited_in_place_is_noticed(
    change: str, cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    assert "audit" in names(warm(cache))
    entry_points = next(site.glob("socialcrm_test_audit-*.dist-info")) / "entry_points.txt"
    recorded = entry_points.stat()
    if change == "mtime":  # same size, another mtime
        entry_points.write_text("[socialcrm]\naudix = socialcrm_test_audit\n")
        assert entry_points.stat().st_size == recorded.st_size
        when = time.time() - 30
        os.utime(entry_points, (when, when))
        expected = "audix"
    else:  # same mtime (the same clock tick), another size
        entry_points.write_text("[socialcrm]\nauditor = socialcrm_test_audit\n")
        os.utime(entry_points, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
        expected = "auditor"
    forget_listings()
    found = names(get_plugin_manager())
    assert expected in found and "audit" not in found


@pytest.mark.parametrize("had_entry_points", [True, False], ids=["edited", "created"])
def test_a_distribution_gaining_an_entry_point_in_place_is_noticed(
    had_entry_points: bool, cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    """A distribution with no entry point in the group gains one by an edit, not a
    reinstall: its ``entry_points.txt`` is edited (or written) in place, so no
    ``sys.path`` directory changes."""
    install_plugin("audit", GOOD_PLUGIN)
    install_plugin("quiet", GOOD_PLUGIN)
    info = next(site.glob("socialcrm_test_quiet-*.dist-info"))
    entry_points = info / "entry_points.txt"
    if had_entry_points:  # entry points, in another group only
        entry_points.write_text("[console_scripts]\nquiet = socialcrm_test_quiet:on_event\n")
    else:
        entry_points.unlink()
    backdate(site, 60)
    assert "quiet" not in names(warm(cache))
    entry_points.write_text("[socialcrm]\nquiet = socialcrm_test_quiet\n")
    when = time.time() - 30  # out of the racy window: only the file itself tells
    os.utime(entry_points, (when, when))
    os.utime(info, (when - 30, when - 30))
    forget_listings()
    assert {"audit", "quiet"} <= names(get_plugin_manager())


def test_a_version_changed_in_place_is_noticed(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN, version="1.0")
    backdate(site, 60)
    assert warm(cache).distributions["audit"] == ("socialcrm-test-audit", "1.0")
    metadata = next(site.glob("socialcrm_test_audit-*.dist-info")) / "METADATA"
    metadata.write_text(metadata.read_text().replace("Version: 1.0", "Version: 1.1"))
    when = time.time() - 30
    os.utime(metadata, (when, when))  # same size, another mtime
    forget_listings()
    assert get_plugin_manager().distributions["audit"] == ("socialcrm-test-audit", "1.1")


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"[]", b'{"key": 1}', b"\xff\xfe\x00", "wrong-entries"],
)
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
    garbage: bytes | str, cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    warm(cache)
    (path,) = cache_files(cache)
    good = json.loads(path.read_text())
    if garbage == "wrong-entries":  # the right key and fingerprint, entries of the wrong shape
        path.write_text(json.dumps({**good, "entries": [["audit", 1]]}))
    else:
        assert isinstance(garbage, bytes)
        path.write_bytes(garbage)
    assert "audit" in names(get_plugin_manager())
    rewritten = json.loads(path.read_text())
    del good["scanned_at_ns"], rewritten["scanned_at_ns"]
    assert rewritten == good


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_cache_file_owned_by_someone_else_is_not_trusted(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    warm(cache)
    (path,) = cache_files(cache)
    data = json.loads(path.read_text())
    data["entries"].append(["planted", "json", "socialcrm-test-planted", "6.6"])
    path.write_text(json.dumps(data))
    assert get_plugin_manager().has_plugin("planted"), "a file of ours is trusted"
    os.chown(path, 54321, -1)
    assert not get_plugin_manager().has_plugin("planted")


@pytest.mark.parametrize("where", ["under-a-file", "cache-file-is-a-directory"])
def test_a_cache_that_cannot_be_written_or_read_never_fails_a_command(
    where: str,
    tmp_path: Path,
    site: Path,
    install_plugin: InstallPlugin,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    if where == "under-a-file":
        blocker = tmp_path / "not-a-directory"
        blocker.write_text("")
        monkeypatch.setenv(CACHE_DIR_ENV, str(blocker / "cache"))
    else:
        monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
        Path(entrypoint_cache.cache_file("socialcrm")).mkdir(parents=True)
    assert "audit" in names(get_plugin_manager())
    assert "audit" in names(get_plugin_manager())


def test_the_cache_can_be_turned_off(
    cache: Path, site: Path, install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    monkeypatch.setenv(CACHE_ENV, "0")
    assert "audit" in names(get_plugin_manager())
    assert not cache.exists()
    assert entrypoint_cache.cache_enabled({CACHE_ENV: "off"}) is False
    assert entrypoint_cache.cache_enabled({CACHE_ENV: "1"}) is True
    assert entrypoint_cache.cache_enabled({}) is True


def test_cache_file_is_private_and_written_whole(
    cache: Path, site: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("audit", GOOD_PLUGIN)
    backdate(site, 60)
    old = os.umask(0)
    try:
        warm(cache)
    finally:
        os.umask(old)
    (path,) = cache_files(cache)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert [p.name for p in cache.iterdir()] == [path.name], "no temporary file left behind"
    assert Path(entrypoint_cache.cache_file("socialcrm")) == path


@pytest.mark.parametrize(
    "value",
    ["json", "json:loads", "json:decoder.JSONDecoder", "json.decoder : JSONDecoder [speedups]"],
)
def test_a_record_loads_like_importlib_metadata(value: str) -> None:
    ours = EntryPointRecord("x", value, None, None).load()
    theirs = importlib.metadata.EntryPoint("x", value, "socialcrm").load()
    assert ours is theirs


def test_a_malformed_value_is_a_clear_load_error() -> None:
    with pytest.raises(ValueError, match="malformed entry point value 'not a module'"):
        EntryPointRecord("x", "not a module", None, None).load()


# -- end to end: the installed console script ------------------------------------------

SCRIPT = Path(sys.executable).with_name("socialcrm")


@pytest.fixture
def script_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALCRM_")}
    env.update(SOCIALCRM_CACHE_DIR=str(tmp_path / "cache"), SOCIALCRM_DB=str(tmp_path / "store"))
    return env


def script(env: dict[str, str], *argv: str) -> set[str]:
    """Modules imported by one run of the console script, as ``-X importtime`` lists them.

    (``importtime`` lists ``import`` statements, not ``importlib.import_module``.)
    """
    result = subprocess.run(
        [str(SCRIPT), *argv],
        env={**env, "PYTHONPROFILEIMPORTTIME": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }


_MAIN = """
import sys
from socialcrm.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    assert not exc.code, exc.code
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""


def python(env: dict[str, str], *argv: str) -> set[str]:
    """``sys.modules`` after one CLI run in a fresh interpreter.

    ``-P`` keeps the working directory off ``sys.path``, so every run has the
    same ``sys.path`` (the same cache key), as console-script runs do.
    """
    result = subprocess.run(
        [sys.executable, "-P", "-c", _MAIN, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return set(result.stderr.rsplit("MODULES ", 1)[1].split())


def warmed(directory: Path, run: Callable[[], object], files: int) -> None:
    """Run until ``directory`` holds ``files`` caches: once more after the racy window if not."""
    run()
    if len(cache_files(directory)) < files:  # a sys.path directory changed in the last 2 s
        time.sleep(entrypoint_cache.RACY_WINDOW_NS / 1e9 + 0.1)
        run()
    assert len(cache_files(directory)) == files


@pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")
def test_a_warm_cli_run_never_imports_importlib_metadata(
    tmp_path: Path, script_env: dict[str, str]
) -> None:
    cache = tmp_path / "cache"
    assert "importlib.metadata" in script(script_env, "add", "Jane Doe"), "the first run scans"
    warmed(cache, lambda: script(script_env, "list"), 1)
    for argv in (["list", "--stage", "profile", "--format", "json"], ["show", "Jane Doe"]):
        assert "importlib.metadata" not in script(script_env, *argv), argv

    warmed(cache, lambda: python(script_env, "list"), 2)
    for argv in (["list", "--stage", "profile", "--format", "json"], ["show", "Jane Doe"]):
        modules = python(script_env, *argv)
        assert "socialcrm_linkedin" in modules, "the network plugins still load"
        assert "importlib.metadata" not in modules, argv
    off = {**script_env, CACHE_ENV: "0"}
    assert "importlib.metadata" in python(off, "show", "Jane Doe")


@given(st.text(alphabet="ab_.:[], 1\t", max_size=24))
def test_values_are_read_as_importlib_metadata_reads_them(value: str) -> None:
    reference = importlib.metadata.EntryPoint("x", value, "socialcrm")
    try:
        module, attr = reference.module, reference.attr
    except AttributeError:  # importlib's way of saying "no match"
        with pytest.raises(ValueError, match="malformed entry point value"):
            entrypoint_cache.parse_value(value)
        return
    assert entrypoint_cache.parse_value(value) == (
        module,
        tuple(filter(None, (attr or "").split("."))),
    )


# ----------------------------------------------------------------------------- location
def test_location_setting_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "mine"))
    monkeypatch.setattr(entrypoint_cache, "_PACKAGE_CACHE", str(tmp_path))
    assert entrypoint_cache.cache_dir() == str(tmp_path / "mine")


def test_location_beside_the_bytecode_when_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setattr(entrypoint_cache, "_PACKAGE_CACHE", str(tmp_path))
    assert entrypoint_cache.cache_dir() == str(tmp_path)
    assert entrypoint_cache.cache_file("socialcrm").startswith(str(tmp_path) + os.sep)


def test_location_falls_back_to_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # no __pycache__ (bytecode not written, PYTHONPYCACHEPREFIX…) or a read-only install
    monkeypatch.setattr(entrypoint_cache, "_PACKAGE_CACHE", str(tmp_path / "missing"))
    assert entrypoint_cache.cache_dir() == platformdirs.user_cache_dir("socialcrm")


def test_package_cache_is_the_installed_packages_bytecode_directory() -> None:
    import socialcrm

    expected = Path(socialcrm.__file__).parent / "__pycache__"
    assert Path(entrypoint_cache._PACKAGE_CACHE) == expected
