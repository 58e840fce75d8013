"""socialcrm's command line: ``socialcrm`` (console script) and :func:`make_app`.

This package is the only one importing Typer and Rich.  Importing it is cheap:
the Typer application is built by :func:`make_app` when the CLI runs, and
each command imports the library pieces it needs when it is invoked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pluggy
    import typer

__all__ = ["main", "make_app"]


def make_app(pm: pluggy.PluginManager | None = None, *, command: str | None = None) -> typer.Typer:
    """The root Typer application with plugin commands (``pm``: default the installed ones).

    ``command`` builds only that command (see :func:`socialcrm.cli.app.make_app`).
    """
    from socialcrm.cli.app import make_app as _make_app

    return _make_app(pm, command=command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``socialcrm`` console script."""
    import gc

    # A CLI run is short and builds many long-lived objects (modules, then
    # thousands of models for a list): at the default threshold (700
    # allocations) the cycle collector walks them over and over (a few % of
    # a list's instructions).  Young cycles are still collected, every 100,000 allocations.
    gc.set_threshold(100_000, 50, 100)
    import signal

    # Over the file-size limit (ulimit -f) the kernel sends SIGXFSZ, whose default
    # action kills the process without a word; ignored (as Python does at start-up,
    # said here for an embedding that did not), the write fails with EFBIG, which
    # the CLI reports as one line (docs/cli.md, "Exit codes").
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    import sys

    from socialcrm.cli.language import setup

    # before the CLI modules are imported: their help texts are translated then
    setup(sys.argv[1:] if argv is None else argv)
    from socialcrm.cli.app import run

    run(argv)
