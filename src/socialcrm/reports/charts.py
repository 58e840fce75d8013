"""The HTML report's charts: matplotlib figures written as inline SVG.

matplotlib (the ``report`` extra) is imported here only, by ``report html``.
Text stays text in the SVG (``svg.fonttype = none``: small, searchable, and
the page's fonts), ids are salted with a constant so a report is
reproducible, and the XML prolog and DOCTYPE are dropped (the SVG is inline).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from socialcrm.errors import SocialCRMError
from socialcrm.i18n import text as _

__all__ = ["Charts", "MissingExtraError"]

INK, ACCENT, MUTED, ALERT = "#1f2933", "#2f6fde", "#9aa5b1", "#d64545"


class MissingExtraError(SocialCRMError):
    """matplotlib is not installed (the ``report`` extra)."""

    def __init__(self) -> None:
        super().__init__(
            "the HTML report needs matplotlib",
            hint=_("install the report extra: pip install 'socialcrm[report]'"),
        )


class Charts:
    """Builds each chart of the report as an SVG string."""

    def __init__(self) -> None:
        try:
            import matplotlib
        except ImportError:
            raise MissingExtraError() from None
        matplotlib.rcParams.update(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": "socialcrm",
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
                "axes.edgecolor": MUTED,
                "text.color": INK,
                "axes.labelcolor": INK,
            }
        )
        from matplotlib.figure import Figure

        self._figure = Figure

    def _new(self, height: float = 2.6) -> tuple[Any, Any]:
        fig = self._figure(figsize=(6.8, height), layout="constrained")
        return fig, fig.add_subplot()

    @staticmethod
    def _svg(fig: Any, title: str) -> str:
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        text = buffer.getvalue()
        text = text[text.index("<svg") :]
        text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
        return text.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)

    def bars(
        self,
        title: str,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        horizontal: bool = False,
        line: float | None = None,
        percent: bool = False,
        colors: Sequence[str] | None = None,
    ) -> str:
        fig, ax = self._new(2.2 + (0.18 * len(labels) if horizontal else 0.4))
        shown = [v * 100 for v in values] if percent else list(values)
        color = list(colors) if colors else ACCENT
        if horizontal:
            ax.barh(list(labels)[::-1], shown[::-1], color=color[::-1] if colors else ACCENT)
        else:
            ax.bar(range(len(labels)), shown, color=color)
            step = max(1, len(labels) // 20)  # at most ~20 labels: the table has them all
            ticks = list(range(0, len(labels), step))
            ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
        if line is not None:
            ax.axhline(line * 100 if percent else line, color=ALERT, linestyle="--", linewidth=1)
        if percent:
            (ax.xaxis if horizontal else ax.yaxis).set_major_formatter("{x:.0f} %")
        ax.set_title(title, loc="left")
        return self._svg(fig, title)

    def lines(self, title: str, series: dict[str, tuple[list[str], list[float]]]) -> str:
        fig, ax = self._new()
        for name, (xs, ys) in series.items():
            ax.plot(xs, ys, marker="o", label=name)
        if series:
            ax.legend(frameon=False)
        ax.tick_params(axis="x", rotation=45)
        ax.set_title(title, loc="left")
        return self._svg(fig, title)

    def histogram(self, title: str, groups: dict[str, Sequence[float]], unit: str) -> str:
        fig, ax = self._new()
        data = [list(v) for v in groups.values() if v]
        if data:
            ax.hist(data, bins=12, label=[k for k, v in groups.items() if v])
            ax.legend(frameon=False)
        ax.set_xlabel(unit)
        ax.set_title(title, loc="left")
        return self._svg(fig, title)


def _attr(text: str) -> str:
    from html import escape

    return escape(text, quote=True)
