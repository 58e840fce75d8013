"""How a network appears in other tools' files: export columns, vCard types, header names.

The core names no network.  Each adapter declares what flat exports, vCards
and spreadsheets need to know about its network, as optional attributes with
defaults derived from its ``id`` and ``name`` (see ``docs/plugins.md``):

* ``export_order`` (``int``, default :data:`DEFAULT_ORDER`): where the
  network's column stands among the networks' columns of every flat export;
* ``export_columns`` (``Mapping[str, ExportColumn | None]``): the column in
  each export format, by format name; a format the mapping does not name
  uses that format's default (e.g. ``"{name} URL"``), ``None`` gives none;
* ``vcard_type`` / ``vcard_service`` (``str | None``): the service named by
  vCard 3.0 ``X-SOCIALPROFILE;TYPE=`` (default: the id) and vCard 4.0
  ``SOCIALPROFILE;SERVICE-TYPE=`` (default: the name);
* ``aliases`` (``tuple[str, ...]``): other names of the network, recognised
  as spreadsheet column names and vCard service types.

Two adapters claiming one column header or one name never both get it: the
first in column order keeps it (an adapter's own id is always its own), and
:func:`export_columns` / :func:`name_index` report the other as a
:class:`Clash` for the adapter contract suite to flag.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from attrs import frozen

if TYPE_CHECKING:
    from socialcrm.models import Prospect


class NetworkAdapter(Protocol):
    """What this module reads of a network adapter: its id and name (the
    declarations themselves are optional attributes, read with ``getattr``).

    A structural subset of :class:`socialcrm.networks.NetworkAdapter`, declared
    here so that ``networks`` may import this module and not the reverse.
    """

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


AdapterT = TypeVar("AdapterT", bound=NetworkAdapter)

__all__ = [
    "DEFAULT_ORDER",
    "Clash",
    "Column",
    "ExportColumn",
    "check_declarations",
    "export_columns",
    "export_order",
    "header_names",
    "name_index",
    "name_key",
    "network_names",
    "vcard_service",
    "vcard_type",
]

DEFAULT_ORDER = 100
"""``export_order`` of an adapter that declares none: after the five built-in networks (10–50)."""

MAX_NAME = 100
"""The longest column header, vCard type or alias an adapter may declare (characters)."""

_VALUES = ("url", "handle")
# Characters a vCard parameter value or a spreadsheet header must not hold; a header
# must not start with what a spreadsheet reads as a formula either.
_FORBIDDEN = frozenset(';:,"')
_FORMULA = ("=", "+", "-", "@")


@frozen
class ExportColumn:
    """A network's column in one export format.

    ``header`` is the column name; in a format's default, ``{id}`` and
    ``{name}`` stand for the adapter's id and name.  ``value`` is what the
    cell holds: the identity's ``"url"`` or its ``"handle"``.  ``standard``
    says the target tool has the field built in (one of HubSpot's default
    contact properties, one of Twenty's standard People fields): such columns
    come first, where its import wizard maps them without help.
    """

    header: str
    value: Literal["url", "handle"] = "url"
    standard: bool = False


@frozen
class Column:
    """A network's column as an export writes it: header resolved, owner known."""

    network: str
    header: str
    value: Literal["url", "handle"] = "url"
    standard: bool = False

    def cell(self, prospect: Prospect) -> str:
        """The prospect's URL or handle on the column's network ('' when none)."""
        identity = prospect.identity(self.network)
        if identity is None:
            return ""
        return identity.url if self.value == "url" else identity.handle


@frozen
class Clash:
    """Two adapters claim one column header or one name: ``kept`` has it, ``dropped`` not."""

    what: str
    name: str
    kept: str
    dropped: str

    def __str__(self) -> str:
        return f"{self.what} {self.name!r}: kept by {self.kept!r}, not given to {self.dropped!r}"


def name_key(text: str) -> str:
    """A name compared loosely: case-folded, spaces, ``_`` and ``-`` collapsed."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def export_order(adapter: NetworkAdapter) -> int:
    """The adapter's ``export_order``, or :data:`DEFAULT_ORDER`."""
    order: int = getattr(adapter, "export_order", DEFAULT_ORDER)
    return order


def vcard_type(adapter: NetworkAdapter) -> str:
    """The vCard 3.0 ``X-SOCIALPROFILE`` TYPE of the network (default: its id)."""
    return getattr(adapter, "vcard_type", None) or adapter.id


def vcard_service(adapter: NetworkAdapter) -> str:
    """The vCard 4.0 ``SOCIALPROFILE`` SERVICE-TYPE of the network (default: its name)."""
    return getattr(adapter, "vcard_service", None) or adapter.name


def network_names(adapter: NetworkAdapter) -> tuple[str, ...]:
    """Every name the network goes by: id, name, vCard type and service, aliases."""
    aliases: Iterable[str] = getattr(adapter, "aliases", ())
    names = (adapter.id, adapter.name, vcard_type(adapter), vcard_service(adapter), *aliases)
    return tuple(dict.fromkeys(names))


def header_names(adapter: NetworkAdapter) -> tuple[str, ...]:
    """Spreadsheet column names meaning "this network's profile": each name, ``<name> URL``,
    ``<name> profile`` (the exports' own headers are added by the CSV importer)."""
    aliases: Iterable[str] = getattr(adapter, "aliases", ())
    names = dict.fromkeys((adapter.id, adapter.name, *aliases))
    return tuple(f"{n}{suffix}" for n in names for suffix in ("", " url", " profile"))


def _sort_key(adapter: NetworkAdapter) -> tuple[int, str]:
    return export_order(adapter), adapter.id


def _in_order(adapters: Iterable[AdapterT]) -> list[AdapterT]:
    return sorted(adapters, key=_sort_key)


def _declared_column(
    adapter: NetworkAdapter, format_name: str, default: ExportColumn | None
) -> ExportColumn | None:
    declared: Mapping[str, ExportColumn | None] = getattr(adapter, "export_columns", {})
    if format_name in declared:
        return declared[format_name]
    if default is None:
        return None
    header = default.header.replace("{id}", adapter.id).replace("{name}", adapter.name)
    return ExportColumn(header, default.value, default.standard)


def export_columns(
    adapters: Iterable[NetworkAdapter],
    format_name: str,
    default: ExportColumn | None,
    *,
    fixed: Collection[str] = (),
    clashes: list[Clash] | None = None,
) -> tuple[Column, ...]:
    """The networks' columns of export ``format_name``, in order.

    Order: the target's standard fields first, then by ``export_order``, then
    by id.  ``default`` is the format's column for an adapter that declares
    none.  A header equal (loosely, :func:`name_key`) to one of the format's
    ``fixed`` columns or to an earlier network's is left out, and recorded in
    ``clashes`` when given: an export never has two columns of one name.
    """
    wanted: list[Column] = []
    for adapter in _in_order(adapters):
        declared = _declared_column(adapter, format_name, default)
        if declared is not None:
            wanted.append(Column(adapter.id, declared.header, declared.value, declared.standard))
    wanted.sort(key=lambda c: not c.standard)  # stable: order and id kept within each group
    taken = {name_key(h): "socialcrm" for h in fixed}
    found: list[Column] = []
    for column in wanted:
        key = name_key(column.header)
        if key in taken:
            if clashes is not None:
                what = f"{format_name} column"
                clashes.append(Clash(what, column.header, taken[key], column.network))
            continue
        taken[key] = column.network
        found.append(column)
    return tuple(found)


def name_index(
    adapters: Iterable[AdapterT],
    names: Callable[[AdapterT], Iterable[str]],
    *,
    what: str,
    reserved: Collection[str] = (),
    clashes: list[Clash] | None = None,
) -> dict[str, str]:
    """``name_key(name)`` → network id for the ``names`` of every adapter.

    An adapter's id always names itself; any other name goes to the first
    adapter in column order claiming it.  Names in ``reserved`` (the
    format's own words, e.g. the CSV importer's ``email``) are never taken.
    The names lost are recorded in ``clashes`` when given.
    """
    ordered = _in_order(adapters)
    index = {name_key(a.id): a.id for a in ordered}
    blocked = {name_key(r) for r in reserved}
    for adapter in ordered:
        for name in names(adapter):
            key = name_key(name)
            owner = "socialcrm" if key in blocked else index.setdefault(key, adapter.id)
            if owner != adapter.id and clashes is not None:
                clashes.append(Clash(what, name, owner, adapter.id))
    return {key: network for key, network in index.items() if key not in blocked}


# ----------------------------------------------------------------------------- checks


def _check_name(adapter_id: str, field: str, value: object, *, header: bool = False) -> None:
    from socialcrm.text import is_safe

    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"network {adapter_id!r}: {field} must be a non-empty string")
    if len(value) > MAX_NAME or not is_safe(value) or value != value.strip():
        raise TypeError(
            f"network {adapter_id!r}: {field} {value!r} must be one line of at most "
            f"{MAX_NAME} characters, without control characters or surrounding spaces"
        )
    if header and value.startswith(_FORMULA):
        raise TypeError(f"network {adapter_id!r}: {field} {value!r} would read as a formula")
    if not header and _FORBIDDEN & set(value):
        raise TypeError(f'network {adapter_id!r}: {field} {value!r} holds one of ; : , "')


