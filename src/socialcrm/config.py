"""The rep's configuration file: defaults that would otherwise be options or variables.

One TOML file of top-level keys (:data:`KEYS`), at
``platformdirs.user_config_path("socialcrm")/config.toml`` or wherever
``$SOCIALCRM_CONFIG`` points.  A setting comes from, first to last (the first
that gives it wins):

1. the command-line option (``--db``, ``--pipeline``, ``--format``…);
2. the environment variable (``SOCIALCRM_DB``…, named per key in :data:`KEYS`);
3. this file;
4. the built-in default.

The file is read with :mod:`tomllib` (its syntax errors carry the line) and
written with ``tomlkit``, which keeps the rep's comments and key order, through
the crash-safe write of :mod:`socialcrm.atomic_files` (mode 0600: the rep's name
and store location are personal data).  A file that is not valid TOML, or a
value of the wrong type, is a :class:`ConfigError` naming the file, the key and
the line.  The file is read once per process (:func:`load`) unless a path is given.

A feature, not the core: the core takes its settings as arguments; the CLI
(and a host, if it likes) asks this module for them, e.g. ``value("actor")``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from socialcrm.errors import ValidationError
from socialcrm.i18n import text as _

__all__ = [
    "CONFIG_ENV",
    "KEYS",
    "ConfigError",
    "Key",
    "Setting",
    "config_path",
    "load",
    "parse_value",
    "resolve",
    "set_value",
    "settings",
    "unset_value",
    "value",
]

CONFIG_ENV = "SOCIALCRM_CONFIG"
FILE_NAME = "config.toml"
MAX_FILE_BYTES = 64 * 1024
"""A configuration file is a few lines; anything bigger is not one (limits: bounded input)."""
MAX_VALUE_CHARS = 2000

FORMATS = ("table", "json", "csv")


class ConfigError(ValidationError):
    """The configuration file, or a value given for it, cannot be used."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        where = "" if path is None else f"{path}" + ("" if line is None else f", line {line}")
        full = f"{where}: {message}" if where else message
        if hint is None and path is not None:
            hint = "correct it in an editor" + (
                "" if key is None else f", or remove it: socialcrm config unset {key}"
            )
        super().__init__(full, field=key, hint=hint)
        self.path = path
        self.key = key
        self.line = line


def _text(raw: object) -> str:
    if not isinstance(raw, str):
        raise TypeError("a string")
    from socialcrm.text import check

    value = raw.strip()
    if not value:
        raise ValueError(_("not empty"))
    if len(value) > MAX_VALUE_CHARS:
        raise ValueError(_("at most {limit} characters").format(limit=MAX_VALUE_CHARS))
    check(value, field="value")
    return value


def _format(raw: object) -> str:
    value = _text(raw).lower()
    if value not in FORMATS:
        raise ValueError(_("one of {names}").format(names=", ".join(FORMATS)))
    return value


_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}([_-][a-zA-Z0-9]{2,8})*$")


def _language(raw: object) -> str:
    value = _text(raw)
    if not _LANGUAGE.match(value):
        raise ValueError(_("a language code such as fr, en or fr_FR"))
    return value


def _timezone(raw: object) -> str:
    value = _text(raw)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("a time zone name such as Europe/Paris or UTC")) from None
    return value


def _names(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):  # typed on the command line or in the variable: a,b
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list):
        raise TypeError("a list of plugin names")
    return tuple(_text(item) for item in raw)


class Key(NamedTuple):
    """One setting: its name in the file, its variable, how it is checked, what it is for.

    (Named tuples, not attrs classes: this module is imported on every CLI run.)
    """

    name: str
    env: str | None
    parse: Callable[[object], Any]
    help: str
    default: Any = None


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("store", "SOCIALCRM_DB", _text, "default store: a directory or a database URL"),
        Key("pipeline", "SOCIALCRM_PIPELINE", _text, "pipeline to work on"),
        Key("format", "SOCIALCRM_FORMAT", _format, "output format: table, json or csv", "table"),
        Key("language", "SOCIALCRM_LANG", _language, "interface language, e.g. fr or en"),
        Key("actor", "SOCIALCRM_USER", _text, "your name, recorded on what you change"),
        Key("timezone", "SOCIALCRM_TIMEZONE", _timezone, "your time zone, e.g. Europe/Paris"),
        Key(
            "disable_plugins",
            "SOCIALCRM_DISABLE_PLUGINS",
            _names,
            "plugins not to load (names, comma-separated on the command line)",
            (),
        ),
    )
}
"""Every key the file may hold, in the order ``config list`` shows them."""


