"""The generator's bulk writer: explicit ids after the tables' highest, rows sent per batch with
the driver's fastest path (PostgreSQL COPY, SQLite executemany), counters and sequences moved on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, Table, func, insert, select, text, update
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
ID_BLOCK = 100_000  # PostgreSQL: ids reserved from a sequence at once
METHODS = ("copy", "executemany")  # PostgreSQL's two ways; SQLite always uses executemany


def table(name: str) -> Table:
    return db.metadata.tables[name]


class Writer:
    """Rows as tuples in a fixed column order, written on the session's own connection (so in
    its transaction). Counts every row written, for the summary."""

    def __init__(self, session: Session, method: str = "copy") -> None:
        self.session = session
        self.engine = session.get_bind()
        self.postgres = self.engine.dialect.name == "postgresql"
        self.method = method if self.postgres else "executemany"
        self.counts: dict[str, int] = {}
        self.ids = self._sequence_ids if self.postgres else self._next_ids
        self.next_ids = {} if self.postgres else {n: self._highest(n) + 1 for n in ID_TABLES}
        self.blocks: dict[str, tuple[int, int]] = {}  # PostgreSQL: next id and last id reserved
        self.first_ids: dict[str, int] = {}  # the first id handed out, by table

    def one(self, name: str) -> int:
        """One fresh id of `name` (the generator's hot path: ~18 per application)."""
        return self.ids(name, 1)[0]

    def _highest(self, name: str) -> int:
        highest = self.session.execute(select(func.max(table(name).c.id))).scalar()
        return int(highest or 0)

    def _next_ids(self, name: str, count: int) -> Sequence[int]:
        """SQLite: `count` ids after every id in use when the run started or handed out since
        (SQLite itself takes max(id) + 1, so nothing else needs to move)."""
        first = self.next_ids[name]
        self.next_ids[name] = first + count
        self.first_ids.setdefault(name, first)
        return range(first, first + count)

    def _sequence_ids(self, name: str, count: int) -> Sequence[int]:
        """PostgreSQL: ids from the table's own sequence, reserved a block at a time (one
        statement moves the sequence past the block), so the app's inserts afterwards
        (nextval) never meet a generated id."""
        first, end = self.blocks.get(name, (1, 0))
        if first + count - 1 > end:
            size = max(count, ID_BLOCK)
            end = self._reserve(name, size)
            first = end - size + 1
        self.blocks[name] = (first + count, end)
        self.first_ids.setdefault(name, first)
        return range(first, first + count)

    def _reserve(self, name: str, size: int) -> int:
        """The last id of a fresh block of `size` ids (the block ends the sequence's range).
        On a connection of its own: sequences are not transactional, and the session may be
        busy writing the previous batch in the background."""
        sequence = text("SELECT pg_get_serial_sequence(:t, 'id')")
        stmt = text("SELECT setval(CAST(:s AS regclass), nextval(CAST(:s AS regclass)) + :n - 1)")
        with self.engine.connect() as connection:
            name_of = connection.execute(sequence, {"t": name}).scalar()
            last = connection.execute(stmt, {"s": name_of, "n": size}).scalar()
            connection.commit()
        return int(last)

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

    def take(self) -> dict[str, int]:
        """The counters changed since the last take, with their values now."""
        changed = {scope: self.values[scope] for scope in sorted(self.dirty)}
        self.dirty.clear()
        return changed

    def write(self, values: dict[str, int]) -> None:
        """Upsert the counters to `values` (in the caller's transaction)."""
        for scope, value in values.items():
            stmt = update(Counter).where(Counter.scope == scope).values(value=value)
            if not self.session.execute(stmt).rowcount:
                self.session.execute(insert(Counter).values(scope=scope, value=value))
