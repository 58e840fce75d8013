"""Alembic environment of the SQL store, run only from :mod:`socialcrm.storage.sql.migrate`.

There is no ``alembic.ini``: the caller opens the connection (and its transaction)
and hands it over in ``config.attributes["connection"]``, so the URL, its password
and the engine set-up stay in socialcrm's code.
"""

from __future__ import annotations

from alembic import context

from socialcrm.storage.sql.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    transactional_ddl=True,
    # SQLite cannot ALTER most things: later revisions use batch mode there
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
