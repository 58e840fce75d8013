"""Which string literals of the CLI reach the user, and whether they are marked ``_()``.

A literal "reaches the user" when it is passed straight to a place that shows it:
a help text (``help=``, ``epilog=``, ``rich_help_panel=``…), a printing function
(``echo``, ``ok``, ``status``, ``warn``, ``fail``…), a typed error's message, a
table's header list (``emit_table``) or a record's title (``emit_fields``).  A
literal with no letter outside its placeholders (``"  {pid}  {name}"``) carries
nothing to translate.  CSV and JSON writers are never sinks: their keys stay
language-neutral.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

SINK_KEYWORDS = frozenset(
    {"help", "epilog", "rich_help_panel", "short_help", "title", "hint", "message", "prompt"}
)
"""Keywords whose value is shown (Typer's help texts, our titles and hints)."""
SINK_CALLS = frozenset(
    {
        "echo",
        "secho",
        "echo_err",
        "_echo_err",
        "ok",
        "status",
        "info",
        "warn",
        "fail",
        "failed",
        "emit_one",
        "report_ok",
        "BadParameter",
        "UsageError",
        "confirm",
        "prompt",
        "bars",
        "print",
        "sparkline",
    }
)
"""Functions whose every string argument is shown."""
NOT_ERRORS = frozenset({"OSError", "TypeError", "ValueError", "KeyError", "AssertionError"})
TRANSLATORS = frozenset({"_", "N_", "t_", "ngettext", "gettext"})


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def has_words(node: ast.expr) -> bool:
    """True if the literal has a letter outside its ``{…}`` placeholders."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value))
            for v in node.values
        )
    return False


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _shown_arguments(call: ast.Call) -> Iterator[ast.expr]:
    name = _callee(call)
    if name in TRANSLATORS:
        return
    for keyword in call.keywords:
        if keyword.arg in SINK_KEYWORDS:
            yield keyword.value
    if name in SINK_CALLS:
        yield from call.args
    elif name.endswith(("Error", "Exception")) and name not in NOT_ERRORS:
        yield from call.args[:1]
    elif name == "emit_table" and len(call.args) >= 2:
        headers = call.args[1]
        if isinstance(headers, ast.List | ast.Tuple):
            yield from headers.elts
    elif name == "emit_fields" and len(call.args) >= 2:
        yield call.args[1]
    elif name == "add_column" and call.args:
        yield call.args[0]


def _pieces(node: ast.expr) -> Iterator[ast.expr]:
    """The texts an argument is made of (``a or b``, ``a if c else b``, ``a + b``)."""
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            yield from _pieces(value)
    elif isinstance(node, ast.IfExp):
        yield from _pieces(node.body)
        yield from _pieces(node.orelse)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _pieces(node.left)
        yield from _pieces(node.right)
    else:
        yield node


def unmarked(tree: ast.AST) -> list[ast.expr]:
    """The literals of ``tree`` shown to the user but not wrapped in a translation call."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for arg in _shown_arguments(node):
                found.extend(c for c in _pieces(arg) if _is_text(c) and has_words(c))
    return found


LIBRARY_KEYWORDS = frozenset({"hint", "message", "fix", "detail"})
"""Keywords of a typed error (or a problem) whose value is shown as it is."""
NOT_SHOWN_ERRORS = NOT_ERRORS | frozenset(
    {"RuntimeError", "NotImplementedError", "AttributeError", "IndexError", "LookupError"}
)
"""Errors of the library's own bugs: never a message the rep can act on."""


def unmarked_errors(tree: ast.AST, not_shown: frozenset[str] = NOT_SHOWN_ERRORS) -> list[ast.expr]:
    """The literals of a library module given to a typed error (its message, ``hint=``,
    ``detail=``…), a row problem or a skipped row but not wrapped in ``_()``
    (``socialcrm.i18n.text``) or ``N_()``.

    ``not_shown`` names the errors whose message never reaches the rep (a network
    plugin's adapter passes ``ValueError``: its message is why a URL is refused).
    """
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name in TRANSLATORS:
            continue
        shown = [k.value for k in node.keywords if k.arg in LIBRARY_KEYWORDS]
        if name.endswith(("Error", "Exception")) and name not in not_shown:
            shown += node.args[:1]
        if name == "Problem":  # rule, message, fix
            shown += node.args[1:3]
        elif name in ("RowProblem", "SkippedRow"):  # row, message (, field)
            shown += node.args[1:2] + [k.value for k in node.keywords if k.arg == "reason"]
        elif name == "Finding":  # doctor's: level, code, message, path, fix
            shown += node.args[2:3] + node.args[4:5]
        elif name == "_bad":  # the SQL doctor's bad rows: code, message
            shown += node.args[1:2]
        for arg in shown:
            found.extend(c for c in _pieces(arg) if _is_text(c) and has_words(c))
    return found


def _skip_reasons(node: ast.Call) -> list[ast.expr]:
    """The skip reasons a call passes: ``SkippedRow(row, reason)`` (an importer's), or
    ``outcome(row, "skipped", reason)`` (the import engine's ``Batch.outcome``)."""
    name = _callee(node)
    if name == "SkippedRow":
        return node.args[1:2] + [k.value for k in node.keywords if k.arg == "reason"]
    if name == "outcome":
        action = node.args[1:2]
        if action and isinstance(action[0], ast.Constant) and action[0].value == "skipped":
            return node.args[2:3] + [k.value for k in node.keywords if k.arg == "reason"]
    return []


def _grouped(piece: ast.expr, grouped: tuple[str, ...]) -> bool:
    """Whether ``piece`` is ``_("<a grouped kind>…").format(…)``: a reason naming a
    prospect or a row, grouped by its English beginning (``report.GROUPED_KINDS``)."""
    if not (
        isinstance(piece, ast.Call)
        and isinstance(piece.func, ast.Attribute)
        and piece.func.attr == "format"
        and isinstance(piece.func.value, ast.Call)
        and _callee(piece.func.value) == "_"
        and piece.func.value.args
    ):
        return False
    message = piece.func.value.args[0]
    return (
        isinstance(message, ast.Constant)
        and isinstance(message.value, str)
        and message.value.startswith(grouped)
    )


def unstable_skip_reasons(tree: ast.AST, grouped: tuple[str, ...] = ()) -> list[ast.expr]:
    """The skip reasons of ``SkippedRow(row, reason)`` or ``outcome(row, "skipped",
    reason)`` that are not a constant English message.

    A skip reason is the kind the import report groups rows by (English data, the
    same in JSON whatever the locale): it is a whole message marked ``N_()`` (or a
    name bound to one), translated where the report is shown — never a bare
    literal, never built ``_()`` in the rep's language, nor formatted with a value
    (each value would be a kind of its own, with no translation).  The one
    exception is a message beginning with one of the ``grouped`` kinds (the
    engine's ``GROUPED_KINDS``), which the report groups by that beginning.
    """
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for reason in _skip_reasons(node):
            for piece in _pieces(reason):
                if _grouped(piece, grouped):
                    continue
                if (
                    isinstance(piece, ast.JoinedStr)
                    or (isinstance(piece, ast.Constant) and has_words(piece))
                    or (isinstance(piece, ast.Call) and _callee(piece) != "N_")
                ):
                    found.append(piece)
    return found


def glued_literals(tree: ast.AST) -> list[ast.expr]:
    """English literals passed as a placeholder's value to a translated message
    (``_("{where} {path} …").format(where="the store")``, ``value=x or "nothing"``):
    the sentence is translated but the word glued into it is not.  Give each case
    its own whole message instead."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Call)
            and _callee(node.func.value) in TRANSLATORS | {"t_", "text", "ntext"}
        ):
            continue
        for value in [*node.args, *(k.value for k in node.keywords)]:
            found.extend(p for p in _pieces(value) if _is_text(p) and has_words(p))
    return found
