"""The customs holiday calendar that working-day deadlines skip: admins add, remove, import."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import NamedTuple, TextIO

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.models import Holiday, Role, SecurityAction, User
from ipr_apps.services import security_log

NAME_MAX = 200
HEADER = ("date", "name")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ImportResult(NamedTuple):
    added: int
    updated: int  # dates already in the calendar; their names were replaced

    @property
    def total(self) -> int:
        return self.added + self.updated


def parse_day(text: str) -> date | None:
    """A strict ISO date (YYYY-MM-DD), or None; `fromisoformat` alone accepts other forms."""
    text = (text or "").strip()
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _require_admin(actor: User | None) -> None:
    """actor=None is the operator at the command line."""
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied("Only administrators maintain the holiday calendar.")


def _name_problem(name: str) -> str | None:
    if not name:
        return "the name is missing"
    if len(name) > NAME_MAX:
        return f"the name is longer than {NAME_MAX} characters"
    return None


def holidays_in_year(year: int) -> list[Holiday]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    stmt = select(Holiday).where(Holiday.day.between(first, last)).order_by(Holiday.day)
    return list(db.session.execute(stmt).scalars())


def add_holiday(actor: User | None, day: date | None, name: str | None) -> Holiday:
    _require_admin(actor)
    name = (name or "").strip()
    if day is None:
        raise ValidationError.on("day", "Enter a date.")
    problem = _name_problem(name)
    if problem:
        raise ValidationError.on("name", problem.capitalize() + ".")
    duplicate = ValidationError.on("day", f"{day.isoformat()} is already in the calendar.")
    with unit_of_work() as session:
        if session.get(Holiday, day) is not None:
            raise duplicate
        holiday = Holiday(day=day, name=name)
        session.add(holiday)
        try:
            session.flush()
        except IntegrityError as exc:  # another admin added the same date a moment ago
            raise duplicate from exc
        security_log.record(SecurityAction.HOLIDAY_ADDED, actor, holiday, {"name": name})
        return holiday


def remove_holiday(actor: User | None, day: date) -> None:
    _require_admin(actor)
    with unit_of_work() as session:
        if session.execute(delete(Holiday).where(Holiday.day == day)).rowcount == 0:
            raise NotFound(f"{day.isoformat()} is not in the calendar.")
        security_log.record(SecurityAction.HOLIDAY_REMOVED, actor, ("holiday", day.isoformat()))


def import_holidays(actor: User | None, source: Iterable[tuple[str, str]] | TextIO) -> ImportResult:
    """Add or rename every (date, name) row; all or nothing.

    `source` is a CSV text stream with the header `date,name` (line numbers are the file's),
    or (date, name) pairs without a header (numbered from 1). Any invalid row fails the whole
    import with a ValidationError whose `fields["rows"]` lists "line N: reason" for each one.
    """
    _require_admin(actor)
    rows = _read_csv(source) if hasattr(source, "read") else enumerate(source, start=1)
    parsed = _validate(rows)
    with unit_of_work() as session:
        existing = {
            h.day: h
            for h in session.execute(select(Holiday).where(Holiday.day.in_(list(parsed)))).scalars()
        }
        for day, name in parsed.items():
            _log_import(actor, day, name, existing.get(day))
            if day in existing:
                existing[day].name = name
            else:
                session.add(Holiday(day=day, name=name))
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError("The calendar changed during the import; run it again.") from exc
    return ImportResult(added=len(parsed) - len(existing), updated=len(existing))


def _log_import(actor: User | None, day: date, name: str, old: Holiday | None) -> None:
    if old is not None and old.name == name:
        return
    action = SecurityAction.HOLIDAY_ADDED if old is None else SecurityAction.HOLIDAY_CHANGED
    security_log.record(action, actor, ("holiday", day.isoformat()), {"name": name, "import": True})


def _read_csv(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row after a valid header."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError("The file is empty: expected the header date,name.")
        cells = [c.strip().lstrip("\ufeff").lower() for c in header]
        if tuple(cells) != HEADER:
            raise _invalid([f"line 1: expected the header date,name, found {','.join(header)}"])
        for cells in reader:
            if any(c.strip() for c in cells):
                yield reader.line_num, cells
    except UnicodeDecodeError as exc:
        raise ValidationError("The file is not UTF-8 text; nothing was imported.") from exc
    except csv.Error as exc:
        raise _invalid([f"line {reader.line_num}: {exc}"]) from exc


def _validate(rows: Iterable[tuple[int, Iterable[str]]]) -> dict[date, str]:
    """Every row checked before anything is written, so all problems are reported at once."""
    parsed: dict[date, str] = {}
    seen_on: dict[date, int] = {}
    problems: list[str] = []
    for line, cells in rows:
        day, name, problem = _check_row(list(cells))
        if problem is None and day in seen_on:
            problem = f"{day.isoformat()} is already listed on line {seen_on[day]}"
        if problem is not None:
            problems.append(f"line {line}: {problem}")
            continue
        parsed[day], seen_on[day] = name, line
    if problems:
        raise _invalid(problems)
    return parsed


def _check_row(cells: list[str]) -> tuple[date, str, None] | tuple[None, None, str]:
    if len(cells) != 2:
        return None, None, f"expected 2 columns (date,name), found {len(cells)}"
    text, name = cells[0].strip(), cells[1].strip()
    day = parse_day(text)
    if day is None:
        return None, None, f"{text or 'an empty cell'} is not a date (use YYYY-MM-DD)"
    problem = _name_problem(name)
    if problem:
        return None, None, problem
    return day, name, None


def _invalid(problems: list[str]) -> ValidationError:
    count = len(problems)
    message = f"{count} invalid row{'s' if count != 1 else ''}; nothing was imported."
    return ValidationError(message, {"rows": problems})
