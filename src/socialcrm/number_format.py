"""Numbers and percentages written for a language: the CLI's tables and the HTML report.

``locale`` is a Babel locale (``"fr"``), or ``None`` for the English form the
CLI has always written (``2.5``, ``12.5 %``), which needs no Babel: an English
run does not import it (it costs start-up time).  French: ``2,5``, ``1 200``
(a narrow no-break space between thousands), ``12,5 %`` (a no-break space
before ``%``, as CLDR writes French).
"""

from __future__ import annotations

__all__ = ["number", "percent"]


def number(value: float, locale: str | None) -> str:
    """``value`` as short as it can be: ``2.5``, ``12``; ``2,5`` in French.  A whole
    number is written whole (``1200``, ``1 200``), a fraction with at most 6 digits."""
    if locale is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    from babel.numbers import format_decimal

    shortest = float(f"{value:g}") if isinstance(value, float) else value
    return str(format_decimal(shortest, locale=locale))


def percent(ratio: float, locale: str | None, digits: int = 1) -> str:
    """``0.125`` as ``12.5 %``; ``12,5 %`` in French."""
    if locale is None:
        return f"{ratio * 100:.{digits}f} %"
    from babel.numbers import format_percent

    # a plain space in a Babel pattern stays a plain space: the no-break one is written
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0%"
    return str(format_percent(ratio, pattern, locale=locale))
