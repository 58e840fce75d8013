"""Whole network exports (zip or directory): every file accounted for, one transaction,
hostile archives refused with the store unchanged."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialcrm.cli import make_app
from socialcrm.crm import CRM
from socialcrm.errors import ImportFormatError
from socialcrm.io.importing.archive import ArchiveReport, import_archive
from socialcrm.limits import ARCHIVE_MAX_ENTRIES
from socialcrm.plugins import get_plugin_manager

from .archive_layouts import (
    FACEBOOK,
    INSTAGRAM,
    LINKEDIN,
    YOUTUBE,
    YOUTUBE_FR,
    X,
    build_dir,
    build_zip,
)
from .helpers import snapshot


def _files(report: ArchiveReport) -> dict[str, tuple[str, dict[str, int] | None]]:
    return {
        f.path: (f.status, f.report.counts() if f.report is not None else None)
        for f in report.files
    }


def _counts(
    created: int = 0, attached: int = 0, skipped: int = 0, updated: int = 0
) -> dict[str, int]:
    return {
        "created": created,
        "updated": updated,
        "attached": attached,
        "skipped": skipped,
        "invalid": 0,
    }


def _skips(report: ArchiveReport, path: str) -> dict[str, int]:
    found = next(f for f in report.files if f.path == path)
    assert found.report is not None
    return {g.kind: g.count for g in found.report.skip_groups()}


LINKEDIN_FILES = {
    "Profile.csv": ("imported", _counts(skipped=1)),
    "Connections.csv": ("imported", _counts(created=3, skipped=1)),
    # Paul (a pending invitee) becomes a prospect; Jean's invitation without a note
    # is recorded
    "Invitations.csv": ("imported", _counts(created=1, attached=4)),
    # Sophie (an InMail, not a connection) becomes a prospect
    "messages.csv": ("imported", _counts(created=1, attached=5, skipped=1)),
    "Ad_Targeting.csv": ("unknown", None),
    "__MACOSX/._Connections.csv": ("skipped", None),
}


def _check_linkedin(report: ArchiveReport) -> None:
    assert _files(report) == LINKEDIN_FILES
    # connections before invitations before messages; unread files last
    assert [f.path for f in report.files][:4] == [
        "Profile.csv",
        "Connections.csv",
        "Invitations.csv",
        "messages.csv",
    ]
    assert report.owner is not None and report.owner["name"] == "Camille Vendeur"
    assert _skips(report, "Profile.csv") == {"the archive's owner": 1}
    assert _skips(report, "Connections.csv") == {"blank line": 1}
    assert _skips(report, "Invitations.csv") == {}
    assert _skips(report, "messages.csv") == {"draft": 1}
    created = {
        (f.path, r.name, r.reason)
        for f in report.files
        if f.report is not None
        for r in f.report.created
        if f.path != "Connections.csv"
    }
    assert created == {
        ("Invitations.csv", "Paul Nouveau", "not a prospect yet: named by a message sent"),
        ("messages.csv", "Sophie Inmail", "not a prospect yet: named by a message received"),
    }
    assert report.counts() == _counts(created=5, attached=9, skipped=3)
    assert report.networks() == ["linkedin"]


def test_linkedin_zip_every_file_in_order_one_transaction(store: CRM, tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "Basic_LinkedInDataExport_12-01-2026.zip", LINKEDIN)
    report = import_archive(store, archive)
    _check_linkedin(report)
    assert report.written and not report.dry_run
    names = sorted(p.name for p in store.query())
    assert names == ["Amina Benali", "Jean Dupont", "Paul Nouveau", "Sophie Inmail", "Zoé Martin"]
    assert "Camille Vendeur" not in names  # the owner is never a prospect
    jean = next(p for p in store.query() if p.name == "Jean Dupont")
    signals = [e.payload for e in store.repository.events(jean.id)]
    assert any(getattr(s, "type", None) == "invitation_sent" for s in signals)
    zoe = next(p for p in store.query() if p.name == "Zoé Martin")
    kinds = [type(e.payload).__name__ for e in store.repository.events(zoe.id)]
    assert kinds.count("MessageSent") == 2 and kinds.count("MessageReceived") == 1
    again = import_archive(store, archive)  # the same archive twice changes nothing
    assert again.counts()["created"] == 0 and again.counts()["attached"] == 0


def test_unzipped_directory_gives_the_same_report(store: CRM, tmp_path: Path) -> None:
    folder = build_dir(tmp_path / "Basic_LinkedInDataExport", LINKEDIN)
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    report = import_archive(store, folder)
    files = _files(report)
    assert files.pop("passwd.csv") == ("skipped", None)
    assert files == LINKEDIN_FILES
    assert len(store.query()) == 5


def test_dry_run_counts_like_a_real_import_and_writes_nothing(store: CRM, tmp_path: Path) -> None:
    archive = build_zip(tmp_path / "linkedin.zip", LINKEDIN)
    store.init()
    before = snapshot(store)
    report = import_archive(store, archive, dry_run=True)
    _check_linkedin(report)  # messages attached to connections planned in the same run
    assert report.dry_run and not report.written
    assert snapshot(store) == before


def test_x_archive_owner_followers_following_messages(store: CRM, tmp_path: Path) -> None:
    report = import_archive(store, build_zip(tmp_path / "twitter-2026-12-01.zip", X))
    assert _files(report) == {
        "data/account.js": ("imported", _counts(skipped=1)),
        "data/follower.js": ("imported", _counts(created=3)),
        # 1003 follows and is followed: the mutual follow is recorded on a plain import
        "data/following.js": ("imported", _counts(created=1, updated=1)),
        # 2001 wrote to the rep without following: a prospect, with the message
        "data/direct-messages.js": ("imported", _counts(created=1, attached=4)),
        "data/tweets.js": ("unknown", None),
        "data/tweets_media/1-abc.jpg": ("unknown", None),
        "Your archive.html": ("unknown", None),
    }
    assert report.owner is not None
    assert report.owner["name"] == "Camille Vendeur"
    assert "x:id:42" in report.owner["urls"]
    people = {p.name: p for p in store.query()}
    assert sorted(people) == ["x:1001", "x:1002", "x:1003", "x:1004", "x:2001"]
    assert people["x:1003"].custom == {"x_follower": "yes", "x_following": "yes"}
    assert people["x:1004"].custom == {"x_following": "yes"}


def test_facebook_instagram_youtube_layouts(store: CRM, tmp_path: Path) -> None:
    fb = import_archive(store, build_zip(tmp_path / "facebook-camille.zip", FACEBOOK))
    assert _files(fb) == {
        "personal_information/profile_information/profile_information.json": (
            "imported",
            _counts(skipped=1),
        ),
        "connections/friends/your_friends.json": ("imported", _counts(created=2)),
        # "Plain Ascii" is a friend already: the request's date is added to them
        "connections/friends/received_friend_requests.json": (
            "imported",
            _counts(created=1, updated=1),
        ),
        "connections/friends/sent_friend_requests.json": ("imported", _counts(created=1)),
    }
    assert fb.owner is not None and fb.owner["name"] == "Camille Vendeur"
    ig = import_archive(store, build_zip(tmp_path / "instagram-camille.zip", INSTAGRAM))
    assert _files(ig) == {
        "personal_information/personal_information/personal_information.json": (
            "imported",
            _counts(skipped=1),
        ),
        "connections/followers_and_following/pending_follow_requests.json": (
            "imported",
            _counts(created=1),
        ),
        "connections/followers_and_following/followers_1.json": (
            "imported",
            _counts(created=1),
        ),
        "connections/followers_and_following/following.json": ("imported", _counts(created=1)),
    }
    yt = import_archive(store, build_zip(tmp_path / "takeout-1.zip", YOUTUBE))
    files = _files(yt)
    assert files["Takeout/YouTube and YouTube Music/subscriptions/subscriptions.csv"] == (
        "imported",
        _counts(created=2),
    )
    playlist = "Takeout/YouTube and YouTube Music/playlists/Watch later-videos.csv"
    assert files[playlist] == ("skipped", None)
    assert files["Takeout/archive_browser.html"] == ("unknown", None)
    fr = import_archive(store, build_zip(tmp_path / "takeout-fr.zip", YOUTUBE_FR))
    assert _files(fr) == {
        "Takeout/YouTube et YouTube Music/abonnements/abonnements.csv": (
            "imported",
            {**_counts(skipped=1)},
        )
    }
    names = sorted(p.name for p in store.query())
    assert names == [
        "@amina.benali",
        "@paul.nouveau",
        "@zoe.martin",
        "Growth, Sales & Co",
        "Léa Dubois",
        "Paul Nouveau",
        "Plain Ascii",
        "Zoé Martin",
        "Zoé parle vente",
    ]


def test_a_broken_known_file_undoes_the_whole_archive(store: CRM, tmp_path: Path) -> None:
    files = dict(LINKEDIN)
    files["messages.csv"] = files["messages.csv"] + '2-CCC,,"unclosed quote\x00\n'
    store.init()
    before = snapshot(store)
    with pytest.raises(ImportFormatError) as err:
        import_archive(store, build_zip(tmp_path / "linkedin.zip", files))
    assert "messages.csv" in str(err.value)
    assert str(tmp_path / "linkedin.zip") in str(err.value)
    assert snapshot(store) == before  # the connections read before it are undone too


# -- hostile archives ------------------------------------------------------------------


def _refused(store: CRM, archive: Path, words: str) -> None:
    store.init()
    before = snapshot(store)
    with pytest.raises(ImportFormatError) as err:
        import_archive(store, archive)
    assert words in str(err.value)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "name", ["../evil.csv", "/etc/cron.d/evil", "a/../../evil.csv", "C:/evil.csv", "a\\..\\b"]
)
def test_path_traversal_refused(store: CRM, tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Connections.csv", LINKEDIN["Connections.csv"])
        zf.writestr(name, "x")
    _refused(store, archive, "unsafe entry name")
    assert not (tmp_path.parent / "evil.csv").exists()


def test_zip_bomb_refused_by_ratio(store: CRM, tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", LINKEDIN["Connections.csv"])
        zf.writestr("messages.csv", b"\x00" * (20 * 1024 * 1024))
    _refused(store, archive, "a zip bomb?")


def test_member_size_counted_while_copying(
    store: CRM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real bytes of a member are counted as it is copied, whatever it declares."""
    import socialcrm.io.archives as archives

    monkeypatch.setattr(archives, "ARCHIVE_MAX_MEMBER_BYTES", 100)
    archive = build_zip(tmp_path / "li.zip", {"Connections.csv": LINKEDIN["Connections.csv"]})
    _refused(store, archive, "is over 100 bytes")


