"""The database handle, naming convention, SQLite pragmas and the unit of work."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.orm.exc import StaleDataError

from ipr_apps.errors import ConflictError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL + foreign keys + busy timeout so several workers can share one SQLite file."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One service call = one transaction: commit on success, roll back on any error."""
    session = db.session
    try:
        yield session
        session.commit()
    except StaleDataError as exc:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise ConflictError(
            "Someone else changed this application at the same moment; reload and try again."
        ) from exc
    except BaseException:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise
    for callback in session.info.pop(AFTER_COMMIT, {}):
        callback()


AFTER_COMMIT = "ipr_after_commit"


def after_commit(session: Session, callback) -> None:
    """Run `callback` once after the unit of work commits (never after a rollback)."""
    session.info.setdefault(AFTER_COMMIT, {})[callback] = None


def next_counter_value(session: Session, scope: str) -> int:
    """Increment and return the named counter inside the caller's transaction.

    The UPDATE takes a row lock (PostgreSQL) or the write lock (SQLite), so concurrent
    transactions are serialised and numbers are gap-free.
    """
    from ipr_apps.models.counters import Counter

    stmt = update(Counter).where(Counter.scope == scope).values(value=Counter.value + 1)
    if session.execute(stmt).rowcount == 0:
        try:
            with session.begin_nested():
                session.execute(insert(Counter).values(scope=scope, value=0))
        except IntegrityError:
            pass  # created concurrently; fall through to the increment
        session.execute(stmt)
    return session.execute(select(Counter.value).where(Counter.scope == scope)).scalar_one()
