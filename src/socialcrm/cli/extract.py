"""Babel extraction for the CLI: marked messages plus the commands' docstrings.

Typer shows a command's docstring as its help; :class:`socialcrm.cli.app.SocialGroup`
translates it at run time, so the catalogue needs it as a message.  This
extraction method (``babel.cfg``: ``[socialcrm.cli.extract:extract: …]``) yields
what Babel's Python extractor yields, plus the cleaned docstring (as
:func:`inspect.getdoc` gives it to Typer) of every function registered with
``….command(…)`` or ``….callback(…)``, as a decorator or called on it.
Used by maintainers (``pybabel extract``) and the catalogue test only.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

__all__ = ["command_docstrings", "extract"]

REGISTERING = frozenset({"command", "callback"})


def _registers(call: ast.expr) -> bool:
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in REGISTERING
    )


def command_docstrings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, cleaned docstring) of each Typer command or callback defined in ``tree``."""
    registered: set[str] = set()
    for node in ast.walk(tree):
        # app.command("name", …)(function)
        if isinstance(node, ast.Call) and _registers(node.func) and node.args:
            target = node.args[0]
            if isinstance(target, ast.Name):
                registered.add(target.id)
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        decorated = any(_registers(d) for d in node.decorator_list)
        if not (decorated or node.name in registered):
            continue
        doc = ast.get_docstring(node, clean=False)
        if doc:
            yield node.body[0].lineno, inspect.cleandoc(doc)


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: dict[str, Any],
) -> Iterator[Any]:
    """Babel's Python extraction, then the command docstrings of the same file."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    fileobj.seek(0)
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for line, doc in command_docstrings(ast.parse(source)):
        yield line, "", doc, []
