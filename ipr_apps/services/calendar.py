"""The admins' rows of the working-day calendar: closures, working days, overrides, import.

China's official calendar (official_calendar) comes first; an admin row wins over it either
way: a closure (working=False) or a working day (working=True, e.g. a weekend day worked).
Messages raised here are shown on the admin page (translated); the CSV import's row problems
are printed by `flask ipr import-holidays` (English, like all CLI output).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import NamedTuple, TextIO

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ipr_apps import official_calendar
from ipr_apps.db import db, unit_of_work
from ipr_apps.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from ipr_apps.i18n import format_day
from ipr_apps.models import Holiday, Role, SecurityAction, User
from ipr_apps.services import security_log

NAME_MAX = 200
HEADER = ("date", "name")
HEADER_WORKING = ("date", "name", "working")  # the third column is optional
# The `working` column: empty or one of these (any case).
WORKING_VALUES = {"": False, "0": False, "no": False, "false": False, "closed": False,
                  "1": True, "yes": True, "true": True, "working": True}  # fmt: skip
# Only `flask ipr import-holidays` imports, and command-line output stays English.
IMPORT_RACE = "The calendar changed during the import; run it again."
EMPTY_FILE = "The file is empty: expected the header date,name."
NOT_UTF8 = "The file is not UTF-8 text; nothing was imported."
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
        raise PermissionDenied(_("Only administrators maintain the holiday calendar."))


def _name_problem(name: str) -> str | None:
    """In English: the import's rows are reported at the command line."""
    if not name:
        return "the name is missing"
    if len(name) > NAME_MAX:
        return f"the name is longer than {NAME_MAX} characters"
    return None


def _check_name(name: str) -> None:
    if not name:
        raise ValidationError.on("name", _("Enter a name."))
    if len(name) > NAME_MAX:
        raise ValidationError.on(
            "name", _("Keep the name to %(max)s characters or fewer.", max=NAME_MAX)
        )


def holidays_in_year(year: int) -> list[Holiday]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    stmt = select(Holiday).where(Holiday.day.between(first, last)).order_by(Holiday.day)
    return list(db.session.execute(stmt).scalars())


def add_holiday(
    actor: User | None, day: date | None, name: str | None, working: bool = False
) -> Holiday:
    """A closure, or (working=True) a working day on a weekend or an official holiday."""
    _require_admin(actor)
    name = (name or "").strip()
    if day is None:
        raise ValidationError.on("day", _("Enter a date."))
    _check_name(name)
    if working and _works_anyway(day):
        raise ValidationError.on("day", _("%(day)s is a working day already.", day=format_day(day)))
    duplicate = ValidationError.on(
        "day", _("%(day)s is already in the calendar.", day=format_day(day))
    )
    with unit_of_work() as session:
        if session.get(Holiday, day) is not None:
            raise duplicate
        holiday = Holiday(day=day, name=name, working=working)
        session.add(holiday)
        try:
            session.flush()
        except IntegrityError as exc:  # another admin added the same date a moment ago
            raise duplicate from exc
        details = {"name": name, "working": True} if working else {"name": name}
        security_log.record(SecurityAction.HOLIDAY_ADDED, actor, holiday, details)
        return holiday


def _works_anyway(day: date) -> bool:
    """A weekday the official calendar does not close: a working-day row would change nothing."""
    return day.weekday() < 5 and day not in official_calendar.official_days(day, day).closed


def override_official(actor: User | None, day: date, name: str) -> Holiday:
    """An admin row that turns an official day the other way (holiday ↔ working day)."""
    official = official_calendar.official_days(day, day)
    if day in official.closed:
        return add_holiday(actor, day, name, working=True)
    if day in official.worked:
        return add_holiday(actor, day, name, working=False)
    raise ValidationError.on(
        "day", _("%(day)s is not a day of the official calendar.", day=format_day(day))
    )


def remove_holiday(actor: User | None, day: date) -> None:
    _require_admin(actor)
    with unit_of_work() as session:
        if session.execute(delete(Holiday).where(Holiday.day == day)).rowcount == 0:
            raise NotFound(_("%(day)s is not in the calendar.", day=format_day(day)))
        security_log.record(SecurityAction.HOLIDAY_REMOVED, actor, ("holiday", day.isoformat()))


