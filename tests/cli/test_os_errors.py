"""System errors → one line and a documented exit code, with the real console script in real
conditions: a full disk, the file-size limit, a closed pipe, a read-only file system,
permissions (issue 20, item 4).  No error is faked."""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.crm import CRM
from socialcrm.io import import_file
from socialcrm.plugins import get_plugin_manager
from socialcrm.storage import open_repository
from tests.cli.test_console_script import SCRIPT, cli

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")

FULL = Path("/dev/full")


def one_error_line(stderr: str, *parts: str) -> None:
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert "unexpected" not in stderr and "Traceback" not in stderr and "report it" not in stderr
    for part in parts:
        assert part in stderr, (part, stderr)


def populate(store: Path, count: int, *, notes: str = "") -> None:
    """``count`` prospects, added through the library in one import (fast)."""
    rows = "".join(f"Person {i},p{i}@acme.example,{notes}\n" for i in range(count))
    source = store.parent / "people.csv"
    source.write_text("Name,Email,Notes\n" + rows, encoding="utf-8")
    crm = CRM(open_repository(store), get_plugin_manager(entrypoints=False))
    try:
        assert import_file(crm, source).written
    finally:
        crm.close()


# -- standard output and files the user named: exit 4 -----------------------------------


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
def test_list_to_a_full_device(env: dict[str, str]) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    with FULL.open("w") as full:
        result = subprocess.run(
            [str(SCRIPT), "list"], env=env, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert result.returncode == 4
    one_error_line(result.stderr, "cannot write the output: No space left on device")


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
def test_export_out_to_a_full_device_writes_in_place_and_keeps_the_device(
    env: dict[str, str],
) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    result = cli(env, "export", "--out", str(FULL))
    assert result.returncode == 4
    one_error_line(result.stderr, "error: /dev/full: No space left on device")
    # the temporary file + rename used to replace the device node itself (as root)
    assert stat.S_ISCHR(FULL.stat().st_mode)


def test_export_out_over_the_file_size_limit(env: dict[str, str], tmp_path: Path) -> None:
    populate(tmp_path / "store", 10, notes="x" * 2000)
    out = tmp_path / "out" / "export.json"
    out.parent.mkdir()

    def small_files() -> None:  # in the child: files of at most 4 KiB (EFBIG beyond)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = subprocess.run(
        [str(SCRIPT), "export", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        timeout=60,
    )
    assert result.returncode == 4
    one_error_line(result.stderr, f"error: {out}: File too large")
    assert list(out.parent.iterdir()) == []  # no partial file, no temporary file


def test_export_out_where_writing_is_denied_even_to_root(env: dict[str, str]) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    result = cli(env, "export", "--out", "/sys/socialcrm-export.json")
    assert result.returncode == 4
    one_error_line(result.stderr, "/sys/", "Permission denied")


def test_export_out_under_a_regular_file(env: dict[str, str], tmp_path: Path) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = cli(env, "export", "--out", str(blocker / "export.json"))
    assert result.returncode == 4
    one_error_line(result.stderr, str(blocker), "Not a directory")


def test_a_closed_pipe_ends_quietly_with_141(env: dict[str, str], tmp_path: Path) -> None:
    """``socialcrm list --format json | head -1``: no message, 128 + SIGPIPE."""
    populate(tmp_path / "store", 300)  # ~270 KB of JSON: more than a pipe holds
    for args in (["list", "--format", "json"], ["export"]):
        proc = subprocess.Popen(
            [str(SCRIPT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()  # `head -1`
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 141, err
        assert err == ""  # not even Python's "Exception ignored … BrokenPipeError"


def test_head_in_a_shell_pipeline(env: dict[str, str], tmp_path: Path) -> None:
    populate(tmp_path / "store", 300)
    result = subprocess.run(
        ["bash", "-c", f"'{SCRIPT}' list --format json | head -1; echo ${{PIPESTATUS[0]}}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == ["[", "141"]
    assert result.stderr == ""


# -- store files: exit 6 --------------------------------------------------------------------


def test_backup_when_backups_cannot_be_created(env: dict[str, str], tmp_path: Path) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    (tmp_path / "store" / "backups").write_text("", encoding="utf-8")  # a file, not a dir
    result = cli(env, "backup")
    assert result.returncode == 6
    one_error_line(result.stderr, str(tmp_path / "store" / "backups"), "Not a directory")


def _can_mount_read_only() -> bool:
    if shutil.which("unshare") is None:
        return False
    with tempfile.TemporaryDirectory() as probe:
        check = subprocess.run(
            ["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe}"],
            capture_output=True,
            timeout=30,
        )
    return check.returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="cannot mount a read-only bind mount")
@pytest.mark.parametrize("command", ["doctor", "list", "backup"])
def test_a_store_on_a_read_only_file_system(
    env: dict[str, str], tmp_path: Path, command: str
) -> None:
    assert cli(env, "add", "Jane Doe").returncode == 0
    store = tmp_path / "store"
    result = subprocess.run(  # the store's directory mounted read-only, for this command only
        [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'mount --bind -o ro "$0" "$0" && exec "$1" {command}',
            str(store),
            str(SCRIPT),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if command == "backup":  # a write: refused in one line
        assert result.returncode == 6
        one_error_line(result.stderr, str(store), "read-only")
    else:  # reads work on read-only media (doctor reports the store as read-only)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        if command == "doctor":
            assert "read-only" in result.stdout
        else:
            assert "Jane Doe" in result.stdout


@pytest.fixture
def nobody_store() -> Iterator[Path]:
    """A store owned by ``nobody`` in a directory it can reach (tests run as root)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as another user")
    top = Path(tempfile.mkdtemp(prefix="socialcrm-nobody-"))
    try:
        top.chmod(0o755)
        yield top / "store"
    finally:
        shutil.rmtree(top)


def as_nobody(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("command", ["doctor", "list"])
def test_an_unreadable_store_file(env: dict[str, str], nobody_store: Path, command: str) -> None:
    env["SOCIALCRM_DB"] = str(nobody_store)
    assert cli(env, "add", "Jane Doe").returncode == 0
    for path in [nobody_store, *nobody_store.rglob("*")]:
        os.chown(path, 65534, 65534)
    (nobody_store / "store.json").chmod(0)
    result = as_nobody(env, command)
    assert result.returncode == 6
    if command == "doctor":  # a finding of its report, naming the file, not a crash
        assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
        assert str(nobody_store / "store.json") in result.stdout, result.stdout
        assert "Permission denied" in result.stdout, result.stdout
    else:
        one_error_line(result.stderr, str(nobody_store / "store.json"), "Permission denied")
