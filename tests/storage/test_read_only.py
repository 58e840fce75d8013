"""A store this process may not write: reads work, writes refuse in one line, nothing changes.

Two real ways a store is read-only, each tested through the console script:

* **permissions** (``chmod -R a-w``): as root, which ignores file modes, the
  command runs under ``setpriv`` without the capabilities that let root do so
  (``CAP_DAC_OVERRIDE``, ``CAP_DAC_READ_SEARCH``, ``CAP_FOWNER``); as another
  user it runs as it is;
* **a read-only file system**: the command runs in a private mount namespace
  (``unshare -m``, or ``unshare -rm`` without root) where the store is bind-
  mounted read-only: every write fails with ``EROFS``, as on a read-only medium.

A way this machine does not allow is skipped, saying why.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from socialcrm.storage import layout
from socialcrm.storage.backups import backup

from .console import SCRIPT, one_error_line, run, tree
from .helpers import written_store

pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="socialcrm script not installed")

_CAPS = "-dac_override,-dac_read_search,-fowner"


@functools.cache
def _obeying_modes() -> tuple[str, ...] | None:
    """A command prefix under which file modes apply to this process (``None``: none)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = (setpriv, f"--bounding-set={_CAPS}", f"--inh-caps={_CAPS}")
    with tempfile.TemporaryDirectory() as directory:
        read_only = Path(directory) / "read-only"
        read_only.touch(mode=0o400)
        read_only.chmod(0o400)
        probe = subprocess.run(
            [*prefix, "sh", "-c", f"test -w '{read_only}'"], capture_output=True, check=False
        )
    return prefix if probe.returncode == 1 else None


def _read_only_mount(path: Path) -> tuple[str, ...] | None:
    """A command prefix that runs its command with ``path`` mounted read-only."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    inner = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    options = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    prefix = (unshare, *options, "sh", "-c", inner, str(path))
    probe = subprocess.run(
        [*prefix, "sh", "-c", f"! touch '{path}/.probe' 2>/dev/null"],
        capture_output=True,
        check=False,
    )
    return prefix if probe.returncode == 0 else None


def make_store(path: Path) -> Path:
    backup(written_store(path, 3))
    return path


def make_read_only(path: Path) -> None:
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            (Path(root) / name).chmod(0o500 if (Path(root) / name).is_dir() else 0o400)
    path.chmod(0o500)


@pytest.fixture
def writable_again(tmp_path: Path) -> Iterator[None]:
    yield
    for root, dirs, _files in os.walk(tmp_path):
        for name in dirs:
            (Path(root) / name).chmod(0o700)
    tmp_path.chmod(0o700)


def _check_read_only_store(store: Path, prefix: tuple[str, ...]) -> None:
    before = tree(store)
    listed = run(store, "list", prefix=prefix)
    assert listed.returncode == 0, listed.stderr
    assert "Person 01P 0" in listed.stdout and "Person 01P 2" in listed.stdout
    shown = run(store, "show", "01P00001", prefix=prefix)
    assert shown.returncode == 0 and "Person 01P 1" in shown.stdout
    checked = run(store, "doctor", prefix=prefix)
    assert checked.returncode == 0, checked.stdout
    assert "info    read-only:" in checked.stdout and "healthy" in checked.stdout
    for args in (
        ("add", "New Person"),
        ("note", "01P00001", "hello"),
        ("move", "01P00001", "identify", "--force"),
        ("backup",),
        ("restore", "--yes"),
    ):
        result = run(store, *args, prefix=prefix)
        assert result.returncode == 6, (args, result.stdout, result.stderr)
        line = one_error_line(result)
        assert f"the store {store} is read-only" in line and "nothing was changed" in line
    assert tree(store) == before


def test_a_store_without_write_permission(tmp_path: Path, writable_again: None) -> None:
    prefix = _obeying_modes()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    store = make_store(tmp_path / "store")
    make_read_only(store)
    _check_read_only_store(store, prefix)


def test_a_store_on_a_read_only_file_system(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    prefix = _read_only_mount(store)
    if prefix is None:
        pytest.skip("cannot mount read-only here (no unshare, or mount namespaces not allowed)")
    _check_read_only_store(store, prefix)
    # never locked by anyone, the lock file does not even exist: reads still work
    (store / layout.LOCK_NAME).unlink()
    listed = run(store, "list", prefix=prefix)
    assert listed.returncode == 0 and "Person 01P 2" in listed.stdout
    result = run(store, "add", "New", prefix=prefix)
    assert result.returncode == 6 and "read-only" in one_error_line(result)
    assert not (store / layout.LOCK_NAME).exists()


def test_an_unreadable_manifest_is_explained(tmp_path: Path, writable_again: None) -> None:
    prefix = _obeying_modes()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    store = make_store(tmp_path / "store")
    manifest = store / layout.MANIFEST_NAME
    manifest.chmod(0o000)
    checked = run(store, "doctor", prefix=prefix)
    assert checked.returncode == 6, checked.stderr
    assert "Traceback" not in checked.stderr and not checked.stderr
    assert f"error   unreadable: cannot read: Permission denied [{manifest}]" in checked.stdout
    listed = run(store, "list", prefix=prefix)
    assert listed.returncode == 6
    assert one_error_line(listed) == f"error: cannot read {manifest}: Permission denied"
    manifest.chmod(0o600)


def test_backup_when_its_directory_cannot_be_created(tmp_path: Path, writable_again: None) -> None:
    prefix = _obeying_modes()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    store = written_store(tmp_path / "store", 2)
    store.chmod(0o500)  # the store's files stay writable; backups/ cannot be created
    before = tree(store)
    result = run(store, "backup", prefix=prefix)
    assert result.returncode == 6
    line = one_error_line(result)
    assert line.startswith(f"error: cannot create {store / layout.BACKUP_DIR}: Permission denied")
    assert "no backup was written" in line
    assert tree(store) == before
