"""The SQL store: PostgreSQL for a team, SQLite through the same code.

Modules (only ``urls`` is importable without the ``sql`` extra):

* ``urls`` — telling a database URL from a store path, masking passwords;
* ``engine`` — the SQLAlchemy engine per URL (psycopg 3 for PostgreSQL, SQLite
  set up for real transactions) and database errors → library errors;
* ``schema`` — the tables, and the schema revisions this code knows;
* ``migrate`` — Alembic driven from code: ``upgrade``, ``status``, the check
  every open makes; ``migrations/`` holds the revisions (shipped in the wheel);
* ``rows`` — models ⇄ table rows (the document is the truth, columns index it);
* ``repository`` — :class:`~socialcrm.storage.sql.repository.SQLRepository`;
* ``doctor`` — the health check of a SQL store.

This package imports nothing at import time: ``import socialcrm`` and the TinyDB
store never load SQLAlchemy.
"""
