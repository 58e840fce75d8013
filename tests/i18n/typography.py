"""French typography of the catalogue: a non-breaking space before ``: ; ? !`` and ``%``.

French puts a (narrow) non-breaking space, U+00A0 or U+202F, before the high
punctuation marks and the percent sign.  Code is left alone: ``{placeholders}``
(``{name!r}``, ``{timeout:g}``), quoted literals ('socialcrm networks', '5%'),
command lines (from ``socialcrm `` to the end of the line), URLs and
``key=value`` tokens (``linkedin=3%``).  A mark is punctuation when what follows
it is not a letter, digit or ``/`` (``x:123``, ``sqlite:///``, ``09:00`` are not).
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NNBSP = "\u202f"
SPACES = (NBSP, NNBSP)

_QUOTED = re.compile(r"(?<![\w])'[^'\n]*'(?!\w)|\"[^\"\n]*\"|«[^»]*»|\{[^{}]*\}")
_CODE_TOKEN = re.compile(r"\S*(?:=|://|--)\S*")
_PUNCT = re.compile(r"(?P<before>.?)(?P<mark>[:;?!])(?=$|[^\w/])|(?P<pbefore>.)(?P<pct>%)")


def _blank(found: re.Match[str]) -> str:
    return "\x00" * len(found.group())


def masked(text: str) -> str:
    """``text`` with code replaced by NULs (same length, so positions still match)."""
    lines = []
    for line in _QUOTED.sub(_blank, text).split("\n"):
        cut = line.find("socialcrm ")
        if cut >= 0:
            line = line[:cut] + "\x00" * (len(line) - cut)
        lines.append(_CODE_TOKEN.sub(_blank, line))
    return "\n".join(lines)


def problems(text: str) -> list[str]:
    """Each mark of ``text`` missing its non-breaking space, shown in its context."""
    found = []
    code = masked(text)
    for match in _PUNCT.finditer(code):
        mark = match.group("mark") or match.group("pct")
        start = match.start("mark") if match.group("mark") else match.start("pct")
        before = text[start - 1] if start else ""
        if mark == "%" and not (before.isdigit() or before.isspace() or before == "}"):
            continue
        if start == 0 or before in SPACES or before == "\x00":
            continue
        found.append(f"{text[max(0, start - 20) : start + 1]!r}")
    return found


def fixed(text: str) -> str:
    """``text`` with each missing or ordinary space before a mark made non-breaking."""
    code = masked(text)
    out = list(text)
    for match in reversed(list(_PUNCT.finditer(code))):
        mark = match.group("mark") or match.group("pct")
        start = match.start("mark") if match.group("mark") else match.start("pct")
        before = text[start - 1] if start else ""
        if start == 0 or before in SPACES:
            continue
        if mark == "%" and not (before.isdigit() or before.isspace() or before == "}"):
            continue
        space = NBSP if mark == ":" else NNBSP
        if before == " ":
            out[start - 1] = space
        else:
            out.insert(start, space)
    return "".join(out)