def test_too_many_entries_refused_before_reading_them(store: CRM, tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"data/tweets_media/{i}.jpg", b"")
    assert ARCHIVE_MAX_ENTRIES < 100_000
    _refused(store, archive, "100,000 entries")


@pytest.mark.parametrize("inner", ["inner.zip", "data/Connections.csv"])
def test_nested_zip_refused(store: CRM, tmp_path: Path, inner: str) -> None:
    """By name, or by content (a zip renamed as a file socialcrm reads)."""
    nested = build_zip(tmp_path / "nested.zip", LINKEDIN)
    archive = tmp_path / "outer.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Profile.csv", LINKEDIN["Profile.csv"])
        zf.writestr(inner if inner.endswith(".zip") else "Connections.csv", nested.read_bytes())
    _refused(store, archive, "inside the archive")


def test_symlink_entry_refused(store: CRM, tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    info = zipfile.ZipInfo("Connections.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    _refused(store, archive, "symbolic link")


def test_private_copies_are_removed(store: CRM, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    import_archive(store, build_zip(tmp_path / "li.zip", LINKEDIN))
    assert [p for p in tmp.iterdir() if p.name.startswith("socialcrm-archive-")] == []


# -- the command -------------------------------------------------------------------------


def test_cli_archive_report_table_and_json(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SOCIALCRM_DB", raising=False)
    app = make_app(get_plugin_manager())
    runner = CliRunner()
    archive = build_zip(tmp_path / "twitter.zip", X)
    db = str(tmp_path / "store")
    table = runner.invoke(app, ["--db", db, "import", str(archive), "--dry-run"])
    assert table.exit_code == 0, table.output
    assert "5 created, 1 updated, 4 attached, 1 skipped, 0 invalid" in table.stdout
    assert "dry run: nothing written" in table.stdout
    assert "archive owner (never a prospect): Camille Vendeur" in table.stdout
    assert "3 file(s) not read" in table.stdout
    as_json = runner.invoke(app, ["--db", db, "import", str(archive), "--report", "json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert data["archive"] is True and data["written"] is True
    assert data["files_by_status"] == {"imported": 4, "skipped": 0, "unknown": 3}
    assert data["counts"]["created"] == 5
    bad = runner.invoke(app, ["--db", db, "import", str(archive), "--format", "csv"])
    assert bad.exit_code == 2
    shutil.rmtree(tmp_path / "store")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Connections.csv", b"\x00" * (20 * 1024 * 1024))
    refused = runner.invoke(app, ["--db", db, "import", str(bomb)])
    assert refused.exit_code == 4
    assert "zip bomb" in refused.stderr and "Traceback" not in refused.output
