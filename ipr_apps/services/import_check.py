"""Pass 1 of a recordation import: stream the file once and collect every problem in it."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO, TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, select

from ipr_apps.db import db
from ipr_apps.models import Application, Outcome, Recordation
from ipr_apps.services.import_repeats import Repeats
from ipr_apps.services.import_rows import (
    HEADER,
    ImportRow,
    Problem,
    describe,
    invalid,
    parse_row,
    read_rows,
)

QUERY_CHUNK = 1000  # values per IN (...) query
MAX_REPORTED = 1000  # problems listed one by one; the rest are only counted
UNIQUE = ("reference", "recordation_number")  # no two lines of a file may share one

Progress = Callable[[str, int], None]  # (phase, last line of the file processed)
T = TypeVar("T")


@dataclass
class CheckResult:
    rows: int = 0  # valid data rows
    present: int = 0  # rows whose reference is already in the database
    first_day: date | None = None  # earliest submitted_on
    last_day: date | None = None  # latest decided_on


def chunks(values: Sequence[T], size: int | None = None) -> Iterator[Sequence[T]]:
    size = size or QUERY_CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


def among(column: ColumnElement[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (...)` with the values written into the SQL text.

    A bound IN list is the same statement each time, so PostgreSQL would soon reuse one
    generic plan, made while the tables were still empty (a full scan), for every lookup.
    """
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


def existing_references(references: Sequence[str]) -> set[str]:
    """Which of `references` the database already holds, one IN query per chunk."""
    found: set[str] = set()
    for chunk in chunks(references):
        stmt = select(Application.reference).where(among(Application.reference, chunk))
        found.update(db.session.execute(stmt).scalars())
    return found


def check_file(stream: TextIO, progress: Progress | None = None) -> CheckResult:
    """Raise a ValidationError listing every bad row, or describe the valid file."""
    checker = _Checker()
    line = 0
    for count, (line, cells) in enumerate(read_rows(stream), start=1):
        checker.add(line, cells)
        if progress and count % QUERY_CHUNK == 0:
            progress("check", line)
    checker.flush()
    if progress:
        progress("check", line)
    return checker.finish()


class _Checker:
    """Hands the values a file must not repeat to `Repeats` (flat memory) and queries the
    database in chunks."""

    def __init__(self) -> None:
        self.result = CheckResult()
        self.repeats = Repeats(UNIQUE)
        self.found = Problems(HEADER)
        self.pending: list[ImportRow] = []
        self.database_bad: set[int] = set()  # lines with a problem found in the database

    def add(self, line: int, cells: list[str]) -> None:
        row, problems = parse_row(line, cells)
        if len(cells) == len(HEADER):
            values = {column: cells[HEADER.index(column)].strip() for column in UNIQUE}
            self.repeats.add(line, values, bad=bool(problems))
        self.found.add_row(line, problems)
        if not problems and row is not None:
            self._accept(row)

    def _accept(self, row: ImportRow) -> None:
        result = self.result
        result.rows += 1
        if result.first_day is None or row.submitted_on < result.first_day:
            result.first_day = row.submitted_on
        if result.last_day is None or row.decided_on > result.last_day:
            result.last_day = row.decided_on
        self.pending.append(row)
        if len(self.pending) >= QUERY_CHUNK:
            self.flush()

    def flush(self) -> None:
        """Rows already present are counted (they will be skipped); the others' numbers checked."""
        rows, self.pending = self.pending, []
        present = existing_references([row.reference for row in rows])
        self.result.present += len(present)
        approvals = [
            r for r in rows if r.reference not in present and r.outcome == Outcome.APPROVED
        ]
        used = _numbers_in_use([r.recordation_number for r in approvals if r.recordation_number])
        for row in approvals:
            owner = used.get(row.recordation_number or "")
            if owner is not None and owner != row.reference:
                reason = _(
                    "%(number)s is already the recordation of %(reference)s",
                    number=row.recordation_number, reference=owner,
                )  # fmt: skip
                self.found.add_row(row.line, [("recordation_number", reason)])
                self.database_bad.add(row.line)

    def finish(self) -> CheckResult:
        with self.repeats:
            add_repeats(self.found, self.repeats, self.database_bad)
        self.found.raise_if_any()
        return self.result


def add_repeats(problems: Problems, repeats: Repeats, bad_lines: set[int] = frozenset()) -> None:
    """Each line repeating an earlier line's value: "X is already on line N" (a line with
    other problems, or with two repeats, is one bad row)."""
    previous = None
    for repeat in repeats.found():
        reason = _("%(value)s is already on line %(line)s", value=repeat.value, line=repeat.first)
        counted = repeat.bad or repeat.line in bad_lines or repeat.line == previous
        problems.add_row(repeat.line, [(repeat.column, reason)], counted=counted)
        previous = repeat.line


class Problems:
    """The problems of an import's file, reported in line order then column order: the first
    MAX_REPORTED one by one (kept in a bounded heap, so problems found late, such as repeats,
    still take their place), the rest only counted."""

    def __init__(self, columns: tuple[str, ...] = ()) -> None:
        self.columns = columns
        self.kept: list[tuple[int, int, int, str]] = []  # (-line, -column, -seq, text) heap
        self.seq = 0
        self.unlisted = 0  # problems beyond what is kept for the report
        self.bad_rows = 0

    def __bool__(self) -> bool:
        return self.bad_rows > 0

    def add_row(self, line: int, problems: Iterable[Problem], counted: bool = False) -> None:
        """The (column, reason) problems of one row (none: nothing happens); `counted`: the
        row is already counted as bad."""
        added = False
        for column, reason in problems:
            self.seq += 1
            order = self.columns.index(column) if column in self.columns else -1
            item = (-line, -order, -self.seq, describe(line, column, reason))
            if len(self.kept) < MAX_REPORTED:
                heapq.heappush(self.kept, item)
            else:
                heapq.heappushpop(self.kept, item)  # the last problem of the file goes
                self.unlisted += 1
            added = True
        self.bad_rows += added and not counted

    def raise_if_any(self) -> None:
        """A ValidationError listing them, when there are any."""
        if self.kept:
            shown = [text for *_order, text in sorted(self.kept, reverse=True)]
            raise invalid(shown, self.bad_rows, self.unlisted)


def _numbers_in_use(numbers: Iterable[str]) -> dict[str, str]:
    """Recordation number → reference of the application it belongs to, for those in use."""
    stmt = select(Recordation.number, Application.reference).join(Recordation.application)
    found: dict[str, str] = {}
    for chunk in chunks(list(numbers)):
        result = db.session.execute(stmt.where(among(Recordation.number, chunk)))
        found.update((number, reference) for number, reference in result)
    return found
