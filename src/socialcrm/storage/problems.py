"""The storage layer's errors about the store directory, worded once.

Each names the file or directory concerned and says what to do, and the advice
is true where it is given: never "run X" to a user for whom X is what just
failed, never "restore" where there is no backup.  The exit code of all of them
is the store's (6, ``docs/cli.md``).
"""

from __future__ import annotations

from pathlib import Path

from socialcrm.errors import StoreError
from socialcrm.i18n import N_, os_reason
from socialcrm.i18n import text as _
from socialcrm.storage import layout

__all__ = [
    "foreign_directory_error",
    "io_error",
    "no_manifest_advice",
    "no_manifest_error",
    "not_written_error",
    "read_only_error",
]


ACTIONS = (
    N_("read"),
    N_("write"),
    N_("list"),
    N_("create"),
    N_("inspect"),
    N_("make durable"),
    N_("open the lock file"),
    N_("create the store directory"),
)
"""The ``action`` values of :func:`io_error`, translated where the message is built."""


def io_error(exc: OSError, path: Path, action: str, *, hint: str | None = None) -> StoreError:
    """An operating-system error on a store file, as a StoreError naming the file."""
    reason = os_reason(exc)
    return StoreError(
        _("cannot {action} {path}: {reason}").format(action=_(action), path=path, reason=reason),
        path=str(path),
        hint=hint,
    )


def not_written_error(exc: OSError, default: Path) -> StoreError:
    """An OS error while writing, before the commit point: the store is as it was.
    Names the file of the error (``default`` if the error names none)."""
    where = Path(exc.filename) if exc.filename else default
    return io_error(exc, where, "write", hint=_("nothing was changed: the store is as it was"))


def read_only_error(store: Path, reason: str, *, doing: str | None = None) -> StoreError:
    """A write refused because this process may not write the store (read-only
    medium or permissions): nothing was written."""
    return StoreError(
        _("the store {store} is read-only ({reason}): cannot {doing}; nothing was changed").format(
            store=store, reason=reason, doing=doing or _("change it")
        ),
        path=str(store),
        hint=_(
            "commands that only read it work; to change it, make it "
            "writable or copy the directory somewhere writable"
        ),
    )


def no_manifest_error(store: Path, example: Path | None, restorable: int) -> StoreError:
    """A store directory holding data files or backups but no manifest: opening it as
    a new store would hide (and the next commit could delete) what is there.
    ``restorable``: how many backups ``restore`` could bring back."""
    if example is not None:
        message = _(
            "the store {store} has data files or backups (e.g. {example}) but "
            "no {manifest_name}, which lists them: it was left as it is"
        )
    else:
        message = _(
            "the store {store} has data files or backups but "
            "no {manifest_name}, which lists them: it was left as it is"
        )
    return StoreError(
        message.format(store=store, example=example, manifest_name=layout.MANIFEST_NAME),
        path=str(store),
        hint=_("run 'socialcrm doctor' to see what is there; {advice}").format(
            advice=no_manifest_advice(store, restorable)
        ),
    )


def no_manifest_advice(store: Path, restorable: int) -> str:
    """What to do about a store without its manifest (also ``doctor``'s fix)."""
    if restorable:
        return _(
            "'socialcrm restore --yes' brings back the newest backup, and keeps every "
            "file here in a pre-restore backup"
        )
    return _(
        "there is no backup in {directory} to restore: run "
        "'socialcrm restore FILE --yes' with a backup from elsewhere, or move this "
        "directory away (its files are kept) and start a new store"
    ).format(directory=store / layout.BACKUP_DIR)


def foreign_directory_error(store: Path, example: Path | None) -> StoreError:
    """A non-empty directory that is not a socialcrm store: never made into one."""
    if example is not None:
        message = _(
            "{store} is not a socialcrm store and is not empty (it holds {name}): "
            "nothing was written"
        )
    else:
        message = _("{store} is not a socialcrm store and is not empty: nothing was written")
    return StoreError(
        message.format(store=store, name=example.name if example is not None else ""),
        path=str(store),
        hint=_("pass an empty or new directory with --db or SOCIALCRM_DB"),
    )
