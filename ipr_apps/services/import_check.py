"""Pass 1 of a recordation import: stream the file once and collect every problem in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO, TypeVar

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, select

from ipr_apps.db import db
from ipr_apps.models import Application, Outcome, Recordation
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
_REFERENCE, _NUMBER = HEADER.index("reference"), HEADER.index("recordation_number")

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
    """Remembers references and numbers seen (for uniqueness) and queries the DB in chunks."""

    def __init__(self) -> None:
        self.result = CheckResult()
        self.references: dict[str, int] = {}
        self.numbers: dict[str, int] = {}
        self.found = Problems()
        self.pending: list[ImportRow] = []

    def add(self, line: int, cells: list[str]) -> None:
        row, problems = parse_row(line, cells)
        if len(cells) == len(HEADER):
            problems += self._repeats(line, cells)
            problems.sort(key=lambda problem: HEADER.index(problem[0]))
        self.found.add_row(line, problems)
        if not problems and row is not None:
            self._accept(row)

    def _repeats(self, line: int, cells: list[str]) -> Iterator[tuple[str, str]]:
        """Problems for a reference or recordation number that an earlier row already has."""
        for index, seen in ((_REFERENCE, self.references), (_NUMBER, self.numbers)):
            problem = repeated(seen, HEADER[index], cells[index].strip(), line)
            if problem:
                yield problem

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

    def finish(self) -> CheckResult:
        self.found.raise_if_any()
        return self.result


def repeated(seen: dict[str, int], column: str, value: str, line: int) -> Problem | None:
    """A problem when an earlier line of the file (remembered in `seen`) has `value` already."""
    first = seen.setdefault(value, line) if value else line
    if first == line:
        return None
    return column, _("%(value)s is already on line %(line)s", value=value, line=first)


class Problems:
    """The problems of an import's file, reported in line order: the first MAX_REPORTED one
    by one, the rest only counted."""

    def __init__(self) -> None:
        self.listed: list[tuple[int, str]] = []
        self.unlisted = 0  # problems beyond what is kept for the report
        self.bad_rows = 0

    def __bool__(self) -> bool:
        return self.bad_rows > 0

    def add_row(self, line: int, problems: Iterable[Problem]) -> None:
        """The (column, reason) problems of one row (none: nothing happens)."""
        counted = False
        for column, reason in problems:
            # Keep a margin over MAX_REPORTED: database problems arrive up to a chunk late.
            if len(self.listed) < 2 * MAX_REPORTED:
                self.listed.append((line, describe(line, column, reason)))
            else:
                self.unlisted += 1
            counted = True
        self.bad_rows += counted

    def raise_if_any(self) -> None:
        """A ValidationError listing them, when there are any."""
        if self.listed or self.unlisted:
            self.listed.sort(key=lambda problem: problem[0])
            shown = [text for _line, text in self.listed[:MAX_REPORTED]]
            more = len(self.listed) - len(shown) + self.unlisted
            raise invalid(shown, self.bad_rows, more)


def _numbers_in_use(numbers: Iterable[str]) -> dict[str, str]:
    """Recordation number → reference of the application it belongs to, for those in use."""
    stmt = select(Recordation.number, Application.reference).join(Recordation.application)
    found: dict[str, str] = {}
    for chunk in chunks(list(numbers)):
        result = db.session.execute(stmt.where(among(Recordation.number, chunk)))
        found.update((number, reference) for number, reference in result)
    return found
