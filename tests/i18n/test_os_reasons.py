"""The operating system's reasons (``exc.strerror``, English whatever the locale) are
given in the rep's language for the common errors (docs/languages.md)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from socialcrm import i18n

SCRIPT = Path(sys.executable).with_name("socialcrm")
FULL = Path("/dev/full")


def _error(code: int) -> OSError:
    return OSError(code, os.strerror(code), "/somewhere")


def test_english_keeps_the_system_s_own_words() -> None:
    for code in (errno.ENOSPC, errno.EACCES, errno.ENOENT, errno.EXDEV):
        assert i18n.os_reason(_error(code)) == os.strerror(code)


@pytest.mark.usefixtures("french")
def test_the_common_reasons_are_french() -> None:
    assert i18n.os_reason(_error(errno.ENOSPC)) == "Plus d'espace disponible sur le périphérique"
    assert i18n.os_reason(_error(errno.EACCES)) == "Permission refusée"
    assert i18n.os_reason(_error(errno.EROFS)) == "Système de fichiers en lecture seule"
    for name in ("ENOENT", "EPERM", "EEXIST", "EISDIR", "ENOTDIR", "EMFILE", "ENAMETOOLONG"):
        code = getattr(errno, name)
        assert i18n.os_reason(_error(code)) != os.strerror(code), name


@pytest.mark.usefixtures("french")
def test_other_reasons_fall_back_to_the_system_s_and_neutral_runs_stay_english() -> None:
    assert i18n.os_reason(_error(errno.EXDEV)) == os.strerror(errno.EXDEV)
    assert i18n.os_reason(OSError("no errno")) == "no errno"
    assert i18n.os_reason(OSError("no errno"), "OSError") == "OSError"
    i18n.set_neutral(True)
    assert i18n.os_reason(_error(errno.ENOSPC)) == os.strerror(errno.ENOSPC)


def _list_to_full(store: Path, lang: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "SOCIALCRM_"))}
    env.pop("LANGUAGE", None)
    env.update(LANG=lang, SOCIALCRM_CONFIG=str(store.parent / "none.toml"), NO_COLOR="1")
    with FULL.open("w") as full:
        return subprocess.run(
            [str(SCRIPT), "list", "--db", str(store)],
            env=env,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
def test_a_full_device_is_explained_in_french_through_the_console_script(tmp_path: Path) -> None:
    store = tmp_path / "store"
    env = {**os.environ, "SOCIALCRM_CONFIG": str(tmp_path / "none.toml"), "LANG": "C"}
    added = subprocess.run(
        [str(SCRIPT), "add", "Jo Bo", "--db", str(store)], env=env, capture_output=True
    )
    assert added.returncode == 0
    french = _list_to_full(store, "fr_FR.UTF-8")
    english = _list_to_full(store, "C")
    assert french.returncode == english.returncode == 4
    assert french.stderr == (
        "erreur\u00a0: impossible d'écrire la sortie\u00a0: "
        "Plus d'espace disponible sur le périphérique\n"
    )
    assert english.stderr == "error: cannot write the output: No space left on device\n"
