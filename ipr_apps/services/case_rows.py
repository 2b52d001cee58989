"""Reading and checking one row of a historical detention-case CSV file (no database access)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from flask_babel import gettext as _

from ipr_apps.models import CaseIprType, CaseOutcome, Channel, Direction, Mode
from ipr_apps.services.calendar import parse_day
from ipr_apps.services.import_rows import Problem

HEADER = (
    "case_number", "opened_on", "port_code", "channel", "direction", "mode", "ipr_type",
    "recordation_number", "goods", "hs_code", "items", "value_cny", "outcome",
)  # fmt: skip
# The columns' lengths in `detention_cases` (goods is TEXT: no limit but the CSV reader's).
MAX_LENGTH = {"case_number": 40, "port_code": 20, "recordation_number": 40, "hs_code": 20}
REQUIRED = ("case_number", "port_code", "goods")
ENUMS: dict[str, type[StrEnum]] = {
    "channel": Channel, "direction": Direction, "mode": Mode, "ipr_type": CaseIprType,
}  # fmt: skip
MAX_INT = 2**31 - 1  # `items` is an INTEGER column
MAX_VALUE = Decimal("99999999999999.99")  # NUMERIC(16, 2)
_INTEGER = re.compile(r"[0-9]+")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A valid row, typed; `line` is the file's physical line where the row starts."""

    line: int
    case_number: str
    opened_on: date
    port_code: str
    channel: Channel
    direction: Direction
    mode: Mode
    ipr_type: CaseIprType
    recordation_number: str | None
    goods: str
    hs_code: str | None
    items: int
    value_cny: Decimal
    outcome: CaseOutcome | None


def parse_row(line: int, cells: list[str]) -> tuple[CaseRow | None, list[Problem]]:
    """The typed row, or None and every problem found in it (in the header's column order)."""
    if len(cells) != len(HEADER):
        found = _("expected %(expected)s columns, found %(found)s", expected=len(HEADER),
                  found=len(cells))  # fmt: skip
        return None, [("", found)]
    raw = dict(zip(HEADER, (cell.strip() for cell in cells), strict=True))
    problems: list[Problem] = []
    values = {column: _value(column, raw[column], problems) for column in HEADER}
    if problems:
        problems.sort(key=lambda problem: HEADER.index(problem[0]))
        return None, problems
    return CaseRow(line=line, **values), []


def _value(column: str, text: str, problems: list[Problem]):
    """The typed value of one cell; a problem is appended instead when it is not valid."""
    reason: str | None = None
    value: object = text or None
    if column in MAX_LENGTH and len(text) > MAX_LENGTH[column]:
        reason = _("longer than %(most)s characters", most=MAX_LENGTH[column])
    elif column in REQUIRED and not text:
        reason = _("required")
    elif column in ENUMS or (column == "outcome" and text):
        value, reason = _enum(ENUMS.get(column, CaseOutcome), text)
    elif column == "opened_on":
        value = parse_day(text)
        reason = None if value else _not_a_date(text)
    elif column == "items":
        value, reason = _items(text)
    elif column == "value_cny":
        value, reason = _amount(text)
    if reason:
        problems.append((column, reason))
    return value


def _enum(enum: type[StrEnum], text: str) -> tuple[StrEnum | None, str | None]:
    try:
        return enum(text), None
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        return None, _("%(text)s is not one of %(choices)s", text=text or _empty(), choices=choices)


def _not_a_date(text: str) -> str:
    return (
        _("%(text)s is not a date (YYYY-MM-DD)", text=text) if text else _("required (YYYY-MM-DD)")
    )


def _items(text: str) -> tuple[int | None, str | None]:
    if not _INTEGER.fullmatch(text):
        return None, _("%(text)s is not a whole number of 0 or more", text=text or _empty())
    if int(text) > MAX_INT:
        return None, _("%(text)s is larger than %(most)s", text=text, most=MAX_INT)
    return int(text), None


def _amount(text: str) -> tuple[Decimal | None, str | None]:
    if not _AMOUNT.fullmatch(text):
        reason = _(
            "%(text)s is not an amount of 0 or more with at most two decimals (e.g. 1234.50)",
            text=text or _empty(),
        )
        return None, reason
    amount = Decimal(text)  # the pattern admits only plain decimals
    if amount > MAX_VALUE:
        return None, _("%(text)s is larger than %(most)s", text=text, most=MAX_VALUE)
    return amount, None


def _empty() -> str:
    return _("an empty cell")
