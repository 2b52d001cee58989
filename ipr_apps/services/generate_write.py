"""The generator's bulk writer: explicit ids after the tables' highest, rows sent per batch with
the driver's fastest path (PostgreSQL COPY, SQLite executemany), counters and sequences moved on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, Table, func, select, text
from sqlalchemy.orm import Session

from ipr_apps.db import db
from ipr_apps.models import Counter

# Tables whose ids the generator assigns itself (so children need no RETURNING round trip).
ID_TABLES = (
    "organisations",
    "users",
    "agent_mandates",
    "applications",
    "goods",
    "licensees",
    "traders",
    "ports",
    "infringers",
    "documents",
    "status_events",
    "information_requests",
    "decisions",
    "recordations",
    "recordation_events",
    "detention_cases",
    "case_events",
)
METHODS = ("copy", "executemany")  # PostgreSQL's two ways; SQLite always uses executemany


def table(name: str) -> Table:
    return db.metadata.tables[name]


class Writer:
    """Rows as tuples in a fixed column order, written on the session's own connection (so in
    its transaction). Counts every row written, for the summary."""

    def __init__(self, session: Session, method: str = "copy") -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.method = method if self.postgres else "executemany"
        self.counts: dict[str, int] = {}
        self.next_ids = {name: self._highest(name) + 1 for name in ID_TABLES}

    def _highest(self, name: str) -> int:
        highest = self.session.execute(select(func.max(table(name).c.id))).scalar()
        return int(highest or 0)

    def ids(self, name: str, count: int) -> range:
        """`count` fresh ids of `name`, after every id in use or handed out before."""
        first = self.next_ids[name]
        self.next_ids[name] = first + count
        return range(first, first + count)

    def write(self, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        cursor = self.session.connection().connection.dbapi_connection.cursor()
        try:
            if self.method == "copy":
                self._copy(cursor, name, columns, rows)
            else:
                self._executemany(cursor, name, columns, rows)
        finally:
            cursor.close()

    def _copy(self, cursor: Any, name: str, columns: Sequence[str], rows: list[tuple]) -> None:
        with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _executemany(
        self, cursor: Any, name: str, columns: Sequence[str], rows: list[tuple]
    ) -> None:
        mark = "%s" if self.postgres else "?"
        marks = ", ".join([mark] * len(columns))
        sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (our names)
        cursor.executemany(sql, self._converted(name, columns, rows))

    def _converted(self, name: str, columns: Sequence[str], rows: list[tuple]) -> Iterable[tuple]:
        """SQLite stores dates, times and decimals as SQLAlchemy writes them (text, float):
        apply its own bind processors to those columns only (psycopg adapts them itself)."""
        if self.postgres:
            return rows
        dialect = self.session.get_bind().dialect
        processors = [
            column.type._cached_bind_processor(dialect)
            if isinstance(column.type, Date | DateTime | Numeric)
            else None
            for column in (table(name).c[c] for c in columns)
        ]
        active = [(i, p) for i, p in enumerate(processors) if p is not None]
        if not active:
            return rows
        return (_apply(row, active) for row in rows)

    def sync_sequences(self) -> None:
        """PostgreSQL: each id sequence past the ids written, so the app's next insert (a
        plain nextval) cannot collide with a generated row."""
        if not self.postgres:
            return  # SQLite takes max(rowid) + 1
        for name in ID_TABLES:
            sequence = self.session.execute(
                text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}
            ).scalar()
            highest = self.next_ids[name] - 1
            if sequence and highest > 0:
                self.session.execute(
                    text(f"SELECT setval('{sequence}', GREATEST(last_value, :n)) FROM {sequence}"),  # noqa: S608 (a name PostgreSQL gave)
                    {"n": highest},
                )


def _apply(row: tuple, active: list) -> tuple:
    values = list(row)
    for index, processor in active:
        if values[index] is not None:
            values[index] = processor(values[index])
    return tuple(values)


class Counters:
    """The app's named counters (references, recordation and case numbers): read once, handed
    out in Python, written back with each batch so the app's next number follows on."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.values = dict(session.execute(select(Counter.scope, Counter.value)).tuples().all())
        self.dirty: set[str] = set()

    def next(self, scope: str) -> int:
        value = self.values.get(scope, 0) + 1
        self.values[scope] = value
        self.dirty.add(scope)
        return value

    def flush(self) -> None:
        """Upsert the counters changed since the last flush (in the caller's transaction)."""
        for scope in sorted(self.dirty):
            value = self.values[scope]
            stmt = Counter.__table__.update().where(Counter.scope == scope).values(value=value)
            if not self.session.execute(stmt).rowcount:
                self.session.execute(Counter.__table__.insert().values(scope=scope, value=value))
        self.dirty.clear()
