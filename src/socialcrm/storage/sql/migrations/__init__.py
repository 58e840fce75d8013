"""Alembic's script directory for the SQL store (``env.py``, ``versions/``), driven from code."""