def import_holidays(actor: User | None, source: Iterable[tuple[str, ...]] | TextIO) -> ImportResult:
    """Add or update every (date, name[, working]) row; all or nothing.

    `source` is a CSV text stream with the header `date,name` or `date,name,working` (line
    numbers are the file's), or tuples without a header (numbered from 1). `working` is empty,
    0/no/false/closed (a closure, the default) or 1/yes/true/working (a working day). Any
    invalid row fails the whole import with a ValidationError whose `fields["rows"]` lists
    "line N: reason" for each one.
    """
    _require_admin(actor)
    rows = _read_csv(source) if hasattr(source, "read") else enumerate(source, start=1)
    parsed = _validate(rows)
    with unit_of_work() as session:
        existing = {
            h.day: h
            for h in session.execute(select(Holiday).where(Holiday.day.in_(list(parsed)))).scalars()
        }
        for day, (name, working) in parsed.items():
            _log_import(actor, day, name, working, existing.get(day))
            if day in existing:
                existing[day].name, existing[day].working = name, working
            else:
                session.add(Holiday(day=day, name=name, working=working))
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError(IMPORT_RACE) from exc
    return ImportResult(added=len(parsed) - len(existing), updated=len(existing))


def _log_import(
    actor: User | None, day: date, name: str, working: bool, old: Holiday | None
) -> None:
    if old is not None and (old.name, old.working) == (name, working):
        return
    action = SecurityAction.HOLIDAY_ADDED if old is None else SecurityAction.HOLIDAY_CHANGED
    details = {"name": name, "import": True, **({"working": True} if working else {})}
    security_log.record(action, actor, ("holiday", day.isoformat()), details)


def _read_csv(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row after a valid header."""
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError(EMPTY_FILE)
        cells = [c.strip().lstrip("\ufeff").lower() for c in header]
        if tuple(cells) not in (HEADER, HEADER_WORKING):
            raise _invalid(
                [f"line 1: expected the header date,name (or date,name,working), "
                 f"found {','.join(header)}"]
            )  # fmt: skip
        for cells in reader:
            if any(c.strip() for c in cells):
                yield reader.line_num, cells
    except UnicodeDecodeError as exc:
        raise ValidationError(NOT_UTF8) from exc
    except csv.Error as exc:
        raise _invalid([f"line {reader.line_num}: {exc}"]) from exc


def _validate(rows: Iterable[tuple[int, Iterable[str]]]) -> dict[date, tuple[str, bool]]:
    """Every row checked before anything is written, so all problems are reported at once."""
    parsed: dict[date, tuple[str, bool]] = {}
    seen_on: dict[date, int] = {}
    problems: list[str] = []
    for line, cells in rows:
        day, name, working, problem = _check_row(list(cells))
        if problem is None and day in seen_on:
            problem = f"{day.isoformat()} is already listed on line {seen_on[day]}"
        if problem is not None:
            problems.append(f"line {line}: {problem}")
            continue
        parsed[day], seen_on[day] = (name, working), line
    if problems:
        raise _invalid(problems)
    return parsed


def _check_row(cells: list[str]) -> tuple[date, str, bool, None] | tuple[None, None, None, str]:
    if len(cells) not in (2, 3):
        return None, None, None, f"expected 2 columns (date,name), found {len(cells)}"
    text, name = cells[0].strip(), cells[1].strip()
    day = parse_day(text)
    if day is None:
        return None, None, None, f"{text or 'an empty cell'} is not a date (use YYYY-MM-DD)"
    problem = _name_problem(name)
    if problem:
        return None, None, None, problem
    flag = cells[2].strip().lower() if len(cells) == 3 else ""
    if flag not in WORKING_VALUES:
        return None, None, None, f"{cells[2].strip()} is not a working value (use 0 or 1)"
    return day, name, WORKING_VALUES[flag], None


def _invalid(problems: list[str]) -> ValidationError:
    count = len(problems)
    message = f"{count} invalid row{'s' if count != 1 else ''}; nothing was imported."
    return ValidationError(message, {"rows": problems})
