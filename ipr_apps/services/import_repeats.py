"""Values a file must not repeat (references, recordation and case numbers), found at flat memory.

An import's first pass used to remember every value it had seen in a dict: about 190 bytes
per row, 190 MiB for a million rows (issue 16, target 5: imports at flat memory). Instead the
values go, in batches, into a private temporary SQLite database on disk (deleted when closed;
its page cache is bounded), and once the file is read one indexed query lists every later
line that repeats an earlier value, in line order. Python's own sqlite3: nothing to install.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import NamedTuple

BATCH = 10_000  # values per executemany
CACHE_KIB = 8192  # the temporary database's page cache


class Repeat(NamedTuple):
    line: int
    column: str
    value: str
    first: int  # the earlier line that has the value
    bad: bool  # the line had other problems already (counted once as a bad row)


class Repeats:
    """Collects (line, column, value); `found()` yields the repeats once the file is read."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.db = sqlite3.connect("")  # "": a private temporary database on disk
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.db.execute("CREATE TABLE seen (col INTEGER, value TEXT, line INTEGER, bad INTEGER)")
        self.pending: list[tuple[int, str, int, int]] = []

    def add(self, line: int, values: dict[str, str], bad: bool) -> None:
        """A row's values (empty ones are not compared); `bad`: it has other problems."""
        for column, value in values.items():
            if value:
                self.pending.append((self.columns.index(column), value, line, int(bad)))
        if len(self.pending) >= BATCH:
            self._write()

    def _write(self) -> None:
        self.db.executemany("INSERT INTO seen VALUES (?, ?, ?, ?)", self.pending)
        self.pending = []

    def found(self) -> Iterator[Repeat]:
        """Every line whose value an earlier line has, by line then column."""
        self._write()
        self.db.execute("CREATE INDEX seen_value ON seen (col, value, line)")
        rows = self.db.execute(
            "SELECT s.line, s.col, s.value, f.first, s.bad FROM seen s JOIN ("
            "  SELECT col, value, min(line) AS first FROM seen GROUP BY col, value"
            "  HAVING count(*) > 1) f ON f.col = s.col AND f.value = s.value "
            "WHERE s.line > f.first ORDER BY s.line, s.col"
        )
        for line, col, value, first, bad in rows:
            yield Repeat(line, self.columns[col], value, first, bool(bad))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Repeats:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
