"""French typography of the catalogue: a non-breaking space before ``: ; ? !`` and ``%``.

French puts a (narrow) non-breaking space, U+00A0 or U+202F, before the high
punctuation marks and the percent sign.  Code is left alone: ``{placeholders}``
(``{name!r}``, ``{timeout:g}``), quoted literals ('socialcrm networks', '5%'),
JSON members (``"format": "socialcrm"``), command lines, URLs and ``key=value``
tokens (``linkedin=3%``).  A command line is ``socialcrm`` followed by one of
its commands or options (``socialcrm doctor``, ``socialcrm --db …``; not the
name in a sentence, "socialcrm est à jour"), up to its closing quote or
guillemet when quoted (masked as a quoted literal), else up to the end of the
line but no further than where the prose resumes: a mark after a space
(``socialcrm doctor : il dit…``), a gap of two spaces or more (a help text's
column of descriptions), or a bracket it did not open (``(… socialcrm
today)``).  A mark is punctuation when what follows it is not a letter, digit
or ``/`` (``x:123``, ``sqlite:///``, ``09:00`` are not).
"""

from __future__ import annotations

import re

from socialcrm.cli.app import COMMANDS

NBSP = "\u00a0"
NNBSP = "\u202f"
SPACES = (NBSP, NNBSP)

_QUOTED = re.compile(
    r"\"[^\"\n]*\": ?\"[^\"\n]*\""  # a JSON member ("format": "socialcrm")
    r"|(?<![\w])'[^'\n]*'(?!\w)|\"[^\"\n]*\"|«[^»]*»|\{[^{}]*\}"
)
_CODE_TOKEN = re.compile(r"\S*(?:=|://|--)\S*")
_COMMAND = re.compile(r"(?<![\w-])socialcrm (?=(?P<word>-|[a-z][a-z-]*)(?![\w'’]))")
_PROSE_RESUMES = re.compile(r"\s+[:;!?](?=\s|$)|[:;!?](?=\s|$)|\s{2,}|\s*[)\]]")
_PUNCT = re.compile(r"(?P<before>.?)(?P<mark>[:;?!])(?=$|[^\w/])|(?P<pbefore>.)(?P<pct>%)")


def _blank(found: re.Match[str]) -> str:
    return "\x00" * len(found.group())


def masked(text: str) -> str:
    """``text`` with code replaced by NULs (same length, so positions still match)."""
    lines = []
    for line in _QUOTED.sub(_blank, text).split("\n"):
        lines.append(_CODE_TOKEN.sub(_blank, _mask_commands(line)))
    return "\n".join(lines)


def _mask_commands(line: str) -> str:
    """``line`` with each command line (``socialcrm <command> …``) blanked, and only it."""
    out = line
    for found in _COMMAND.finditer(line):
        word = found.group("word")
        if word != "-" and word not in COMMANDS:
            continue  # "socialcrm est à jour": the name in a sentence
        end = _command_end(line, found.start())
        out = out[: found.start()] + "\x00" * (end - found.start()) + out[end:]
    return out


def _command_end(line: str, start: int) -> int:
    """Where the command starting at ``start`` ends: the end of the line, or where
    the prose resumes (a bracket the command did not open ends it too)."""
    depth = 0
    at = start
    while at < len(line):
        char = line[at]
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
            at += 1
            continue
        if depth == 0:
            resumes = _PROSE_RESUMES.match(line, at)
            if resumes is not None:
                return at
        at += 1
    return len(line)


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
