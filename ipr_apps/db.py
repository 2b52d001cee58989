"""The database handle, naming convention, SQLite pragmas, the unit of work and busy locks."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Executable, MetaData, Update, event, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session
from sqlalchemy.orm.exc import StaleDataError

from ipr_apps.errors import ConflictError, DatabaseBusy

log = logging.getLogger(__name__)

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
    """WAL + foreign keys so several workers can share one SQLite file. The busy timeout is
    the driver's `timeout` (SQLITE_BUSY_TIMEOUT, set in config.py), not a pragma here."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def unit_of_work(keep_loaded: bool = False) -> Iterator[Session]:
    """One service call = one transaction: commit on success, roll back on any error.

    `keep_loaded`: the rows stay loaded after the commit (they hold what was just written),
    so the caller's response reads them without reloading each row and collection again.
    """
    session = db.session
    try:
        yield session
        _commit(session, keep_loaded)
    except StaleDataError as exc:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise ConflictError(
            _("Someone else changed this application at the same moment; reload and try again.")
        ) from exc
    except DBAPIError as exc:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        if is_busy_error(exc):
            raise DatabaseBusy() from exc
        raise
    except BaseException:
        session.info.pop(AFTER_COMMIT, None)
        session.rollback()
        raise
    for callback in session.info.pop(AFTER_COMMIT, {}):
        callback()


def _commit(session: Session, keep_loaded: bool) -> None:
    own = db.session()  # the request's Session behind the scoped proxy
    expire = own.expire_on_commit
    own.expire_on_commit = expire and not keep_loaded
    try:
        session.commit()
    finally:
        own.expire_on_commit = expire


AFTER_COMMIT = "ipr_after_commit"


def after_commit(session: Session, callback) -> None:
    """Run `callback` once after the unit of work commits (never after a rollback)."""
    session.info.setdefault(AFTER_COMMIT, {})[callback] = None


def renew_version(session: Session, scope: str) -> None:
    """Give the counter row `scope` a new random value inside the caller's transaction: a
    version that readers compare (the screening index, the queue's ETag). Random, not +1, so a
    database restored from a backup, or emptied and filled again, never repeats a value seen.
    Once per transaction (or savepoint) is enough: a batch that ends 500 recordations sends
    one statement, not 500."""
    import secrets

    from sqlalchemy.dialects import postgresql, sqlite

    from ipr_apps.models.counters import Counter

    renewed = session.info.setdefault(RENEWED, {})
    transaction = _innermost(session)
    if renewed.get(scope) is transaction is not None:
        return
    value = secrets.randbelow(2**31 - 2) + 1
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Counter).values(scope=scope, value=value)
    stmt = stmt.on_conflict_do_update(index_elements=[Counter.scope], set_={"value": value})
    with session.no_autoflush:  # the caller's objects are flushed when it is ready
        session.execute(stmt)
    renewed[scope] = transaction or _innermost(session)  # the statement may have begun it


def _innermost(session) -> object | None:
    """The session's current savepoint, else its transaction (a scoped session's own)."""
    own = session() if isinstance(session, scoped_session) else session
    return own.get_nested_transaction() or own.get_transaction()


# The transaction each counter was last renewed in (held here, so never a recycled object).
RENEWED = "ipr_renewed_versions"


def version_of(session: Session, scope: str) -> int:
    """The counter's committed value as this transaction sees it (0 before any)."""
    from ipr_apps.models.counters import Counter

    stmt = select(Counter.value).where(Counter.scope == scope)
    return session.execute(stmt).scalar_one_or_none() or 0


def next_counter_value(session: Session, scope: str) -> int:
    """Increment and return the named counter inside the caller's transaction.

    The UPDATE takes a row lock (PostgreSQL) or the write lock (SQLite), so concurrent
    transactions are serialised and numbers are gap-free.
    """
    from ipr_apps.models.counters import Counter

    stmt = (
        update(Counter)
        .where(Counter.scope == scope)
        .values(value=Counter.value + 1)
        .returning(Counter.value)  # the new value in the same statement
    )
    value = session.execute(stmt).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.execute(insert(Counter).values(scope=scope, value=0))
        except IntegrityError:
            pass  # created concurrently; fall through to the increment
        value = session.execute(stmt).scalar_one()
    return value


# SQLite: SQLITE_BUSY / SQLITE_LOCKED (and their extended codes). PostgreSQL: lock_not_available
# (lock_timeout, NOWAIT), serialization_failure, deadlock_detected.
_SQLITE_BUSY_NAMES = ("SQLITE_BUSY", "SQLITE_LOCKED")
_SQLITE_BUSY_MESSAGES = ("database is locked", "database table is locked")
_PG_BUSY_STATES = frozenset({"55P03", "40001", "40P01"})


def is_busy_error(error: BaseException) -> bool:
    """True when `error` means another transaction held a lock we needed: try again later."""
    if not isinstance(error, DBAPIError):
        return False
    orig = error.orig
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "") or ""
        return name.startswith(_SQLITE_BUSY_NAMES) or any(
            message in str(orig) for message in _SQLITE_BUSY_MESSAGES
        )
    return getattr(orig, "sqlstate", None) in _PG_BUSY_STATES


PG_TOUCH_LOCK_TIMEOUT = "100ms"  # a best-effort stamp waits this long for a row lock at most


def best_effort_touch(stmt: Update) -> bool:
    """Run a small conditional UPDATE (a "last used" stamp) in its own short transaction on its
    own connection, giving up at once when another writer holds the lock. A lock (or any other
    operational error) is swallowed: a request must not fail, or wait, for a stamp. True when
    a row changed. Use a conditional UPDATE (`WHERE stamp < cutoff`) so repeats write nothing."""
    return best_effort_write(stmt)


def best_effort_write(stmt: Executable, wait_ms: int = 0) -> bool:
    """Run one small write in its own short transaction on its own connection, waiting at most
    `wait_ms` for a lock (0: the touch's minimum); a busy database or any other operational
    error is swallowed (and logged unless busy). True when a row was written."""
    try:
        with db.engine.connect() as connection, _no_lock_wait(connection, wait_ms):
            changed = connection.execute(stmt).rowcount > 0
            connection.commit()
            return changed
    except OperationalError as exc:
        if not is_busy_error(exc):
            log.warning("Best-effort write not done: %s", exc.orig)
        return False


@contextmanager
def _no_lock_wait(connection: Connection, wait_ms: int = 0) -> Iterator[None]:
    """The body's transaction waits `wait_ms` for a lock at most; by default not at all
    (SQLite) or hardly (PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        timeout = f"{wait_ms}ms" if wait_ms else PG_TOUCH_LOCK_TIMEOUT
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{timeout}'")
    if connection.dialect.name != "sqlite":
        yield
        return
    # A pragma, not part of the transaction: the pooled connection gets its timeout back.
    timeout = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
    try:
        yield
    finally:
        connection.rollback()  # no-op after the body's commit
        connection.exec_driver_sql(f"PRAGMA busy_timeout={timeout}")
        connection.commit()