class Setting(NamedTuple):
    """A key's value in force and its source: ``option``, ``env``, ``file`` or ``default``."""

    key: str
    value: Any
    source: str


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the file is: ``$SOCIALCRM_CONFIG``, else the platform's config directory."""
    configured = (os.environ if environ is None else environ).get(CONFIG_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    if sys.platform.startswith("linux"):  # platformdirs' rule, without importing it on every run
        xdg = (os.environ if environ is None else environ).get("XDG_CONFIG_HOME", "").strip()
        return Path(xdg or "~/.config").expanduser() / "socialcrm" / FILE_NAME
    from platformdirs import user_config_path

    return user_config_path("socialcrm", appauthor=False) / FILE_NAME


def _key(name: str) -> Key:
    key = KEYS.get(name.strip().lower().replace("-", "_"))
    if key is None:
        raise ConfigError(
            _("unknown configuration key {name!r}").format(name=name),
            key=name,
            hint=_("the keys are: ") + ", ".join(KEYS),
        )
    return key


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def parse_value(name: str, raw: object) -> Any:
    """``raw`` checked and normalised for key ``name`` (a :class:`ConfigError` says why not)."""
    key = _key(name)
    try:
        return key.parse(raw)
    except (TypeError, ValueError, ValidationError) as exc:
        reason = exc.message if isinstance(exc, ValidationError) else str(exc)
        raise ConfigError(
            _("{name} must be {reason}").format(name=key.name, reason=reason), key=key.name
        ) from None


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return {}
    except PermissionError:
        if not os.access(path.parent, os.X_OK):  # a directory this user cannot enter: none
            return {}
        raise ConfigError(_("cannot be read: permission denied"), path=path) from None
    except IsADirectoryError:
        raise ConfigError(_("is a directory, not a configuration file"), path=path) from None
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            _("is over {size} KiB: not a configuration file").format(size=MAX_FILE_BYTES // 1024),
            path=path,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(_("is not UTF-8 text"), path=path) from None
    import tomllib

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise ConfigError(
            _("not valid TOML: {exc}").format(exc=exc), path=path, line=line
        ) from None
    values: dict[str, Any] = {}
    for name, item in raw.items():
        line = _line_of(text, name)
        if name not in KEYS:
            raise ConfigError(
                _("unknown key {name!r}").format(name=name),
                path=path,
                key=name,
                line=line,
                hint=_("the keys are: ") + ", ".join(KEYS),
            )
        try:
            values[name] = parse_value(name, item)
        except ConfigError as exc:
            raise ConfigError(exc.message, path=path, key=name, line=line) from None
    return values


def _line_from_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found[1]) if found else None


_loaded: dict[Path, tuple[tuple[int, int] | None, dict[str, Any]]] = {}


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def load(path: Path | None = None) -> dict[str, Any]:
    """The file's values, checked (parsed again only when the file changed)."""
    target = config_path() if path is None else path
    stamp = _stamp(target)
    cached = _loaded.get(target)
    if cached is None or cached[0] != stamp or stamp is None:
        cached = (stamp, _read(target))
        _loaded[target] = cached
    return dict(cached[1])


def resolve(
    name: str,
    option: Any = None,
    *,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
) -> Setting:
    """Key ``name`` in force: ``option`` (if not None) > its variable > the file > the default."""
    key = _key(name)
    if option is not None:
        return Setting(key.name, option, "option")
    env = os.environ if environ is None else environ
    if key.env is not None and env.get(key.env, "").strip():
        return Setting(key.name, parse_value(key.name, env[key.env]), "env")
    file_values = load(path)
    if key.name in file_values:
        return Setting(key.name, file_values[key.name], "file")
    return Setting(key.name, key.default, "default")


def value(name: str, option: Any = None) -> Any:
    """The value in force for ``name`` (see :func:`resolve`); e.g. ``value("actor")``."""
    return resolve(name, option).value


def settings(
    *, environ: Mapping[str, str] | None = None, path: Path | None = None
) -> list[Setting]:
    """Every key with its value in force and its source, in :data:`KEYS` order."""
    return [resolve(name, environ=environ, path=path) for name in KEYS]


def _write(path: Path, change: Callable[[Any], bool]) -> bool:
    """Apply ``change`` to the file's document (comments kept); write it if it changed."""
    import tomlkit

    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    import tomllib

    try:  # a file that is not TOML is not rewritten (a value of the wrong type may be)
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        _read(path)  # raises the error naming the line
    document = tomlkit.parse(text)
    if not change(document):
        return False
    from socialcrm.atomic_files import ensure_dir, write_atomic

    ensure_dir(path.parent)
    write_atomic(path, tomlkit.dumps(document).encode("utf-8"))
    _loaded.pop(path, None)
    return True


def set_value(name: str, raw: object, *, path: Path | None = None) -> Setting:
    """Check ``raw`` for key ``name`` and write it to the file (created 0600 if missing)."""
    key = _key(name)
    parsed = parse_value(key.name, raw)
    stored = list(parsed) if isinstance(parsed, tuple) else parsed

    def put(document: Any) -> bool:
        document[key.name] = stored
        return True

    _write(config_path() if path is None else path, put)
    return Setting(key.name, parsed, "file")


def unset_value(name: str, *, path: Path | None = None) -> bool:
    """Remove key ``name`` from the file; False if it was not there."""
    key = _key(name)

    def drop(document: Any) -> bool:
        if key.name not in document:
            return False
        del document[key.name]
        return True

    return _write(config_path() if path is None else path, drop)