def check_declarations(adapter: Any) -> None:
    """Refuse declarations an export could not write safely (:class:`TypeError`).

    Called when an adapter is registered, so a plugin declaring a bad column
    is reported by name instead of producing a broken file later.
    """
    order = getattr(adapter, "export_order", DEFAULT_ORDER)
    if not isinstance(order, int) or isinstance(order, bool):
        raise TypeError(f"network {adapter.id!r}: export_order must be an integer")
    columns = getattr(adapter, "export_columns", {})
    if not isinstance(columns, Mapping):
        raise TypeError(f"network {adapter.id!r}: export_columns must be a mapping")
    for format_name, column in columns.items():
        if column is None:
            continue
        if not isinstance(column, ExportColumn):
            raise TypeError(
                f"network {adapter.id!r}: export_columns[{format_name!r}] must be an "
                "ExportColumn or None"
            )
        _check_name(adapter.id, f"export_columns[{format_name!r}]", column.header, header=True)
        if column.value not in _VALUES:
            raise TypeError(f"network {adapter.id!r}: a column holds 'url' or 'handle'")
    for field in ("vcard_type", "vcard_service"):
        value = getattr(adapter, field, None)
        if value is not None:
            _check_name(adapter.id, field, value)
    aliases = getattr(adapter, "aliases", ())
    if isinstance(aliases, str) or not isinstance(aliases, Iterable):
        raise TypeError(f"network {adapter.id!r}: aliases must be a tuple of names")
    for alias in aliases:
        _check_name(adapter.id, "alias", alias)
