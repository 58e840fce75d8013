"""``db upgrade`` and ``db current``: the schema of a database store (PostgreSQL, SQLite).

A directory store upgrades itself when opened; a team database is upgraded on
purpose, once, by whoever administers it (docs/storage.md).
"""

import typer

from socialcrm.cli import render
from socialcrm.cli.context import get_state
from socialcrm.i18n import gettext as _

__all__ = ["register"]

db_app = typer.Typer(
    name="db",
    help=_("A database store's schema: create or upgrade its tables, show its version."),
    no_args_is_help=True,
)


def _database_url(ctx: typer.Context) -> str:
    """The run's store as a database URL; a directory is a usage error (exit 2)."""
    from socialcrm.cli.errors import EXIT_USAGE, fail

    location = get_state(ctx).store_location
    if not isinstance(location, str):
        raise fail(
            _(
                "{location} is a store directory: 'socialcrm db' works on a database "
                "(--db postgresql://… or sqlite:///…); a directory store upgrades itself"
            ).format(location=location),
            EXIT_USAGE,
        )
    return location


def _schema_line(status: "dict[str, object]") -> str:
    revision = status["revision"] or _("none (no socialcrm tables)")
    return _("schema revision {revision}, this socialcrm's is {head} ({state})").format(
        revision=revision, head=status["head"], state=status["state"]
    )


@db_app.command()
def upgrade(ctx: typer.Context) -> None:
    """Create socialcrm's tables in the database, or upgrade them to this version.

    Run it once when setting up a team database, and again after upgrading
    socialcrm when 'db current' says the schema is older.  One transaction:
    a failure leaves the database as it was.  Safe to run again.  A database
    of a newer socialcrm is refused (exit 6).

    \b
    Example:
      socialcrm --db postgresql://crm@db.example.org/crm db upgrade
    """
    from socialcrm.storage import describe_store
    from socialcrm.storage.sql.upgrade import upgrade_database

    url = _database_url(ctx)
    before, after = upgrade_database(url)
    state = get_state(ctx)
    if state.output_format == "json":
        render.emit_json(
            {
                "db": describe_store(url),
                "before": before.to_dict(),
                "after": after.to_dict(),
                "changed": before.revision != after.revision,
            }
        )
        return
    if before.revision == after.revision:
        render.echo(
            _("{url}: already up to date (revision {revision})").format(
                url=describe_store(url), revision=after.revision
            )
        )
    else:
        message = (
            _("{url}: upgraded from {value} to revision {revision}")
            if before.revision
            else _("{url}: upgraded from an empty schema to revision {revision}")
        )
        render.echo(
            message.format(url=describe_store(url), value=before.revision, revision=after.revision)
        )


@db_app.command()
def current(ctx: typer.Context) -> None:
    """Show the database's schema revision and whether it is this version's.

    Changes nothing.  States: current, older (run 'db upgrade'), missing (no
    socialcrm tables yet: run 'db upgrade'), newer (upgrade socialcrm).

    \b
    Examples:
      socialcrm --db postgresql://crm@db.example.org/crm db current
      SOCIALCRM_DB=sqlite:///crm.db socialcrm db current --format json
    """
    from socialcrm.storage import describe_store
    from socialcrm.storage.sql.upgrade import database_status

    url = _database_url(ctx)
    status = database_status(url).to_dict()
    state = get_state(ctx)
    if state.output_format == "json":
        render.emit_json({"db": describe_store(url), **status})
        return
    render.echo(f"{describe_store(url)}: {_schema_line(status)}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, rich_help_panel=_("Store"))
