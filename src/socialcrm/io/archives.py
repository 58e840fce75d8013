"""Reading a network's whole data export safely: a ``.zip`` or an unzipped directory.

An archive is hostile until proven otherwise.  Before anything is read, the
zip's own directory is checked: the number of entries (read from the end
record, before :mod:`zipfile` builds one object per entry), entry names (no
absolute path, no ``..``, no drive, no backslash), no symbolic link, no
nested archive, no encrypted entry, the declared sizes (each member, the
total) and each entry's compression ratio (zip bombs).  A member is then
copied — streamed, 1 MiB at a time, counting the real bytes against the same
limits — into a private temporary directory (0700, under ``TMPDIR``) with a
name socialcrm chooses, never the entry's own, read from there, and removed.
Nothing is ever written outside that directory.

A directory is walked without following symbolic links (a link is reported
and skipped); its files are read where they are.

The limits are in :mod:`socialcrm.limits` (``ARCHIVE_*``); a breach refuses
the whole archive with an :class:`~socialcrm.errors.ImportFormatError` naming
the entry, before any import starts.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from attrs import frozen

from socialcrm.errors import ImportFormatError
from socialcrm.i18n import text as _
from socialcrm.limits import (
    ARCHIVE_MAX_ENTRIES,
    ARCHIVE_MAX_MEMBER_BYTES,
    ARCHIVE_MAX_RATIO,
    ARCHIVE_MAX_TOTAL_BYTES,
    ARCHIVE_RATIO_FLOOR,
)

__all__ = ["Archive", "Member", "is_archive", "open_archive"]

ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
#: Names of archives inside the archive: refused, never opened.
NESTED_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".zst")
_CHUNK = 1024 * 1024
_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


@frozen
class Member:
    """One file of an archive: its path inside it (``/``-separated) and size."""

    path: str
    size: int


def is_archive(path: Path) -> bool:
    """Whether ``path`` is a directory or a zip file (by content, not by name)."""
    if path.is_dir():
        return True
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError:
        return False
    return magic in (ZIP_MAGIC, _EMPTY_ZIP)


def _entry_count(path: Path) -> int:
    """Entries declared by the zip's end record (zip64 included), read before
    :mod:`zipfile` builds one object per entry (100,000 entries ≈ 50 MB of them)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        tail_size = min(size, _EOCD.size + 65_535)
        fh.seek(size - tail_size)
        tail = fh.read(tail_size)
        at = tail.rfind(_EMPTY_ZIP)
        if at < 0 or len(tail) - at < _EOCD.size:
            raise ImportFormatError(_("not a readable zip file (no end record)"), path=str(path))
        count = int(_EOCD.unpack(tail[at : at + _EOCD.size])[4])
        start = size - tail_size + at
        if count == 0xFFFF and start >= _ZIP64_LOCATOR.size:
            fh.seek(start - _ZIP64_LOCATOR.size)
            locator = _ZIP64_LOCATOR.unpack(fh.read(_ZIP64_LOCATOR.size))
            if locator[0] == b"PK\x06\x07":
                fh.seek(locator[2])
                record = fh.read(_ZIP64_EOCD.size)
                if len(record) == _ZIP64_EOCD.size and record[:4] == b"PK\x06\x06":
                    count = int(_ZIP64_EOCD.unpack(record)[7])
    return count


def _check_name(archive: Path, name: str) -> None:
    """Refuse an entry name that could point outside the archive."""
    bad = (
        not name
        or "\x00" in name
        or "\\" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or ".." in PurePosixPath(name).parts
    )
    if bad:
        raise ImportFormatError(
            _("unsafe entry name {name!r} (absolute, '..' or a drive): refused").format(name=name),
            path=str(archive),
            hint=_("this archive was not made by a network's export; nothing was imported"),
        )


def _nested(name: str) -> bool:
    return name.lower().endswith(NESTED_SUFFIXES)


