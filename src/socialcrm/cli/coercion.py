"""Cheap value coercion for plain parameters, so a command never imports pydantic.

Typer 0.29 coerces every non-flag parameter through a pydantic ``TypeAdapter``,
building one per parameter when the command runs: importing pydantic and
building the adapters costs ~100 ms on each invocation, half the start-up
budget of ``socialcrm show``.  Our parameters are plain ``bool``, ``str``,
``int``, ``float``, ``list[str]`` and ``Path``, which need no schema: :func:`install`
gives those parameters a small runtime converter with the same behaviour (including
``min``/``max``; a path goes through Typer's own checks, ``exists``, ``dir_okay``…,
once it is a ``Path``), and leaves every other parameter (enums, custom parsers,
plugin options of other types) to Typer.  A ``Path`` option alone (``today --ics``)
made ``today`` import pydantic even when the option was not given.

This leans on Typer internals (``_runtime_param``); if they change, install
does nothing and Typer's own (slower) coercion applies — a test watches that
pydantic stays out of a normal run.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from socialcrm.i18n import gettext as _

__all__ = ["install"]

try:  # Typer internals: absent or different in other Typer versions
    from typer._click.core import Context as _Context
    from typer._click.exceptions import BadParameter as _BadParameter
    from typer._coercion import RuntimeParam as _RuntimeParam
    from typer._param_types import coerce_cli_path as _coerce_cli_path
except ImportError:  # pragma: no cover - depends on the installed Typer
    _RuntimeParam = None  # type: ignore[assignment,misc]


def _number(kind: type[int] | type[float], value: Any, info: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(
            _("{value!r} is not a valid {kind}").format(value=value, kind=kind.__name__)
        )
    try:
        number = kind(value)
    except ValueError:
        noun = _("integer") if kind is int else _("number")
        raise ValueError(
            _("{value!r} is not a valid {kind}").format(value=value, kind=noun)
        ) from None
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if low is not None and number < low:
        raise ValueError(
            _("{number} is smaller than the minimum {low}").format(number=number, low=low)
        )
    if high is not None and number > high:
        raise ValueError(
            _("{number} is larger than the maximum {high}").format(number=number, high=high)
        )
    return number


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("{value!r} is not a valid boolean").format(value=value))


def _convert(annotation: Any, value: Any, info: Any) -> Any:
    if annotation is bool:
        return _flag(value)
    if annotation is str:
        return str(value)
    if annotation is int or annotation is float:
        return _number(annotation, value, info)
    # list[str]
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item) for item in items]


def _kind(annotation: Any) -> str | None:
    if annotation in (str, int, float, bool):
        return str(annotation.__name__)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "path"
    if repr(annotation) == "list[str]":
        return "list[str]"
    return None


def install(command: Any) -> None:
    """Give ``command``'s plain parameters (and its subcommands') the cheap converter."""
    if _RuntimeParam is None:  # pragma: no cover
        return
    for sub in getattr(command, "commands", {}).values():
        install(sub)
    params = list(getattr(command, "params", ()))
    with contextlib.suppress(Exception):  # --help is made (and cached) on demand
        params += [p for p in command.get_params(_Context(command)) if p not in params]
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", "missing") is not None:
            continue
        info = descriptor.parameter_info
        if getattr(info, "parser", None) is not None or getattr(info, "clamp", False):
            continue
        if getattr(descriptor, "file_annotation", None) is not None:
            continue
        if getattr(info, "path_type", None) is not None:  # a path given as str/bytes
            continue
        if _kind(descriptor.annotation) is None:
            continue
        param._runtime_param = _Light(parameter_info=info, annotation=descriptor.annotation)


if _RuntimeParam is not None:
    # A plain subclass: it adds no field, so the frozen dataclass's generated
    # __init__/__eq__/__hash__ are inherited (re-decorating would generate and
    # compile them again on every CLI start).
    class _Light(_RuntimeParam):
        """Converts ``bool``/``str``/``int``/``float``/``list[str]`` without pydantic."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if _kind(self.annotation) == "path":  # already a Path: Typer's checks, no pydantic
                path = value if isinstance(value, self.annotation) else self.annotation(value)
                return _coerce_cli_path(
                    path, self.parameter_info, path_type=self.annotation, param=param, ctx=ctx
                )
            try:
                return _convert(self.annotation, value, self.parameter_info)
            except ValueError as exc:
                raise _BadParameter(str(exc), ctx=ctx, param=param) from None
