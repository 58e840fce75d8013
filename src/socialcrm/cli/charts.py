"""Terminal charts for the reports: bars and sparklines with rich, plain text otherwise.

On a terminal (and without ``NO_COLOR``) a bar is drawn with block characters
in colour; in a pipe, a file or with ``NO_COLOR`` the same line is plain
``#`` characters, so the output stays readable and greppable.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from socialcrm.cli import render
from socialcrm.i18n import gettext as _
from socialcrm.text import escape

if TYPE_CHECKING:
    from socialcrm.cli.render import Output

__all__ = ["bars", "sparkline"]

WIDTH = 40
SPARKS = "▁▂▃▄▅▆▇█"


def bars(
    state: "Output", title: str, items: Sequence[tuple[str, float]], *, unit: str = ""
) -> None:
    """One labelled bar per item, scaled to the largest value."""
    if not items:
        return
    top = max((v for _, v in items), default=0) or 1
    width = max(len(label) for label, _ in items)
    rich = state.is_terminal
    lines = []
    for label, value in items:
        size = round(WIDTH * value / top)
        bar = ("█" if rich else "#") * size
        lines.append((label.ljust(width), bar, f"{value:g}{unit}"))
    if not rich:
        render.echo(title)
        for label, bar, shown in lines:
            render.echo(f"  {label}  {bar} {shown}".rstrip())
        return
    from rich.text import Text

    render.emit_rich(state, Text(escape(title), style="bold"))
    for label, bar, shown in lines:
        render.emit_rich(state, Text.assemble("  ", escape(label), "  ", (bar, "cyan"), " ", shown))


def sparkline(state: "Output", title: str, values: Sequence[float]) -> None:
    """A one-line trend (weekly activity): block heights on a terminal, numbers otherwise."""
    if not values:
        return
    heading = _("{title}:").format(title=title)  # French puts a space before the colon
    if not state.is_terminal:
        render.echo(heading + " " + " ".join(f"{v:g}" for v in values))
        return
    top = max(values) or 1
    line = "".join(SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1)))] for v in values)
    from rich.text import Text

    render.emit_rich(state, Text.assemble((escape(heading), "bold"), " ", (line, "cyan")))