class Archive:
    """An opened archive: its members, and a way to read each one as a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.members: list[Member] = []
        #: entries not read, with why (symbolic links in a directory…)
        self.refused: list[tuple[str, str]] = []
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None
        self._copies = 0

    # -- opening ---------------------------------------------------------------------
    def _open_zip(self) -> None:
        count = _entry_count(self.path)
        if count > ARCHIVE_MAX_ENTRIES:
            raise ImportFormatError(
                _("the archive holds {count:,} entries, over the limit of {limit:,}").format(
                    count=count, limit=ARCHIVE_MAX_ENTRIES
                ),
                path=str(self.path),
                hint=_("a network's export holds far fewer: unzip it and import its files"),
            )
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFormatError(
                _("not a readable zip file ({exc})").format(exc=exc), path=str(self.path)
            ) from None
        total = 0
        for info in self._zip.infolist():
            name = info.filename
            _check_name(self.path, name)
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ImportFormatError(
                    _("entry {name!r} is a symbolic link: refused").format(name=name),
                    path=str(self.path),
                )
            if _nested(name):
                raise ImportFormatError(
                    _("entry {name!r} is an archive inside the archive: refused").format(name=name),
                    path=str(self.path),
                    hint=_("unzip the outer archive and import the inner one on its own"),
                )
            if info.flag_bits & 0x1:
                raise ImportFormatError(
                    _("entry {name!r} is encrypted: refused").format(name=name), path=str(self.path)
                )
            self._check_ratio(name, info.file_size, info.compress_size)
            total += info.file_size
            if total > ARCHIVE_MAX_TOTAL_BYTES:
                raise ImportFormatError(
                    _(
                        "the archive's entries add up to more than "
                        "{limit:,} bytes uncompressed (the "
                        "limit)"
                    ).format(limit=ARCHIVE_MAX_TOTAL_BYTES),
                    path=str(self.path),
                )
            self.members.append(Member(name, info.file_size))

    def _check_ratio(self, name: str, size: int, compressed: int) -> None:
        if size > ARCHIVE_RATIO_FLOOR and size > ARCHIVE_MAX_RATIO * max(compressed, 1):
            raise ImportFormatError(
                _(
                    "entry {name!r} expands {ratio:,} times (over {limit}: a zip bomb?): refused"
                ).format(
                    name=name,
                    ratio=size // max(compressed, 1),
                    limit=ARCHIVE_MAX_RATIO,
                ),
                path=str(self.path),
            )

    def _open_dir(self) -> None:
        entries = 0
        stack = [self.path]
        while stack:
            folder = stack.pop()
            with os.scandir(folder) as it:
                for entry in sorted(it, key=lambda e: e.name):
                    entries += 1
                    if entries > ARCHIVE_MAX_ENTRIES:
                        raise ImportFormatError(
                            _("the directory holds more than {limit:,} entries (the limit)").format(
                                limit=ARCHIVE_MAX_ENTRIES
                            ),
                            path=str(self.path),
                        )
                    rel = Path(entry.path).relative_to(self.path).as_posix()
                    if entry.is_symlink():
                        self.refused.append((rel, "a symbolic link (not followed)"))
                    elif entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        if _nested(rel):
                            self.refused.append((rel, "an archive inside the archive (not opened)"))
                            continue
                        self.members.append(Member(rel, entry.stat(follow_symlinks=False).st_size))
                    else:
                        self.refused.append((rel, "not a regular file"))
        self.members.sort(key=lambda m: m.path)

    # -- reading ---------------------------------------------------------------------
    def head(self, member: Member, size: int = 65_536) -> bytes:
        """The first ``size`` bytes of ``member`` (to recognise its content)."""
        if self._zip is None:
            with (self.path / member.path).open("rb") as fh:
                return fh.read(size)
        with self._zip.open(member.path) as fh:
            return fh.read(size)

    def materialise(self, member: Member) -> Path:
        """A file holding ``member``'s bytes: the file itself in a directory, else a
        private copy (streamed, real bytes counted against the limits)."""
        if self._zip is None:
            if member.size > ARCHIVE_MAX_MEMBER_BYTES:
                raise self._too_big(member)
            return self.path / member.path
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="socialcrm-archive-"))  # mode 0700
        self._copies += 1
        suffix = PurePosixPath(member.path).suffix[:10]
        target = self._tmp / f"member-{self._copies}{suffix}"
        info = self._zip.getinfo(member.path)
        written = 0
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, self._zip.open(info) as src:
            while chunk := src.read(_CHUNK):
                if written == 0 and chunk.startswith((ZIP_MAGIC, _EMPTY_ZIP)):
                    raise ImportFormatError(
                        _("entry {path!r} is a zip inside the archive: refused").format(
                            path=member.path
                        ),
                        path=str(self.path),
                    )
                written += len(chunk)
                if written > ARCHIVE_MAX_MEMBER_BYTES or written > max(info.file_size, 0):
                    raise self._too_big(member)
                out.write(chunk)
        return target

    def _too_big(self, member: Member) -> ImportFormatError:
        return ImportFormatError(
            _(
                "entry {path!r} is over {limit:,} bytes (or larger than it declares): refused"
            ).format(path=member.path, limit=ARCHIVE_MAX_MEMBER_BYTES),
            path=str(self.path),
        )

    def release(self, copy: Path) -> None:
        """Remove a private copy once read (a directory's own files are left alone)."""
        if self._tmp is not None and copy.parent == self._tmp:
            copy.unlink(missing_ok=True)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def open_archive(path: Path) -> Archive:
    """Open and check ``path`` (a zip file or a directory); the caller closes it."""
    archive = Archive(path)
    try:
        if path.is_dir():
            archive._open_dir()
        else:
            archive._open_zip()
    except BaseException:
        archive.close()
        raise
    return archive


def iter_members(archive: Archive) -> Iterator[Member]:
    """The archive's files, in path order."""
    yield from archive.members
