"""Emptying every table between tests, past the triggers that keep the audit tables append-only;
holding SQLite's write lock from another connection.

The application never needs this: no code path updates or deletes an audit row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

from ipr_apps.db import db


def empty_tables(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        _empty_postgresql(engine)
    else:
        _empty_sqlite(engine)


def _empty_postgresql(engine: Engine) -> None:
    with engine.begin() as conn:
        # A session replaying data, as a replica does, fires no ordinary trigger (superuser only).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def _empty_sqlite(engine: Engine) -> None:
    """SQLite cannot switch a trigger off: drop them, empty the tables and create them again,
    all in one transaction (executescript runs the script as it is, BEGIN to COMMIT)."""
    raw = engine.raw_connection()
    try:
        triggers = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = triggers.fetchall()
        script = [
            "BEGIN",
            "PRAGMA defer_foreign_keys = ON",  # applications ↔ recordations point at each other
            *(f'DROP TRIGGER "{name}"' for name, _ in triggers),
            *(f'DELETE FROM "{t.name}"' for t in reversed(db.metadata.sorted_tables)),  # noqa: S608 (our own table names)
            *(sql for _, sql in triggers),
            "COMMIT",
        ]
        raw.executescript(";\n".join(script) + ";")
    finally:
        raw.close()


@contextmanager
def sqlite_write_lock(path: str) -> Iterator[None]:
    """Another connection holds SQLite's only write lock on the file at `path`."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()
