"""Store locations: a URL or a directory, passwords never shown, the extra named when missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialcrm.storage import describe_store, resolve_store
from socialcrm.storage.sql.urls import is_database_url, mask_url, scrub


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgresql://u@h/db", True),
        ("postgresql+psycopg://u:p@h:5432/db?sslmode=require", True),
        ("sqlite:///relative.db", True),
        ("sqlite:////abs/path.db", True),
        ("./store", False),
        ("store://not-at-start/x", True),
        ("dir/postgresql://x", False),
        ("C:\\Users\\me\\store", False),
        ("~/store", False),
    ],
)
def test_is_database_url(value: str, expected: bool) -> None:
    assert is_database_url(value) is expected
    assert is_database_url(Path("postgresql:")) is False  # a Path is always a directory


def test_only_a_sqlite_url_names_a_file() -> None:
    from socialcrm.storage.sql.engine import parse_url, sqlite_file

    assert sqlite_file(parse_url("postgresql://u@h/crm")) is None  # never a file "crm"
    assert sqlite_file(parse_url("sqlite://")) is None
    assert sqlite_file(parse_url("sqlite:///a/b.db")) == Path("a/b.db")


def test_mask_url() -> None:
    assert mask_url("postgresql://crm:hunter2@db/crm") == "postgresql://crm:***@db/crm"
    assert mask_url("postgresql://crm@db/crm?password=hunter2&sslmode=require") == (
        "postgresql://crm@db/crm?password=***&sslmode=require"
    )
    assert mask_url("postgresql://crm@db/crm") == "postgresql://crm@db/crm"
    assert describe_store("sqlite:///x.db") == "sqlite:///x.db"
    assert describe_store(Path("/a/b")) == "/a/b"


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=4))
def test_scrub_removes_the_password_wherever_it_is(password: str) -> None:
    url = f"postgresql://crm:{quote(password, safe='')}@db.example.org/crm"
    message = f'connection to "{url}" failed for password {password} and {quote(password)}'
    cleaned = scrub(message, url)
    assert password not in cleaned and quote(password, safe="") not in cleaned
    assert password not in mask_url(url)


def test_resolve_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOCIALCRM_DB", "postgresql://crm@db/crm")
    assert resolve_store() == "postgresql://crm@db/crm"
    assert resolve_store(str(tmp_path)) == tmp_path
    monkeypatch.setenv("SOCIALCRM_DB", str(tmp_path))
    assert resolve_store() == tmp_path
    assert resolve_store(" sqlite:///x.db ") == "sqlite:///x.db"


BLOCK = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('sqlalchemy', 'psycopg'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
"""


def test_without_the_extra_the_error_names_it(tmp_path: Path) -> None:
    code = BLOCK + (
        "from socialcrm.storage import open_repository\n"
        "from socialcrm.errors import StoreError\n"
        f"open_repository({str(tmp_path / 'dir')!r}).close()\n"  # the TinyDB store still works
        "try:\n"
        "    open_repository('postgresql://crm:hunter2@db/crm')\n"
        "except StoreError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'socialcrm[sql]'" in out and "hunter2" not in out


def test_without_the_extra_the_cli_says_one_line() -> None:
    code = BLOCK + (
        "from socialcrm.cli.app import run\n"
        "run(['--db', 'postgresql://crm:hunter2@db/crm', 'list'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 6
    assert result.stderr.count("\n") == 1 and "socialcrm[sql]" in result.stderr
    assert "hunter2" not in result.stderr


def test_libpq_parameters_are_passed_on(pg_url: str) -> None:
    """TLS and any other libpq parameter in the URL reach the connection."""
    from sqlalchemy import text

    from socialcrm.errors import StoreError
    from socialcrm.storage import open_repository
    from socialcrm.storage.sql.repository import SQLRepository

    with pytest.raises(StoreError, match="SSL"):  # this test server has no TLS
        open_repository(pg_url + "?sslmode=require")
    repo = open_repository(
        pg_url + "?application_name=rep-lea&options=-c%20statement_timeout%3D5000",
        lock_timeout=3,
    )
    assert isinstance(repo, SQLRepository)
    try:
        with repo.engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "5s"
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "3s"
            assert conn.execute(text("SHOW application_name")).scalar() == "rep-lea"
    finally:
        repo.close()
